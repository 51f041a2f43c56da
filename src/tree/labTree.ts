// The Labs tree: topology files → hosts → (slots →) VMs, with live state from WorkspaceLabs.
// Declared VMs missing on the host and undeclared VMs found there are both shown, marked.
import * as vscode from 'vscode';
import { Disposable } from '../common/lifecycle';
import type { WorkspaceLabs } from '../workspace/workspaceLabs';
import { undeclaredIndex } from '../lab/hostState';
import { ERROR_ROWS } from './fileSummary';
import { fileItem, hostItem, messageItem, slotItem, undeclaredGroupItem, vmItem } from './items';
import type { HostNode, LabNode, MessageNode, UndeclaredGroupNode, VmNode } from './nodes';
import { serviceItem, servicesChildren, servicesItem, serviceStatus } from './services';
import { vmDrifts, type VmDrift } from './planPresent';
import type { PlanStore } from './planStore';
import { networkItem, networksChildren, networksItem, networksRows } from './networksTree';
import { liveFactsMarkdown, vmLiveIps } from './vmLive';

export class LabTree extends Disposable implements vscode.TreeDataProvider<LabNode> {
  private readonly changed = this._register(new vscode.EventEmitter<LabNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;
  /** Host nodes handed out, so a host change refreshes just that subtree. */
  private readonly hostNodes = new Map<string, HostNode>();

  constructor(private readonly labs: WorkspaceLabs, private readonly untrusted: () => boolean) {
    super();
    this._register(labs.onDidChange((c) => {
      if (c.kind === 'host') {
        const n = this.hostNodes.get(`${c.uri.toString()}#${c.host}`);
        this.changed.fire(n);
      } else {
        this.changed.fire(undefined);
      }
    }));
  }

  refresh(): void {
    this.changed.fire(undefined);
  }

  private plans: PlanStore | undefined;
  private drifts = new Map<string, Map<string, VmDrift>>();

  /** Badges from the plans: each declared VM the last plan says differs or is missing. */
  showPlans(plans: PlanStore): vscode.Disposable {
    this.plans = plans;
    return plans.onDidChange(() => {
      this.drifts = new Map(plans.all().map((e) => [e.uri.toString(), vmDrifts(e.plan)]));
      this.changed.fire(undefined);
    });
  }

  private drift(uri: vscode.Uri, vm: string): VmDrift | undefined {
    return this.plans ? this.drifts.get(uri.toString())?.get(vm) : undefined;
  }

  async getChildren(node?: LabNode): Promise<LabNode[]> {
    if (!node) {
      await this.labs.ready();
      const files = this.labs.all().map((e) => ({ kind: 'file' as const, uri: e.uri }));
      if (files.length && this.untrusted()) {
        return [{ kind: 'message', id: 'untrusted', icon: 'shield', text: 'Workspace not trusted: vsim shows topologies but does not connect to hypervisors.' }, ...files];
      }
      return files;
    }
    const entry = 'uri' in node ? this.labs.get(node.uri) : undefined;
    const t = entry?.lab?.current;
    // A file's errors come first, one row each (click: go to the line); its valid part follows.
    const errors: MessageNode[] = node.kind === 'file' ? errorRows(node.uri, entry?.errorList ?? []) : [];
    if (!t) return node.kind === 'file' ? (errors.length ? errors : [{ kind: 'message', id: `err:${node.uri.toString()}`, icon: 'error', text: 'No valid topology yet.' }]) : [];
    switch (node.kind) {
      case 'file':
        return [...errors, ...Object.keys(t.hosts ?? {}).map((host) => {
          const n: HostNode = { kind: 'host', uri: node.uri, host };
          this.hostNodes.set(`${node.uri.toString()}#${host}`, n);
          return n;
        })];
      case 'host': {
        const live = entry.lab!.host(node.host);
        const slots = Object.entries(t.slots ?? {}).filter(([, s]) => s?.host === node.host).map(([slot]) => slot);
        const inSlot = new Set(Object.entries(t.vms ?? {}).filter(([, v]) => v?.slot && slots.includes(v.slot)).map(([n]) => n));
        const vms = Object.entries(t.vms ?? {}).filter(([n, v]) => v?.host === node.host && !inSlot.has(n)).map(([vm]) => vm);
        return [
          ...slots.map((slot) => ({ kind: 'slot' as const, uri: node.uri, host: node.host, slot })),
          ...vms.map((vm) => ({ kind: 'vm' as const, uri: node.uri, host: node.host, vm })),
          ...(live.undeclared.length ? [{ kind: 'undeclared' as const, uri: node.uri, host: node.host }] : []),
          { kind: 'services' as const, uri: node.uri, host: node.host },
          ...networksRows(entry.lab, node),
        ];
      }
      case 'undeclared':
        return undeclaredIndex(entry.lab!.host(node.host)).rows.map((u): VmNode => ({ kind: 'vm', uri: node.uri, host: node.host, vm: u.name, undeclared: true }));
      case 'services':
        return servicesChildren(node, entry.lab!.host(node.host));
      case 'networks':
      case 'network':
        return networksChildren(entry.lab!, node);
      case 'slot':
        return Object.entries(t.vms ?? {}).filter(([, v]) => v?.slot === node.slot && v.host === node.host)
          .map(([vm]) => ({ kind: 'vm' as const, uri: node.uri, host: node.host, vm }));
      default:
        return [];
    }
  }

  getTreeItem(node: LabNode): vscode.TreeItem {
    if (node.kind === 'message') return messageItem(node);
    const entry = this.labs.get(node.uri);
    const lab = entry?.lab;
    switch (node.kind) {
      case 'file': {
        const item = fileItem(node, entry);
        const drifting = this.drifts.get(node.uri.toString())?.size ?? 0;
        if (drifting) item.description = `${String(item.description ?? '')} · ${drifting} VM${drifting === 1 ? '' : 's'} differ from the file`;
        return item;
      }
      case 'host': {
        const count = Object.values(lab?.current.vms ?? {}).filter((v) => v?.host === node.host).length;
        return hostItem(node, lab?.current.hosts?.[node.host], lab?.host(node.host) ?? { connection: { kind: 'idle' }, vms: {}, undeclared: [] }, count);
      }
      case 'slot': {
        const vmName = Object.entries(lab?.current.vms ?? {}).find(([, v]) => v?.slot === node.slot)?.[0];
        return slotItem(node, lab?.current.slots?.[node.slot], vmName ? lab?.host(node.host).vms[vmName]?.facts : undefined);
      }
      case 'undeclared':
        return undeclaredGroupItem(node, lab?.host(node.host).undeclared.length ?? 0);
      case 'services':
        return servicesItem(node, lab?.host(node.host) ?? { connection: { kind: 'idle' }, vms: {}, undeclared: [] });
      case 'service':
        return serviceItem(node, serviceStatus(lab?.host(node.host), node.unit));
      case 'networks': return networksItem(lab, node);
      case 'network': return networkItem(lab, node);
      case 'vm': {
        const live = lab?.host(node.host);
        if (node.undeclared) {
          const u = live ? undeclaredIndex(live).byName.get(node.vm) : undefined;
          return vmItem(node, undefined, u?.status, lab?.queue.ops(node.vm) ?? [], undefined, undefined, u?.backend);
        }
        return this.withLiveTooltip(vmItem(node, lab?.current.vms?.[node.vm], live?.vms[node.vm], lab?.queue.ops(node.vm) ?? [], lab?.tc, this.drift(node.uri, node.vm)), node);
      }
    }
  }

  /** Static tooltips of VM rows whose live facts are read on hover (resolveTreeItem). */
  private readonly staticTips = new WeakMap<vscode.TreeItem, vscode.MarkdownString>();

  /** A running VM whose backend reports live facts: its tooltip is resolved on hover (VS Code resolves only undefined tooltips). */
  private withLiveTooltip(item: vscode.TreeItem, node: VmNode): vscode.TreeItem {
    const lab = this.labs.get(node.uri)?.lab;
    const state = lab?.status(node.vm)?.state;
    if (!lab?.backendOf(node.vm)?.liveFacts || (state !== 'running' && state !== 'paused') || !(item.tooltip instanceof vscode.MarkdownString)) return item;
    this.staticTips.set(item, item.tooltip);
    item.tooltip = undefined;
    return item;
  }

  async resolveTreeItem(item: vscode.TreeItem, node: LabNode): Promise<vscode.TreeItem> {
    const base = this.staticTips.get(item);
    if (node.kind !== 'vm' || !base || item.tooltip !== undefined) return item;
    const lab = this.labs.get(node.uri)?.lab;
    const md = new vscode.MarkdownString(base.value);
    try {
      const live = lab?.backendOf(node.vm)?.liveFacts;
      if (!lab || !live) return item;
      const facts = await live.read(await lab.context(node.host), node.vm);
      md.appendMarkdown(liveFactsMarkdown(facts, vmLiveIps(lab.current, node.vm, facts, lab.host(node.host).net, Date.now()), Date.now()));
    } catch (err) {
      md.appendText(`\n\nLive facts: could not read them (${(err as Error).message.split('\n')[0]})`);
    }
    item.tooltip = md;
    return item;
  }

  getParent(node: LabNode): LabNode | undefined {
    switch (node.kind) {
      case 'host': return { kind: 'file', uri: node.uri };
      case 'slot': return { kind: 'host', uri: node.uri, host: node.host };
      case 'undeclared': return { kind: 'host', uri: node.uri, host: node.host };
      case 'services': return { kind: 'host', uri: node.uri, host: node.host };
      case 'service': return { kind: 'services', uri: node.uri, host: node.host };
      case 'networks': return { kind: 'host', uri: node.uri, host: node.host };
      case 'network': return { kind: 'networks', uri: node.uri, host: node.host };
      case 'vm': {
        if (node.undeclared) return { kind: 'undeclared', uri: node.uri, host: node.host } satisfies UndeclaredGroupNode;
        const slot = this.labs.get(node.uri)?.lab?.current.vms?.[node.vm]?.slot;
        return slot ? { kind: 'slot', uri: node.uri, host: node.host, slot } : { kind: 'host', uri: node.uri, host: node.host };
      }
      default: return undefined;
    }
  }
}

function errorRows(uri: vscode.Uri, errors: readonly { line: number; message: string }[]): MessageNode[] {
  const rows: MessageNode[] = errors.slice(0, ERROR_ROWS).map((e, i) => ({
    kind: 'message', id: `err:${uri.toString()}:${i}`, icon: 'error', text: `line ${e.line}: ${e.message}`, tooltip: e.message, open: { uri, line: e.line },
  }));
  if (errors.length > ERROR_ROWS) rows.push({ kind: 'message', id: `err:${uri.toString()}:more`, icon: 'error', text: `… ${errors.length - ERROR_ROWS} more errors (see Problems)` });
  return rows;
}
