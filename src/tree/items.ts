// TreeItems for the Labs tree. contextValue encodes kind and state (`vm.running`, `host.error`)
// so menus can match with `viewItem =~ /…/`.
import * as vscode from 'vscode';
import type { VmStatus } from '../backends/backend';
import type { HostLive } from '../lab/hostState';
import type { Host, Slot, Vm } from '../model/types';
import type { LabEntry } from '../workspace/workspaceLabs';
import type { TcStateStore } from '../tc/opsState';
import { fileDescription, fileTooltip } from './fileSummary';
import type { VmDrift } from './planPresent';
import { hostTooltipHead, vmTooltip } from './vmTooltip';
import { nodeId, type FileNode, type HostNode, type MessageNode, type SlotNode, type UndeclaredGroupNode, type VmNode } from './nodes';
import type { Backend } from '../model/types';

const STATE_ICON: Record<VmStatus['state'], [string, string | undefined]> = {
  running: ['vm-running', 'testing.iconPassed'],
  paused: ['debug-pause', 'editorWarning.foreground'],
  stopped: ['vm-outline', undefined],
  crashed: ['error', 'errorForeground'],
  starting: ['loading~spin', undefined],
  stopping: ['loading~spin', undefined],
  missing: ['question', 'disabledForeground'],
  unknown: ['vm', undefined],
};

export function fileItem(n: FileNode, entry: LabEntry | undefined): vscode.TreeItem {
  const name = entry?.lab?.current.name ?? vscode.workspace.asRelativePath(n.uri);
  // A file that says offline: true starts folded: its hosts are never reached, the live labs come first.
  const offline = entry?.lab?.current.offline === true;
  const item = new vscode.TreeItem(name, offline ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded);
  item.id = nodeId(n);
  item.resourceUri = n.uri;
  item.iconPath = new vscode.ThemeIcon('file-code');
  const summary = {
    path: vscode.workspace.asRelativePath(n.uri), errors: entry?.errorList ?? [], leftOut: entry?.leftOut ?? [],
    current: entry?.current ?? false, hasLab: !!entry?.lab, offline,
  };
  item.description = fileDescription(summary);
  item.tooltip = summary.errors.length ? new vscode.MarkdownString(fileTooltip(summary)) : n.uri.fsPath;
  item.contextValue = 'topology';
  return item;
}

export function hostItem(n: HostNode, host: Host | undefined, live: HostLive, vmCount: number): vscode.TreeItem {
  const item = new vscode.TreeItem(n.host, vscode.TreeItemCollapsibleState.Expanded);
  item.id = nodeId(n);
  const c = live.connection;
  const where = host?.sshConfigHost ?? `${host?.user ? `${host.user}@` : ''}${host?.address ?? '?'}${host?.port ? `:${host.port}` : ''}`;
  switch (c.kind) {
    case 'connected':
      item.iconPath = new vscode.ThemeIcon('server', new vscode.ThemeColor('testing.iconPassed'));
      item.description = `${vmCount} VM${vmCount === 1 ? '' : 's'} · ${where}`;
      break;
    case 'connecting':
      item.iconPath = new vscode.ThemeIcon('loading~spin');
      item.description = `connecting to ${where}…`;
      break;
    case 'untrusted':
      item.iconPath = new vscode.ThemeIcon('shield');
      item.description = 'workspace not trusted: not connecting';
      break;
    case 'disconnected':
      item.iconPath = new vscode.ThemeIcon('debug-disconnect');
      item.description = `disconnected · ${where}`;
      break;
    case 'offline':
      item.iconPath = new vscode.ThemeIcon('debug-disconnect');
      item.description = `offline (offline: true in the file) · ${where}`;
      break;
    case 'missing-tool':
      item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('editorWarning.foreground'));
      item.description = `missing ${c.tool}`;
      break;
    case 'error':
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
      item.description = `unreachable: ${c.message}`;
      break;
    case 'idle':
      item.iconPath = new vscode.ThemeIcon('server');
      item.description = where;
      break;
  }
  const md = new vscode.MarkdownString(hostTooltipHead(n.host, where));
  if (host?.description) md.appendText(`${host.description}\n\n`);
  if (c.kind === 'error' || c.kind === 'missing-tool') md.appendText(c.message);
  if (c.kind === 'disconnected') md.appendText('Disconnected: vsim neither lists nor watches it until you use Connect to Host.');
  if (live.refreshedAt) md.appendMarkdown(`\n\nUpdated ${new Date(live.refreshedAt).toLocaleTimeString()}`);
  item.tooltip = md;
  item.contextValue = `host.${c.kind}`;
  return item;
}

export function slotItem(n: SlotNode, slot: Slot | undefined, facts: Record<string, string> | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(n.slot, vscode.TreeItemCollapsibleState.Expanded);
  item.id = nodeId(n);
  item.iconPath = new vscode.ThemeIcon('symbol-namespace');
  const state = facts?.state ?? slot?.state;
  item.description = [slot?.ip, state ? `state: ${state}` : undefined].filter(Boolean).join(' · ');
  // The runner links (readlink STATE_DIR/SLOT/current and booted, read by the microvm listing).
  const links = facts?.current || facts?.booted ? `\ncurrent: ${facts.current ?? '(none)'}\nbooted: ${facts.booted ?? '(not running)'}` : '';
  if (facts?.drift === 'stale') item.description = `${String(item.description)} · booted ≠ current`;
  item.tooltip = `Slot ${n.slot}${slot?.network ? ` on ${slot.network}` : ''}${state ? `, portable state ${state}` : ''}${links}`;
  item.contextValue = 'slot';
  return item;
}

/** Above this many, "not in topology (N)" starts folded: the declared VMs stay in view. */
export const UNDECLARED_FOLD_AT = 20;

export function undeclaredGroupItem(n: UndeclaredGroupNode, count: number): vscode.TreeItem {
  const item = new vscode.TreeItem(`not in topology (${count})`, count > UNDECLARED_FOLD_AT ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.Expanded);
  item.id = nodeId(n);
  item.iconPath = new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground'));
  item.tooltip = `VMs on ${n.host} that the file does not declare: start, stop, console and snapshot them like any VM, or add them to the topology.`;
  item.contextValue = 'undeclared';
  return item;
}

/** `backend`: an undeclared VM's backend (from the host's listing); a declared VM's is in `vm`. */
export function vmItem(n: VmNode, vm: Vm | undefined, status: VmStatus | undefined, queued: readonly { label: string; running: boolean }[], tcState?: TcStateStore, planDrift?: VmDrift, backend?: Backend): vscode.TreeItem {
  const item = new vscode.TreeItem(n.vm, vscode.TreeItemCollapsibleState.None);
  item.id = nodeId(n);
  const state = status?.state ?? 'unknown';
  const [icon, color] = STATE_ICON[state];
  item.iconPath = queued.some((q) => q.running) ? new vscode.ThemeIcon('loading~spin') : new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
  const ips = (vm?.nics ?? []).map((x) => x.ip).filter((x): x is string => !!x);
  const ops = queued.length ? `${queued.map((q) => (q.running ? `${q.label}…` : `queued: ${q.label}`)).join(', ')} · ` : '';
  const where = state === 'missing' && !n.undeclared ? 'not on host' : status?.detail ?? state;
  const tc = tcState?.short(n.vm);
  // microvm drift (facts from the backend): booted ≠ current means a newer build waits for a restart.
  const f = status?.facts;
  const short = (p?: string): string => (p ?? '?').replace(/^([0-9a-z]{7})[0-9a-z]{25}-/, '$1…-');
  const drift = f?.drift === 'stale' ? ` · stale: booted ${short(f.booted)} ≠ current ${short(f.current)}` : f?.drift === 'not booted' && state === 'running' ? ' · not booted from current' : '';
  // The plan's badge: a declared VM whose definition on the host differs from the file, or is missing.
  const planned = planDrift ? ` · ≠ plan: ${planDrift.text}` : '';
  const kind = vm ? ` · ${vm.backend} · ${vm.arch ?? 'x86_64'}` : backend ? ` · ${backend}` : '';
  item.description = `${ops}${where}${drift}${kind}${ips.length ? ` · ${ips.join(', ')}` : ''}${tc ? ` · ${tc}` : ''}${planned}${n.undeclared ? ' · not in topology' : ''}`;
  const tcLines = tcState?.lines(n.vm) ?? [];
  item.tooltip = new vscode.MarkdownString(vmTooltip({
    name: n.vm, state, ips, undeclared: !!n.undeclared,
    ...(status?.detail ? { detail: status.detail } : {}),
    ...(vm ? { vm } : {}),
    ...(status?.facts ? { facts: status.facts } : {}),
    ...(tcLines.length ? { tc: { lines: tcLines, at: tcState?.get(n.vm)?.at ?? 0 } } : {}),
    ...(planDrift ? { planDrift: planDrift.text } : {}),
  }));
  // Undeclared: `vm.STATE.BACKEND.undeclared` — the lifecycle, console and state menus match it like
  // any VM; what needs the file's entry (definition, tc, build, ssh) excludes `.undeclared`.
  item.contextValue = n.undeclared ? `vm.${state}${backend ? `.${backend}` : ''}.undeclared` : `vm.${state}${vm ? `.${vm.backend}` : ''}`;
  if (!n.undeclared) item.command = { command: 'vsim.revealVmDefinition', title: 'Open Definition', arguments: [n] };
  return item;
}

export function messageItem(n: MessageNode): vscode.TreeItem {
  const item = new vscode.TreeItem(n.text, vscode.TreeItemCollapsibleState.None);
  item.id = nodeId(n);
  item.iconPath = new vscode.ThemeIcon(n.icon ?? 'info');
  item.tooltip = n.tooltip;
  item.contextValue = 'message';
  if (n.open) {
    const at = new vscode.Position(Math.max(0, n.open.line - 1), 0);
    item.command = { command: 'vscode.open', title: 'Go to Error', arguments: [n.open.uri, { selection: new vscode.Range(at, at) }] };
  }
  return item;
}
