// The host's "Services" node in the Labs tree and its rows: each watched systemd unit with its
// state and since when, the defaults the host does not have, and (microvm hosts) the ZFS pools.
// A host where systemd or zpool is not there shows that as information, never as an error.
import * as vscode from 'vscode';
import type { HostLive } from '../lab/hostState';
import { stateText, statusLine, type ServiceStatus } from '../health/hostHealth';
import { nodeId, type LabNode, type MessageNode, type ServiceNode, type ServicesNode } from './nodes';

const short = (unit: string): string => unit.replace(/\.service$/, '');

function msg(n: ServicesNode, id: string, text: string, icon: string, tooltip?: string): MessageNode {
  return { kind: 'message', id: `services:${n.uri.toString()}#${n.host}:${id}`, text, icon, ...(tooltip ? { tooltip } : {}) };
}

/** The rows under a host's Services node. */
export function servicesChildren(n: ServicesNode, live: HostLive): LabNode[] {
  const h = live.health;
  if (!h) {
    return [live.connection.kind === 'connected' || live.connection.kind === 'connecting'
      ? msg(n, 'wait', 'not read yet', 'loading~spin')
      : msg(n, 'none', `not known: ${n.host} is not connected`, 'debug-disconnect')];
  }
  const rows: LabNode[] = [];
  const s = h.services;
  if (s.kind === 'absent') rows.push(msg(n, 'absent', `not on this host: ${s.reason}`, 'circle-slash', s.reason));
  else if (s.kind === 'error') rows.push(msg(n, 'error', `could not read the services: ${s.message}`, 'warning', s.message));
  else {
    for (const u of s.units) rows.push({ kind: 'service', uri: n.uri, host: n.host, unit: u.unit } satisfies ServiceNode);
    if (s.notInstalled.length) rows.push(msg(n, 'absent-defaults', `not on this host: ${s.notInstalled.join(', ')}`, 'circle-slash',
      `Units vsim watches on every host that ${n.host} does not have (systemd does not know them).`));
  }
  const z = h.zfs;
  if (z?.kind === 'absent') rows.push(msg(n, 'zfs', `ZFS: not on this host (${z.reason})`, 'circle-slash', z.reason));
  else if (z?.kind === 'error') rows.push(msg(n, 'zfs', `ZFS: ${z.message}`, 'warning', z.message));
  else if (z) rows.push(msg(n, 'zfs', `ZFS: ${z.healthy ? 'all pools are healthy' : z.text.split('\n')[0] ?? ''}`, z.healthy ? 'database' : 'warning', z.text));
  return rows;
}

/** The unit of a Service row, from the host's last probe. */
export function serviceStatus(live: HostLive | undefined, unit: string): ServiceStatus | undefined {
  const s = live?.health?.services;
  return s?.kind === 'ok' ? s.units.find((u) => u.unit === unit) : undefined;
}

export function servicesItem(n: ServicesNode, live: HostLive): vscode.TreeItem {
  const s = live.health?.services;
  const failed = s?.kind === 'ok' ? s.units.filter((u) => u.active === 'failed' || u.load === 'not-found').length : 0;
  const item = new vscode.TreeItem('Services', failed ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  item.id = nodeId(n);
  item.iconPath = new vscode.ThemeIcon('pulse', failed ? new vscode.ThemeColor('errorForeground') : undefined);
  if (s?.kind === 'ok') {
    const count = (f: (u: ServiceStatus) => boolean): number => s.units.filter(f).length;
    const active = count((u) => u.active === 'active');
    const bad = count((u) => u.active === 'failed');
    const missing = count((u) => u.load === 'not-found');
    item.description = [`${active} active`, bad ? `${bad} failed` : '', missing ? `${missing} not found` : ''].filter(Boolean).join(' · ');
  } else if (s?.kind === 'absent') item.description = 'not on this host';
  else if (s?.kind === 'error') item.description = 'could not read';
  item.tooltip = `systemd units on ${n.host} that the lab depends on, read with one systemctl show per refresh${live.health ? ` (last at ${new Date(live.health.at).toLocaleTimeString()})` : ''}.`;
  item.contextValue = `services.${s?.kind ?? 'none'}`;
  return item;
}

const ICON: Record<string, [string, string | undefined]> = {
  active: ['pass-filled', 'testing.iconPassed'],
  reloading: ['loading~spin', undefined],
  activating: ['loading~spin', undefined],
  deactivating: ['loading~spin', undefined],
  failed: ['error', 'errorForeground'],
  inactive: ['circle-large-outline', undefined],
};

const ORIGIN: Record<ServiceStatus['origin'], string> = {
  default: 'watched on every host',
  microvm: 'the unit of a microvm VM of the file',
  topology: "named in the host's `services:`",
};

/** "since 00:49:38" today, else "since 2026-12-06 23:10". */
function sinceText(ms: number, now = Date.now()): string {
  const d = new Date(ms);
  const today = new Date(now).toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : `${d.toISOString().slice(0, 10)} ${d.toTimeString().slice(0, 5)}`;
}

export function serviceItem(n: ServiceNode, s: ServiceStatus | undefined): vscode.TreeItem {
  const item = new vscode.TreeItem(short(n.unit), vscode.TreeItemCollapsibleState.None);
  item.id = nodeId(n);
  if (!s) {
    item.iconPath = new vscode.ThemeIcon('question');
    item.description = 'not known';
    item.contextValue = 'service.unknown';
    return item;
  }
  if (s.load === 'not-found') {
    item.iconPath = new vscode.ThemeIcon('question', new vscode.ThemeColor('editorWarning.foreground'));
    item.description = `no such unit on ${n.host}`;
    item.tooltip = `${n.unit} does not exist on ${n.host}: systemd does not know it (LoadState=not-found). Check the name in the file's services: list, or install what provides it.`;
    item.contextValue = 'service.not-found';
    return item;
  }
  const [icon, color] = ICON[s.active] ?? ['circle-large-outline', undefined];
  item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
  item.description = `${stateText(s)}${s.since ? ` · since ${sinceText(s.since)}` : ''}${s.load !== 'loaded' ? ` · ${s.load}` : ''}`;
  const md = new vscode.MarkdownString();
  md.appendText(statusLine(n.host, s));
  md.appendText(`\n\n${ORIGIN[s.origin]}${s.id !== n.unit ? ` · systemd calls it ${s.id}` : ''}`);
  item.tooltip = md;
  item.contextValue = `service.${s.active}`;
  return item;
}
