// The topology as a graph for the editor: nodes (hosts, networks, VMs, slots) and edges (NIC → network,
// VM ↔ VM links with their tc profiles, host → network, VM → slot). Pure and browser-safe: the
// extension builds it, the webview bundle imports the types and the layout helpers.
import { networkHosts, tunnelId } from '../fabric';
import type { Topology } from '../types';
import type { PlacedSection } from './intentTypes';

export type NodeKind = 'host' | 'network' | 'vm' | 'slot';
export type EdgeKind = 'nic' | 'link' | 'host' | 'slot';

export interface GraphNode {
  /** `<kind>:<name>`, stable across edits. */
  id: string;
  kind: NodeKind;
  name: string;
  /** The host the node belongs to (hosts: themselves; a spanning network: its first host). */
  host: string;
  /** A network on several hosts: all of them, in the file's order. */
  spans?: string[];
  /** Multi-line label: name, then IPs (VMs), subnet (networks). */
  label: string;
  /** Tooltip text. */
  detail: string;
  backend?: string;
  arch?: string;
  ips?: string[];
  /** First network of a VM (for "layout by network"). */
  network?: string;
  /** Scalar fields of the entry (for the side form), e.g. `memory`, `console.kind`. */
  props: Record<string, string | number | boolean>;
  /** NICs of a VM, in order. */
  nics?: { network: string; ip?: string; tap?: string; mac?: string }[];
  /** Position from the file's layout section. */
  x?: number;
  y?: number;
}

export interface GraphEdge {
  /** `nic:<vm>:<index>`, `link:<name>`, `host:<network>`, `slot:<vm>`, `slotnet:<slot>`. */
  id: string;
  kind: EdgeKind;
  from: string;
  to: string;
  label?: string;
  /** Link name, for link edges. */
  link?: string;
  /** tc profiles that apply to this edge. */
  profiles?: string[];
  /** Scalar fields of a link (for the side form). */
  props?: Record<string, string | number | boolean>;
}

export interface GraphModel {
  name: string;
  nodes: GraphNode[];
  edges: GraphEdge[];
  /** Names per section, for the side form's pickers. */
  hosts: string[];
  networks: string[];
  vms: string[];
  profiles: string[];
  counts: { hosts: number; networks: number; vms: number; slots: number; links: number };
}

export const nodeId = (kind: NodeKind, name: string): string => `${kind}:${name}`;

export function parseNodeId(id: string): { kind: NodeKind; name: string } | undefined {
  const i = id.indexOf(':');
  const kind = id.slice(0, i);
  if (i < 0 || !['host', 'network', 'vm', 'slot'].includes(kind)) return undefined;
  return { kind: kind as NodeKind, name: id.slice(i + 1) };
}

const obj = <T>(m: Record<string, T> | undefined): [string, T][] =>
  m && typeof m === 'object' && !Array.isArray(m) ? Object.entries(m).filter(([, v]) => !!v && typeof v === 'object') : [];

/** Scalar fields of an entry, one level of nesting flattened with dots (`console.kind`). */
export function scalarProps(v: unknown): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  if (!v || typeof v !== 'object') return out;
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean') out[k] = x;
    else if (x && typeof x === 'object' && !Array.isArray(x)) {
      for (const [k2, y] of Object.entries(x as Record<string, unknown>)) if (typeof y === 'string' || typeof y === 'number' || typeof y === 'boolean') out[`${k}.${k2}`] = y;
    }
  }
  return out;
}

function pos(p: unknown): { x?: number; y?: number } {
  if (!p || typeof p !== 'object') return {};
  const { x, y } = p as { x?: unknown; y?: unknown };
  return typeof x === 'number' && typeof y === 'number' && Number.isFinite(x) && Number.isFinite(y) ? { x, y } : {};
}

export function buildGraph(t: Topology): GraphModel {
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const layout = t.layout && typeof t.layout === 'object' ? t.layout : {};
  // Profiles explicitly targeting a VM or link (a profile without targets applies everywhere: not drawn).
  const targeted = new Map<string, string[]>();
  for (const [p, prof] of obj(t.profiles)) {
    for (const target of Array.isArray(prof.targets) ? prof.targets : []) {
      if (typeof target === 'string') targeted.set(target, [...(targeted.get(target) ?? []), p]);
    }
  }
  for (const [name, h] of obj(t.hosts)) {
    const bits = [h.address ?? h.sshConfigHost, h.arch, h.kvm === false ? 'no kvm' : undefined].filter(Boolean);
    nodes.push({ id: nodeId('host', name), kind: 'host', name, host: name, label: name, props: scalarProps(h), detail: `host ${name}${bits.length ? `\n${bits.join(' · ')}` : ''}${h.description ? `\n${h.description}` : ''}`, ...pos(layout.hosts?.[name]) });
  }
  const hostKnown = (h: unknown) => typeof h === 'string' && !!t.hosts?.[h];
  for (const [name, n] of obj(t.networks)) {
    const on = networkHosts(n);
    const tunnel = on.length > 1 && n.tunnel ? `${n.tunnel.kind} ${tunnelId(n.tunnel) ?? '?'}` : undefined;
    const sub = [n.subnet, n.kind === 'ovs' ? 'ovs' : undefined, tunnel].filter(Boolean).join(' · ');
    nodes.push({ id: nodeId('network', name), kind: 'network', name, host: String(on[0]), props: scalarProps(n), label: sub ? `${name}\n${sub}` : name,
      ...(on.length > 1 ? { spans: on } : {}),
      detail: `network ${name} on ${on.join(', ')}${tunnel ? ` (${tunnel} tunnel)` : ''}${n.subnet ? `\nsubnet ${n.subnet}` : ''}${n.gateway ? `, gateway ${n.gateway}` : ''}${n.description ? `\n${n.description}` : ''}`, ...pos(layout.networks?.[name]) });
    // The first host's edge keeps the id `host:NAME`; each further host of a spanning network is a tunnel edge.
    on.forEach((h, i) => {
      if (!hostKnown(h)) return;
      edges.push({ id: i === 0 ? `host:${name}` : `host:${name}:${h}`, kind: 'host', from: nodeId('host', h), to: nodeId('network', name), ...(i > 0 && tunnel ? { label: tunnel } : {}) });
    });
  }
  for (const [name, s] of obj(t.slots)) {
    nodes.push({ id: nodeId('slot', name), kind: 'slot', name, host: String(s.host), props: scalarProps(s), label: s.ip ? `${name}\n${s.ip}` : name,
      detail: `slot ${name} on ${s.host}, network ${s.network}${s.state ? `, state ${s.state}` : ''}`, ...pos(layout.slots?.[name]) });
    if (t.networks?.[s.network]) edges.push({ id: `slotnet:${name}`, kind: 'slot', from: nodeId('slot', name), to: nodeId('network', s.network) });
  }
  for (const [name, vm] of obj(t.vms)) {
    const nics = Array.isArray(vm.nics) ? vm.nics : [];
    const ips = nics.map((n) => n?.ip).filter((ip): ip is string => typeof ip === 'string');
    const arch = vm.arch ?? t.hosts?.[vm.host]?.arch ?? 'x86_64';
    nodes.push({
      id: nodeId('vm', name), kind: 'vm', name, host: String(vm.host), backend: String(vm.backend), arch, ips,
      network: nics.find((n) => typeof n?.network === 'string')?.network,
      props: scalarProps(vm),
      nics: nics.filter((n) => n && typeof n.network === 'string').map((n) => ({ network: n.network, ...(n.ip ? { ip: n.ip } : {}), ...(n.tap ? { tap: n.tap } : {}), ...(n.mac ? { mac: n.mac } : {}) })),
      label: ips.length ? `${name}\n${ips.join(', ')}` : name,
      detail: [`VM ${name} on ${vm.host}`, `${vm.backend} · ${arch}${vm.accel ? ` · ${vm.accel}` : ''}${vm.vcpus ? ` · ${vm.vcpus} vCPU` : ''}${vm.memory ? ` · ${vm.memory}${typeof vm.memory === 'number' ? ' MiB' : ''}` : ''}`,
        vm.role, vm.description].filter(Boolean).join('\n'),
      ...pos(layout.vms?.[name]),
    });
    nics.forEach((nic, i) => {
      if (!nic || typeof nic.network !== 'string' || !t.networks?.[nic.network]) return;
      const profiles = nic.tap ? targeted.get(name) : undefined;
      edges.push({ id: `nic:${name}:${i}`, kind: 'nic', from: nodeId('vm', name), to: nodeId('network', nic.network),
        ...(nic.tap || profiles ? { label: [nic.tap, ...(profiles ?? []).map((p) => `⏱ ${p}`)].filter(Boolean).join('\n') } : {}),
        ...(profiles ? { profiles } : {}) });
    });
    if (typeof vm.slot === 'string' && t.slots?.[vm.slot]) edges.push({ id: `slot:${name}`, kind: 'slot', from: nodeId('vm', name), to: nodeId('slot', vm.slot) });
  }
  for (const [name, l] of obj(t.links)) {
    const [a, b] = Array.isArray(l.endpoints) ? l.endpoints : [];
    if (typeof a !== 'string' || typeof b !== 'string' || !t.vms?.[a] || !t.vms?.[b]) continue;
    const profiles = [...(typeof l.profile === 'string' ? [l.profile] : []), ...(targeted.get(name) ?? [])];
    edges.push({ id: `link:${name}`, kind: 'link', from: nodeId('vm', a), to: nodeId('vm', b), link: name,
      props: scalarProps({ profile: l.profile, description: l.description }),
      label: profiles.length ? `${name}\n⏱ ${[...new Set(profiles)].join(', ')}` : name, ...(profiles.length ? { profiles: [...new Set(profiles)] } : {}) });
  }
  const keys = (m: unknown) => (m && typeof m === 'object' && !Array.isArray(m) ? Object.keys(m) : []);
  return {
    name: typeof t.name === 'string' ? t.name : '',
    nodes,
    edges,
    hosts: keys(t.hosts),
    networks: keys(t.networks),
    vms: keys(t.vms),
    profiles: keys(t.profiles),
    counts: { hosts: keys(t.hosts).length, networks: keys(t.networks).length, vms: keys(t.vms).length, slots: keys(t.slots).length, links: keys(t.links).length },
  };
}

/**
 * What changed between two graphs, for sending a new graph as a small message: nodes and edges added
 * or changed (whole), ids removed, and the other fields. Orders are sent only when they are not the old
 * order without the removed ids followed by the added ones (an edit in the middle of the text).
 */
export interface GraphPatch {
  nodes: GraphNode[];
  removedNodes: string[];
  edges: GraphEdge[];
  removedEdges: string[];
  nodeOrder?: string[];
  edgeOrder?: string[];
  /** The other fields that changed (name lists, counts). */
  meta: Partial<Omit<GraphModel, 'nodes' | 'edges'>>;
}

/** Deep equality of JSON-like values (what the webview would get of each). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i])) return false;
    return true;
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const ka = Object.keys(ra).filter((k) => ra[k] !== undefined);
  const kb = Object.keys(rb).filter((k) => rb[k] !== undefined);
  if (ka.length !== kb.length) return false;
  for (const k of ka) if (!same(ra[k], rb[k])) return false;
  return true;
}

/** The patch from `prev` to `next`. */
export function diffGraph(prev: GraphModel, next: GraphModel): GraphPatch {
  if (prev === next) return { nodes: [], removedNodes: [], edges: [], removedEdges: [], meta: {} };
  const part = <T extends { id: string }>(before: T[], after: T[]) => {
    const old = new Map(before.map((x) => [x.id, x]));
    const ids = new Set(after.map((x) => x.id));
    const changed = after.filter((x) => !same(old.get(x.id), x));
    const removed = before.filter((x) => !ids.has(x.id)).map((x) => x.id);
    const expected = [...before.filter((x) => ids.has(x.id)).map((x) => x.id), ...after.filter((x) => !old.has(x.id)).map((x) => x.id)];
    const inOrder = expected.length === after.length && expected.every((id, i) => after[i]!.id === id);
    return { changed, removed, order: inOrder ? undefined : after.map((x) => x.id) };
  };
  const n = part(prev.nodes, next.nodes);
  const e = part(prev.edges, next.edges);
  const { nodes: _n, edges: _e, ...all } = next;
  const meta: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(all)) if (!same(v, (prev as unknown as Record<string, unknown>)[k])) meta[k] = v;
  const patch: GraphPatch = { nodes: n.changed, removedNodes: n.removed, edges: e.changed, removedEdges: e.removed, meta: meta as GraphPatch['meta'] };
  if (n.order) patch.nodeOrder = n.order;
  if (e.order) patch.edgeOrder = e.order;
  return patch;
}

/** `prev` with `patch` applied (a new model; `prev` is not changed). */
export function applyGraphPatch(prev: GraphModel, patch: GraphPatch): GraphModel {
  const apply = <T extends { id: string }>(before: T[], changed: T[], removed: string[], order: string[] | undefined): T[] => {
    const gone = new Set(removed);
    const byId = new Map(changed.map((x) => [x.id, x]));
    const out: T[] = [];
    for (const x of before) {
      if (gone.has(x.id)) continue;
      out.push(byId.get(x.id) ?? x);
      byId.delete(x.id);
    }
    out.push(...byId.values()); // added, in the new order
    if (!order) return out;
    const all = new Map(out.map((x) => [x.id, x]));
    return order.map((id) => all.get(id)).filter((x): x is T => x !== undefined);
  };
  const { nodes: _n, edges: _e, ...meta } = prev;
  return {
    ...meta,
    ...patch.meta,
    nodes: apply(prev.nodes, patch.nodes, patch.removedNodes, patch.nodeOrder),
    edges: apply(prev.edges, patch.edges, patch.removedEdges, patch.edgeOrder),
  };
}

const PLACED_KIND: Record<PlacedSection, NodeKind> = { hosts: 'host', networks: 'network', vms: 'vm', slots: 'slot' };

/**
 * The patch that a move of placed entries makes to `g`: what building the graph from the moved text
 * gives (the positions rounded, as the layout section stores them), without parsing the text again.
 * Entries not in the graph are skipped, as the move skips them; undefined when nothing moves.
 */
export function movePatch(g: GraphModel, positions: readonly { section: PlacedSection; name: string; x: number; y: number }[]): GraphPatch | undefined {
  const at = new Map(positions.map((p) => [nodeId(PLACED_KIND[p.section], p.name), { x: Math.round(p.x), y: Math.round(p.y) }]));
  const nodes = g.nodes.filter((n) => at.has(n.id)).map((n) => ({ ...n, ...at.get(n.id)! }));
  return nodes.length ? { nodes, removedNodes: [], edges: [], removedEdges: [], meta: {} } : undefined;
}

/** Above this many nodes the graph's first view shows every host collapsed (its summary node). */
export const COLLAPSE_ABOVE = 60;

/**
 * What the first view of a big graph draws, for the page's embedded data: the hosts whole, every
 * other node as a stub (kind, name, host; what a collapsed host's summary and the search read) and
 * the links (what the lines between collapsed hosts stand for). The whole graph follows the first
 * draw as a message. A graph the first view draws whole is returned as it is.
 */
export function overviewGraph(g: GraphModel): GraphModel {
  if (g.nodes.length <= COLLAPSE_ABOVE) return g;
  const nodes = g.nodes.map((n): GraphNode => (n.kind === 'host' ? n
    : { id: n.id, kind: n.kind, name: n.name, host: n.host, label: n.name, detail: '', props: {},
      ...(n.spans ? { spans: n.spans } : {}), ...(n.x !== undefined && n.y !== undefined ? { x: n.x, y: n.y } : {}) }));
  return { ...g, nodes, edges: g.edges.filter((e) => e.kind === 'link').map(({ id, kind, from, to, link }) => ({ id, kind, from, to, ...(link ? { link } : {}) })) };
}
