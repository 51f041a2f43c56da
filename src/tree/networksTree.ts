// The host's Networks node in the Labs tree: each declared network as the last refresh probed it
// (src/hostnet), its ports with the VM each belongs to and their counters, its DHCP leases, and
// notes (dnsmasq absent or not running, a lease file that cannot be read, a failed probe). Labels,
// descriptions and tooltips are plain text: host strings are never read as Markdown.
import * as vscode from 'vscode';
import type { Lab } from '../lab/lab';
import { formatBytes, hostNetView, type HostNetView, type LeaseRow, type NetworkRow, type PortRow } from '../hostnet/view';
import { nodeId, type HostNode, type LabNode, type MessageNode, type NetworkNode, type NetworksNode } from './nodes';

/** The Networks row under a host, when the file declares networks there and the host was reached (offline, untrusted or disconnected hosts have none). */
export function networksRows(lab: Lab | undefined, host: HostNode): NetworksNode[] {
  if (!lab?.hasNetworks(host.host)) return [];
  const live = lab.host(host.host);
  return live.connection.kind === 'connected' ? [{ kind: 'networks', uri: host.uri, host: host.host }] : [];
}

function view(lab: Lab, host: string): HostNetView | { error: string } | undefined {
  const net = lab.host(host).net;
  if (!net) return undefined;
  return 'error' in net ? { error: net.error } : hostNetView(lab.current, host, net.facts, Date.now());
}

const counters = (r: { rx?: { bytes: number; dropped: number }; tx?: { bytes: number; dropped: number } }): string =>
  r.rx && r.tx ? `RX ${formatBytes(r.rx.bytes)} · TX ${formatBytes(r.tx.bytes)} · drops ${r.rx.dropped}/${r.tx.dropped}` : '';

export function networksChildren(lab: Lab, node: NetworksNode | NetworkNode): LabNode[] {
  // An open Networks node makes its counters live: polled while the view is visible.
  if (node.kind === 'networks') lab.setNetworksShown(node.host, true);
  const v = view(lab, node.host);
  const msg = (id: string, text: string, icon: string, tooltip?: string): MessageNode => ({ kind: 'message', id: `${nodeId(node)}/${id}`, text, icon, ...(tooltip ? { tooltip } : {}) });
  if (node.kind === 'networks') {
    if (!v) return [msg('wait', 'not probed yet (shown once the host is reached)', 'loading~spin')];
    if ('error' in v) return [msg('error', v.error, 'warning')];
    return [
      ...v.networks.map((n): NetworkNode => ({ kind: 'network', uri: node.uri, host: node.host, network: n.name })),
      ...v.dhcp.map((d, i) => msg(`dhcp${i}`, `${d.text}: ${d.detail}`, d.level === 'warning' ? 'warning' : 'info', `${d.text}\n${d.detail}`)),
    ];
  }
  if (!v || 'error' in v) return [];
  const n = v.networks.find((x) => x.name === node.network);
  if (!n) return [];
  if (!n.present) return [msg('missing', n.problem ?? 'not on this host', 'warning')];
  return [
    ...n.ports.map((p) => msg(`port/${p.name}`, portText(p), p.noCarrier ? 'debug-disconnect' : 'plug', portTooltip(p))),
    ...n.leases.map((l) => msg(`lease/${l.mac}/${l.ip}`, leaseText(l), 'tag', `${l.ip} leased to ${l.mac}${l.name ? ` (${l.name})` : ''}\n${expiry(l)}\nfrom ${l.file}`)),
  ];
}

function portText(p: PortRow): string {
  const state = p.noCarrier ? 'no carrier' : p.stp ?? (p.up ? 'up' : 'down');
  return [`${p.name} → ${p.vm ?? '?'}`, state, counters(p)].filter(Boolean).join(' · ');
}

function portTooltip(p: PortRow): string {
  const lines = [`Port ${p.name}${p.vm ? ` of VM ${p.vm}` : ' (no VM of the file uses this tap or MAC)'}`, `MAC ${p.mac ?? '?'}`, `state ${p.noCarrier ? 'no carrier' : p.stp ?? (p.up ? 'up' : 'down')}`];
  if (p.rx && p.tx) {
    lines.push(`RX ${p.rx.bytes} bytes, ${p.rx.packets} packets, ${p.rx.dropped} dropped, ${p.rx.errors} errors`);
    lines.push(`TX ${p.tx.bytes} bytes, ${p.tx.packets} packets, ${p.tx.dropped} dropped, ${p.tx.errors} errors`);
  }
  return lines.join('\n');
}

const expiry = (l: LeaseRow): string => (l.expires === 0 ? 'never expires' : `${l.expired ? 'expired' : 'expires'} ${new Date(l.expires * 1000).toLocaleString()}`);

function leaseText(l: LeaseRow): string {
  return `lease ${l.ip} ← ${l.mac} · ${l.vm ?? l.name ?? 'unknown client'} · ${expiry(l)}`;
}

export function networksItem(lab: Lab | undefined, node: NetworksNode): vscode.TreeItem {
  const item = new vscode.TreeItem('Networks', vscode.TreeItemCollapsibleState.Collapsed);
  item.id = nodeId(node);
  item.iconPath = new vscode.ThemeIcon('type-hierarchy');
  item.contextValue = 'networks';
  const v = lab ? view(lab, node.host) : undefined;
  if (!v) item.description = 'not probed yet';
  else if ('error' in v) {
    item.description = 'probe failed';
    item.tooltip = v.error;
  } else {
    const missing = v.networks.filter((n) => !n.present).length;
    const leases = v.networks.reduce((k, n) => k + n.leases.length, 0);
    item.description = [`${v.networks.length} network${v.networks.length === 1 ? '' : 's'}`, missing ? `${missing} not on this host` : '', `${leases} lease${leases === 1 ? '' : 's'}`].filter(Boolean).join(' · ');
    item.tooltip = `Networks of ${node.host} as the host has them (ip, bridge, dnsmasq leases); updated ${new Date(lab!.host(node.host).net!.at).toLocaleTimeString()}. Counters are polled while this node is open and the view visible.`;
  }
  return item;
}

export function networkItem(lab: Lab | undefined, node: NetworkNode): vscode.TreeItem {
  const v = lab ? view(lab, node.host) : undefined;
  const n: NetworkRow | undefined = v && !('error' in v) ? v.networks.find((x) => x.name === node.network) : undefined;
  const item = new vscode.TreeItem(node.network, n && n.present && (n.ports.length || n.leases.length) ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
  item.id = nodeId(node);
  if (!n) {
    item.iconPath = new vscode.ThemeIcon('type-hierarchy-sub');
    item.contextValue = 'network';
    return item;
  }
  const kind = n.kind === 'ovs' ? 'OVS bridge' : 'bridge';
  if (!n.present) {
    item.iconPath = new vscode.ThemeIcon('warning', new vscode.ThemeColor('editorWarning.foreground'));
    item.description = `${kind} ${n.bridge} · not on this host`;
    item.tooltip = `${n.problem ?? 'not on this host'}. Plan and Apply create it.`;
    item.contextValue = 'network.missing';
    return item;
  }
  item.iconPath = new vscode.ThemeIcon('type-hierarchy-sub', n.up ? new vscode.ThemeColor('testing.iconPassed') : undefined);
  item.description = [`${kind} ${n.bridge}`, n.up ? 'up' : 'down', ...n.addrs, `${n.ports.length} port${n.ports.length === 1 ? '' : 's'}`, `${n.leases.length} lease${n.leases.length === 1 ? '' : 's'}`, n.problem ?? ''].filter(Boolean).join(' · ');
  item.tooltip = [`${kind} ${n.bridge} (${n.operstate ?? '?'})`, n.addrs.length ? `addresses ${n.addrs.join(', ')}` : 'no address', counters(n), n.problem ?? ''].filter(Boolean).join('\n');
  item.contextValue = 'network.present';
  return item;
}
