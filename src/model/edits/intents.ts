// What the graph editor can ask for, as plain data, and how each request changes the topology text.
// Pure (no vscode): the webview sends these, the extension applies the resulting edits.
import { isMap, isScalar, isSeq, type Node, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { formatCidr, formatIp, inCidr, overlaps, parseCidr, parseIp, nextFreeIp } from '../ipv4';
import { isValidName, isValidVmName, NAME_RULE, VM_NAME_RULE } from '../names';
import { referenceSites, singular } from '../references';
import { SECTIONS, type Backend, type Path, type Section, type Topology } from '../types';
import { TO_JS_OPTIONS } from '../yamlSyntax';
import type { TextEdit } from './textDiff';
import { editYaml, type EditOptions, ensureChildMap, ensureTopMap, IntentError, mapAt, pairOf, parseForEdit, removePair, seqAt, setScalar, type YDoc } from './yamlEdit';

export { IntentError } from './yamlEdit';

export { PLACED_SECTIONS, type Intent, type IntentKind, type PlacedSection, type Scalarish, type XY } from './intentTypes';
import type { Intent, PlacedSection, Scalarish, XY } from './intentTypes';
import { homeHost, hostList, onHost } from '../fabric';

export interface IntentResult {
  edits: TextEdit[];
  /** The text after the edits. */
  text: string;
  /** Entity created by the intent (for selecting it in the graph). */
  created?: { section: Section; name: string };
  /** Offsets in the OLD text of whole entries removed (deleted entities with their comments). */
  removed: [number, number][];
  fallback: boolean;
  /** Whether only the touched entries were printed (see EditOptions.partial). */
  partial: boolean;
}

/** Applies one intent to a topology text. Throws IntentError with a readable reason when it cannot. */
export function applyIntent(text: string, intent: Intent, base: EditOptions & { topology?: Topology } = {}): IntentResult {
  const t = base.topology && base.doc ? base.topology : topologyOf(text);
  let created: IntentResult['created'];
  const removed: [number, number][] = [];
  const r = editYaml(text, (doc) => {
    // editYaml may run this twice (fast path, then full path): start from scratch each time.
    created = undefined;
    removed.length = 0;
    switch (intent.kind) {
      case 'addVm': created = { section: 'vms', name: addVm(doc, t, intent) }; break;
      case 'addNetwork': created = { section: 'networks', name: addNetwork(doc, t, intent) }; break;
      case 'connectNic': connectNic(doc, t, intent.vm, intent.network); break;
      case 'disconnectNic': removed.push(...disconnectNic(doc, t, text, intent.vm, intent.index)); break;
      case 'addLink': created = { section: 'links', name: addLink(doc, t, intent) }; break;
      case 'rename': rename(doc, t, intent.section, intent.from, intent.to); break;
      case 'delete': removed.push(...deleteEntity(doc, t, text, intent.section, intent.name)); break;
      case 'setLinkProfile': setLinkProfile(doc, t, intent.link, intent.profile); break;
      case 'setProperty': setProperty(doc, t, intent.path, intent.value); break;
      case 'movePositions': movePositions(doc, t, intent.positions); break;
      default: {
        const unknown: never = intent; // every kind of the union is handled above
        throw new IntentError(`Unknown intent ${(unknown as { kind: string }).kind}.`);
      }
    }
  }, base);
  return { ...r, created, removed };
}

function topologyOf(text: string): Topology {
  const doc = parseForEdit(text);
  const v = doc.toJS(TO_JS_OPTIONS) as Topology;
  if (!v || typeof v !== 'object' || !v.hosts || typeof v.hosts !== 'object') throw new IntentError('The file has no `hosts:` map yet; add one in the text first.');
  return v;
}

const names = (t: Topology, s: Section): string[] => Object.keys((t[s] as Record<string, unknown> | undefined) ?? {});
const has = (t: Topology, s: Section, n: string): boolean => Object.prototype.hasOwnProperty.call(t[s] ?? {}, n);

function need(t: Topology, s: Section, n: string): void {
  if (!has(t, s, n)) throw new IntentError(`No ${singular(s)} named \`${n}\`.`);
}

function checkNewName(t: Topology, s: Section, name: string): void {
  if (s === 'vms' ? !isValidVmName(name) : !isValidName(name)) throw new IntentError(`\`${name}\` is not a valid name: ${s === 'vms' ? VM_NAME_RULE : NAME_RULE}.`);
  if (has(t, s, name)) throw new IntentError(`A ${singular(s)} named \`${name}\` already exists.`);
  // VM and link names share profile targets.
  if (s === 'vms' && has(t, 'links', name)) throw new IntentError(`\`${name}\` is already a link name; VM and link names must differ.`);
  if (s === 'links' && has(t, 'vms', name)) throw new IntentError(`\`${name}\` is already a VM name; VM and link names must differ.`);
}

function freshName(t: Topology, s: Section, prefix: string): string {
  const taken = new Set([...names(t, s), ...(s === 'vms' || s === 'links' ? names(t, s === 'vms' ? 'links' : 'vms') : [])]);
  for (let i = names(t, s).length + 1; ; i++) if (!taken.has(`${prefix}${i}`)) return `${prefix}${i}`;
}

function firstHost(t: Topology, host: string | undefined): string {
  if (host !== undefined) {
    need(t, 'hosts', host);
    return host;
  }
  const h = names(t, 'hosts')[0];
  if (!h) throw new IntentError('Add a host under `hosts:` first.');
  return h;
}

function setPosition(doc: YDoc, section: PlacedSection, name: string, p: XY): void {
  const layout = ensureTopMap(doc, 'layout');
  const m = ensureChildMap(doc, layout, section);
  const x = Math.round(p.x);
  const y = Math.round(p.y);
  const entry = pairOf(m, name);
  if (entry && isMap(entry.value)) {
    setScalar(doc, entry.value as YAMLMap<Scalar, Node>, 'x', x);
    setScalar(doc, entry.value as YAMLMap<Scalar, Node>, 'y', y);
    return;
  }
  const node = doc.createNode({ x, y }) as YAMLMap;
  node.flow = true;
  if (entry) entry.value = node;
  else m.items.push(doc.createPair(name, node) as (typeof m.items)[number]);
}

/** Every address used on a network (gateway, NICs, slots). */
function usedIps(t: Topology, network: string): Set<number> {
  const used = new Set<number>();
  const add = (ip?: string) => {
    const n = ip ? parseIp(ip) : undefined;
    if (n !== undefined) used.add(n);
  };
  add(t.networks?.[network]?.gateway);
  for (const vm of Object.values(t.vms ?? {})) for (const nic of Array.isArray(vm?.nics) ? vm.nics : []) if (nic?.network === network) add(nic.ip);
  for (const s of Object.values(t.slots ?? {})) if (s?.network === network) add(s.ip);
  const dhcp = t.networks?.[network]?.dhcp;
  const s = dhcp?.start ? parseIp(dhcp.start) : undefined;
  const e = dhcp?.end ? parseIp(dhcp.end) : undefined;
  if (s !== undefined && e !== undefined) for (let i = s; i <= e && i - s < 65536; i++) used.add(i);
  return used;
}

function freeIp(t: Topology, network: string): string | undefined {
  const subnet = t.networks?.[network]?.subnet;
  const c = subnet ? parseCidr(subnet) : undefined;
  if (!c) return undefined;
  const n = nextFreeIp(c, usedIps(t, network));
  return n === undefined ? undefined : formatIp(n);
}

function nicFor(t: Topology, network: string): Record<string, string> {
  const ip = freeIp(t, network);
  return ip ? { network, ip } : { network };
}

function addVm(doc: YDoc, t: Topology, i: Extract<Intent, { kind: 'addVm' }>): string {
  const name = i.name ?? freshName(t, 'vms', 'vm-');
  checkNewName(t, 'vms', name);
  const host = firstHost(t, i.network !== undefined && i.host === undefined ? homeHost(t.networks?.[i.network]) : i.host);
  const h = t.hosts[host] ?? {};
  const backend: Backend = i.backend ?? 'libvirt';
  const vm: Record<string, unknown> = { host, backend };
  if (h.arch && h.arch !== 'x86_64') vm.arch = h.arch;
  if (h.kvm === false) vm.accel = 'tcg';
  if (backend === 'qemu') vm.sockets = { qmp: `/run/vsim/${name}/qmp.sock` };
  if (i.network !== undefined) {
    need(t, 'networks', i.network);
    if (!onHost(t.networks?.[i.network], host)) throw new IntentError(`Network \`${i.network}\` is on ${hostList(t.networks?.[i.network])}, not \`${host}\`.`);
    vm.nics = [nicFor(t, i.network)];
  }
  const vms = ensureTopMap(doc, 'vms');
  vms.items.push(doc.createPair(name, vm) as (typeof vms.items)[number]);
  if (i.position) setPosition(doc, 'vms', name, i.position);
  return name;
}

function addNetwork(doc: YDoc, t: Topology, i: Extract<Intent, { kind: 'addNetwork' }>): string {
  const host = firstHost(t, i.host);
  // Bridge names (the network name by default) share the host's interface names with VM taps.
  const ifnames = new Set<string>();
  for (const [n, net] of Object.entries(t.networks ?? {})) if (onHost(net, host)) ifnames.add(net.bridge ?? n);
  for (const vm of Object.values(t.vms ?? {})) if (vm?.host === host) for (const nic of vm.nics ?? []) if (nic?.tap) ifnames.add(nic.tap);
  let name = i.name;
  if (name === undefined) {
    for (let k = names(t, 'networks').length + 1; ; k++) {
      if (!has(t, 'networks', `net-${k}`) && !ifnames.has(`net-${k}`)) {
        name = `net-${k}`;
        break;
      }
    }
  }
  checkNewName(t, 'networks', name);
  if (ifnames.has(name)) throw new IntentError(`Interface \`${name}\` already exists on host \`${host}\`.`);
  const taken = Object.values(t.networks ?? {}).map((n) => (n?.subnet ? parseCidr(n.subnet) : undefined)).filter((c) => !!c);
  let subnet: string | undefined;
  for (let k = 0; k < 65536 && !subnet; k++) {
    const c = parseCidr(`10.${200 + (k >> 8)}.${k & 255}.0/24`);
    if (c && !taken.some((o) => overlaps(o, c))) subnet = formatCidr(c);
  }
  const net: Record<string, unknown> = { host };
  if (subnet) {
    net.subnet = subnet;
    const c = parseCidr(subnet)!;
    net.gateway = formatIp(c.base + 1);
  }
  const nets = ensureTopMap(doc, 'networks');
  nets.items.push(doc.createPair(name, net) as (typeof nets.items)[number]);
  if (i.position) setPosition(doc, 'networks', name, i.position);
  return name;
}

function connectNic(doc: YDoc, t: Topology, vm: string, network: string): void {
  need(t, 'vms', vm);
  need(t, 'networks', network);
  const vmHost = t.vms?.[vm]?.host;
  const net = t.networks?.[network];
  if (vmHost === undefined || !onHost(net, vmHost)) throw new IntentError(`Network \`${network}\` is on ${hostList(net)} but VM \`${vm}\` runs on \`${vmHost}\`.`);
  const vmMap = mapAt(doc, ['vms', vm]);
  if (!vmMap) throw new IntentError(`VM \`${vm}\` is not a map; fix it in the text first.`);
  const nic = nicFor(t, network);
  const p = pairOf(vmMap, 'nics');
  if (p && isSeq(p.value)) {
    const seq = p.value as YAMLSeq<Node>;
    const node = doc.createNode(nic) as YAMLMap;
    if (seq.flow) node.flow = true;
    seq.items.push(node);
  } else if (p) {
    p.value = doc.createNode([nic]) as Node;
  } else {
    vmMap.items.push(doc.createPair('nics', [nic]) as (typeof vmMap.items)[number]);
  }
}

function disconnectNic(doc: YDoc, t: Topology, text: string, vm: string, index: number): [number, number][] {
  need(t, 'vms', vm);
  const seq = seqAt(doc, ['vms', vm, 'nics']);
  if (!seq || !Number.isInteger(index) || index < 0 || index >= seq.items.length) throw new IntentError(`VM \`${vm}\` has no NIC ${index}.`);
  const removed: [number, number][] = [];
  const item = seq.items[index];
  if (item?.range) removed.push([entryStart(text, item.range[0]), item.range[2]]);
  seq.items.splice(index, 1);
  if (!seq.items.length) {
    const owner = mapAt(doc, ['vms', vm])!;
    const p = pairOf(owner, 'nics');
    if (p) removed.push(rangeOfPair(text, p));
    removePair(owner, 'nics');
  }
  return removed;
}

function addLink(doc: YDoc, t: Topology, i: Extract<Intent, { kind: 'addLink' }>): string {
  need(t, 'vms', i.a);
  need(t, 'vms', i.b);
  if (i.a === i.b) throw new IntentError('A link needs two different VMs.');
  if (i.profile !== undefined) need(t, 'profiles', i.profile);
  let name = i.name;
  if (name === undefined) {
    const base = `${i.a}-${i.b}`.slice(0, 58).replace(/[-_]+$/, '');
    name = base;
    for (let k = 2; has(t, 'links', name) || has(t, 'vms', name); k++) name = `${base}-${k}`;
  }
  checkNewName(t, 'links', name);
  const links = ensureTopMap(doc, 'links');
  const endpoints = doc.createNode([i.a, i.b]) as YAMLSeq;
  endpoints.flow = true;
  const link = doc.createNode({}) as YAMLMap;
  link.items.push(doc.createPair('endpoints', endpoints));
  if (i.profile !== undefined) link.items.push(doc.createPair('profile', i.profile));
  // Match the style of the existing links (one-line flow maps in the examples).
  const prev = links.items[links.items.length - 1];
  if (links.flow || (prev && isMap(prev.value) && (prev.value as YAMLMap).flow)) link.flow = true;
  links.items.push(doc.createPair(name, link) as (typeof links.items)[number]);
  return name;
}

/** The scalar node at a path (a value), or undefined. */
function scalarAt(doc: YDoc, path: Path): Scalar | undefined {
  const n = doc.getIn(path, true);
  return isScalar(n) ? (n as Scalar) : undefined;
}

function rename(doc: YDoc, t: Topology, section: Section, from: string, to: string): void {
  need(t, section, from);
  if (from === to) return;
  checkNewName(t, section, to);
  const sec = mapAt(doc, [section])!;
  const p = pairOf(sec, from);
  if (!p || !isScalar(p.key)) throw new IntentError(`Cannot rename \`${from}\`.`);
  (p.key as Scalar).value = to;
  for (const site of referenceSites(t)) {
    if (site.name !== from || !site.rule.targets.includes(section)) continue;
    if (site.rule.isKey) {
      const parent = mapAt(doc, site.path.slice(0, -1));
      const kp = parent && pairOf(parent, from);
      if (kp && isScalar(kp.key)) (kp.key as Scalar).value = to;
    } else {
      const s = scalarAt(doc, site.path);
      if (s) s.value = to;
    }
  }
}

/** Where `path` begins in the text, extended up over the comment lines directly above it. */
function entryStart(text: string, start: number): number {
  let ls = text.lastIndexOf('\n', start - 1) + 1;
  for (;;) {
    if (ls === 0) return ls;
    const prev = text.lastIndexOf('\n', ls - 2) + 1;
    if (/^\s*#/.test(text.slice(prev, ls))) ls = prev;
    else return ls;
  }
}

function deleteEntity(doc: YDoc, t: Topology, text: string, section: Section, name: string): [number, number][] {
  need(t, section, name);
  const sites = referenceSites(t);
  const doomed = new Set<string>(); // "section/name"
  const queue: [Section, string][] = [[section, name]];
  const pairRemovals: Path[] = []; // paths of map entries to remove
  const itemRemovals: Path[] = []; // paths of sequence items to remove
  while (queue.length) {
    const [s, n] = queue.shift()!;
    const id = `${s}/${n}`;
    if (doomed.has(id)) continue;
    doomed.add(id);
    for (const site of sites) {
      if (site.name !== n || !site.rule.targets.includes(s)) continue;
      const pat = site.rule.pattern.join('.');
      const owner = String(site.path[1]);
      const cascade = (sec: Section) => queue.push([sec, owner]);
      switch (pat) {
        case 'vms.*.host': cascade('vms'); break;
        case 'networks.*.host': cascade('networks'); break;
        case 'slots.*.host': cascade('slots'); break;
        case 'states.*.host': cascade('states'); break;
        case 'links.*.endpoints.#': cascade('links'); break;
        case 'vms.*.slot':
          if (s === section && n === name) throw new IntentError(`Slot \`${n}\` is used by VM \`${owner}\`; delete or move that VM first.`);
          cascade('vms');
          break;
        case 'slots.*.network':
          if (s === section && n === name) throw new IntentError(`Network \`${n}\` is the network of slot \`${owner}\`; delete that slot first.`);
          cascade('slots');
          break;
        case 'vms.*.nics.#.network':
          itemRemovals.push(site.path.slice(0, -1)); // the whole NIC
          break;
        case 'networks.*.hosts.#':
        case 'profiles.*.targets.#':
          itemRemovals.push(site.path);
          break;
        default: // key references (overrides, layout) and optional fields (proxyJump, profile, state)
          pairRemovals.push(site.path);
      }
    }
  }
  const removed: [number, number][] = [];
  const under = (path: Path) => doomed.has(`${path[0]}/${path[1]}`);
  // Sequence items, highest index first so earlier indexes stay valid.
  itemRemovals.sort((a, b) => Number(b[b.length - 1]) - Number(a[a.length - 1]));
  for (const path of itemRemovals) {
    if (under(path)) continue;
    const seqPath = path.slice(0, -1);
    const seq = seqAt(doc, seqPath);
    if (!seq) continue;
    const item = seq.items[Number(path[path.length - 1])];
    if (item?.range) removed.push([entryStart(text, item.range[0]), item.range[2]]);
    seq.items.splice(Number(path[path.length - 1]), 1);
    if (!seq.items.length) {
      // An empty list goes with its key (and the comments on that line).
      const owner = mapAt(doc, seqPath.slice(0, -1))!;
      const p = pairOf(owner, String(seqPath[seqPath.length - 1]));
      if (p) removed.push(rangeOfPair(text, p));
      removePair(owner, String(seqPath[seqPath.length - 1]));
    }
  }
  for (const path of pairRemovals) {
    if (under(path)) continue;
    const parentPath = path.slice(0, -1);
    const parent = mapAt(doc, parentPath);
    if (!parent) continue;
    const key = String(path[path.length - 1]);
    const p = pairOf(parent, key);
    if (p) removed.push(rangeOfPair(text, p));
    removePair(parent, key);
    // Leave no empty `overrides: {}` or `layout: vms: {}` behind.
    if (!parent.items.length && parentPath.length >= 2) removePair(mapAt(doc, parentPath.slice(0, -1))!, String(parentPath[parentPath.length - 1]));
  }
  for (const id of doomed) {
    const [s, n] = id.split('/') as [Section, string];
    const sec = mapAt(doc, [s]);
    const p = sec && pairOf(sec, n);
    if (p) removed.push(rangeOfPair(text, p));
    if (sec) removePair(sec, n);
  }
  return removed;
}

function rangeOfPair(text: string, p: { key: unknown; value: unknown }): [number, number] {
  const k = p.key as Node | null;
  const v = p.value as Node | null;
  const start = k?.range?.[0] ?? v?.range?.[0] ?? 0;
  const end = v?.range?.[2] ?? k?.range?.[2] ?? start;
  return [entryStart(text, start), end];
}

function setLinkProfile(doc: YDoc, t: Topology, link: string, profile: string | null): void {
  need(t, 'links', link);
  const m = mapAt(doc, ['links', link]);
  if (!m) throw new IntentError(`Link \`${link}\` is not a map; fix it in the text first.`);
  if (profile === null) {
    removePair(m, 'profile');
    return;
  }
  need(t, 'profiles', profile);
  setScalar(doc, m, 'profile', profile);
}

/** Fields the side form may set: a scalar below an existing entry (not its name, not a whole section). */
function setProperty(doc: YDoc, t: Topology, path: (string | number)[], value: Scalarish | null): void {
  const [section, name] = path;
  if (path.length < 3 || typeof section !== 'string' || typeof name !== 'string' || !(SECTIONS as readonly string[]).includes(section)) {
    throw new IntentError(`Cannot set ${path.join('.')}: only fields of a host, network, VM, slot, state, profile or link.`);
  }
  need(t, section as Section, name);
  const parentPath = path.slice(0, -1);
  const key = path[path.length - 1]!;
  const existing = doc.getIn(path, true);
  if (existing !== undefined && existing !== null && !isScalar(existing)) throw new IntentError(`${path.join('.')} is not a single value; edit it in the text.`);
  if (value === null) {
    if (typeof key === 'number') throw new IntentError('Use disconnectNic to remove a NIC.');
    const parent = mapAt(doc, parentPath);
    if (parent) removePair(parent, key);
    return;
  }
  if (typeof value === 'string' && value.length > 4096) throw new IntentError('Value too long.');
  if (isScalar(existing)) {
    (existing as Scalar).value = value;
    return;
  }
  // A new field: create missing parent maps in the entry's own style.
  let parent = mapAt(doc, [section, name])!;
  for (const seg of parentPath.slice(2)) {
    if (typeof seg !== 'string') {
      const n = doc.getIn([...parentPath.slice(0, parentPath.indexOf(seg) + 1)], true);
      if (!isMap(n)) throw new IntentError(`${path.join('.')} does not exist.`);
      parent = n as YAMLMap<Scalar, Node>;
      continue;
    }
    parent = ensureChildMap(doc, parent, seg, parent.flow);
  }
  if (typeof key !== 'string') throw new IntentError(`${path.join('.')} does not exist.`);
  setScalar(doc, parent, key, value);
}

function movePositions(doc: YDoc, t: Topology, positions: Extract<Intent, { kind: 'movePositions' }>['positions']): void {
  for (const p of positions) {
    if (!has(t, p.section, p.name)) continue; // the entity went away meanwhile
    if (!Number.isFinite(p.x) || !Number.isFinite(p.y)) throw new IntentError('Positions must be finite numbers.');
    setPosition(doc, p.section, p.name, p);
  }
}

/** Whether an IP text is inside the subnet of a network (for the side form's hints). */
export function ipFits(t: Topology, network: string, ip: string): boolean {
  const c = t.networks?.[network]?.subnet ? parseCidr(t.networks[network].subnet!) : undefined;
  const n = parseIp(ip);
  return !!c && n !== undefined && inCidr(n, c);
}
