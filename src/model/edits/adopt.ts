// VMs a host has that the file does not declare ("Add to Topology", "Import All from Host"): their
// definitions as read from the host (FoundVm, filled by each backend's `undeclared.read`) become
// new `vms:` entries, plus a `networks:` entry for each bridge their NICs use that the file does not
// name yet, written with the yaml Document API so the rest of the file keeps its comments and
// formatting. Pure (no vscode): what the host said is remote-supplied, so every value is checked
// against the schema's rules before it reaches the file; what cannot be written is said in notes.
import { isMap, isScalar, isSeq, type Node, type Scalar, type YAMLMap } from 'yaml';
import { isValidIfname, isValidName, isValidVmName, NAME_RULE, PATH_PATTERN, VM_NAME_RULE } from '../names';
import { bridgeName, type Backend, type Topology } from '../types';
import { editYaml, ensureTopMap, pairOf, type EditOptions, type EditResult, type YDoc } from './yamlEdit';
import { onHost } from '../fabric';

export interface FoundNic {
  /** The bridge the NIC is plugged into on the host. */
  bridge: string;
  ovs?: boolean;
  mac?: string;
  tap?: string;
  model?: string;
}

export interface FoundDisk {
  path: string;
  format?: string;
  readonly?: boolean;
}

/** One VM as its host defines it, in topology terms (what a backend read, unchecked). */
export interface FoundVm {
  name: string;
  backend: Backend;
  arch?: string;
  accel?: string;
  vcpus?: number;
  memoryMiB?: number;
  boot?: { kernel: string; initrd?: string; cmdline?: string };
  disks: FoundDisk[];
  nics: FoundNic[];
  /** What the backend could not express (a NIC on a libvirt network, say), for the preview. */
  notes?: string[];
}

export interface Adoption {
  /** New `vms:` entries in the order given. */
  vms: { name: string; entry: Record<string, unknown> }[];
  /** New `networks:` entries for bridges the file does not name yet. */
  networks: { name: string; entry: Record<string, unknown> }[];
  /** VMs left out, with why (a name the file cannot use, one it already has). */
  skipped: { name: string; reason: string }[];
  /** Fields left out of an entry, per VM. */
  notes: string[];
}

const MACS = /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/;
const CMDLINE = /^[^\n\r'`$]*$/;
const MODELS = new Set(['virtio', 'e1000', 'rtl8139']);
/** Interface names libvirt generates and renames (src/model/checks/combinations.ts says the same). */
const LIBVIRT_GENERATED_TAP = /^(vnet|vif|macvtap|macvlan)/;

const isPath = (p: string | undefined): p is string => !!p && PATH_PATTERN.test(p);
const taken = (t: Topology, section: 'vms' | 'links' | 'networks', name: string): boolean => Object.prototype.hasOwnProperty.call(t[section] ?? {}, name);

/** A network name for a bridge: the bridge's own name when it is a valid name, else with its other characters as '-'. */
function networkNameFor(bridge: string): string {
  if (isValidName(bridge)) return bridge;
  return bridge.replace(/[^A-Za-z0-9_-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 63) || 'net';
}

/** The entries the found VMs become, and what is left out. `host` is the file's host they were found on. */
export function adoptionOf(t: Topology, host: string, found: readonly FoundVm[]): Adoption {
  const out: Adoption = { vms: [], networks: [], skipped: [], notes: [] };
  const kvm = t.hosts?.[host]?.kvm !== false;
  // Bridges of this host the file (or this adoption) already names → network name.
  const nets = new Map<string, string>();
  for (const [n, net] of Object.entries(t.networks ?? {})) if (onHost(net, host)) nets.set(bridgeName(n, net), n);
  const newNames = new Set<string>();
  for (const f of found) {
    const name = f.name;
    // A libvirt domain may keep its dots as the VM key; other backends' names become units and files.
    if (f.backend === 'libvirt' ? !isValidVmName(name) : !isValidName(name)) {
      out.skipped.push({ name, reason: `its name is not one a topology can use (${f.backend === 'libvirt' ? VM_NAME_RULE : NAME_RULE})` });
      continue;
    }
    if (taken(t, 'vms', name) || newNames.has(name)) {
      out.skipped.push({ name, reason: 'the file already has a VM of that name' });
      continue;
    }
    if (taken(t, 'links', name)) {
      out.skipped.push({ name, reason: 'the file has a link of that name (VM and link names must differ)' });
      continue;
    }
    const note = (s: string): void => void out.notes.push(`${name}: ${s}`);
    for (const n of f.notes ?? []) note(n);
    const e: Record<string, unknown> = { host, backend: f.backend };
    if (f.arch === 'aarch64') e.arch = 'aarch64';
    else if (f.arch && f.arch !== 'x86_64') note(`arch ${f.arch} left out (vsim knows x86_64 and aarch64)`);
    if (f.accel === 'kvm' || f.accel === 'tcg') {
      e.accel = f.accel;
      if (f.accel === 'kvm' && !kvm) note(`accel kvm on a host the file says has no KVM (hosts.${host}.kvm: false)`);
    }
    if (f.vcpus !== undefined && Number.isInteger(f.vcpus) && f.vcpus > 1 && f.vcpus <= 512) e.vcpus = f.vcpus;
    if (f.memoryMiB !== undefined) {
      if (Number.isInteger(f.memoryMiB) && f.memoryMiB >= 16) e.memory = f.memoryMiB;
      else note(`memory ${f.memoryMiB} MiB left out (at least 16 MiB)`);
    }
    const disks = f.disks.flatMap((d, i) => {
      if (!isPath(d.path)) {
        note(`disk ${i + 1} left out: its path ${JSON.stringify(d.path)} is not one a topology can hold`);
        return [];
      }
      const disk: Record<string, unknown> = { path: d.path };
      if (d.format === 'raw') disk.format = 'raw';
      else if (d.format && d.format !== 'qcow2') note(`disk ${d.path}: format ${d.format} left out (qcow2 or raw)`);
      if (d.readonly) disk.readonly = true;
      return [disk];
    });
    if (f.boot) {
      if (!isPath(f.boot.kernel)) note(`boot left out: kernel path ${JSON.stringify(f.boot.kernel)} is not one a topology can hold`);
      else {
        const boot: Record<string, unknown> = { kernel: f.boot.kernel };
        if (isPath(f.boot.initrd)) boot.initrd = f.boot.initrd;
        else if (f.boot.initrd) note(`initrd ${JSON.stringify(f.boot.initrd)} left out`);
        const arch = e.arch === 'aarch64' ? 'aarch64' : 'x86_64';
        const dflt = arch === 'aarch64' ? 'console=ttyAMA0' : 'console=ttyS0';
        if (f.boot.cmdline && f.boot.cmdline !== dflt) {
          if (CMDLINE.test(f.boot.cmdline)) boot.cmdline = f.boot.cmdline;
          else note('kernel command line left out (it holds a quote, $ or a newline)');
        }
        e.boot = boot;
      }
    }
    if (disks.length) e.disks = disks;
    const nics = f.nics.flatMap((n, i) => {
      let network = nets.get(n.bridge);
      if (!network) {
        if (!isValidIfname(n.bridge)) {
          note(`nic ${i + 1} left out: bridge ${JSON.stringify(n.bridge)} is not an interface name`);
          return [];
        }
        const base = networkNameFor(n.bridge);
        let candidate = base;
        for (let k = 2; taken(t, 'networks', candidate) || out.networks.some((x) => x.name === candidate); k++) candidate = `${base}-${k}`.slice(0, 63);
        network = candidate;
        nets.set(n.bridge, network);
        const net: Record<string, unknown> = { host };
        if (n.ovs) net.kind = 'ovs';
        if (network !== n.bridge) net.bridge = n.bridge;
        out.networks.push({ name: network, entry: net });
      }
      const nic: Record<string, unknown> = { network };
      if (n.mac && MACS.test(n.mac)) nic.mac = n.mac.toLowerCase();
      if (n.tap && isValidIfname(n.tap) && !LIBVIRT_GENERATED_TAP.test(n.tap)) nic.tap = n.tap;
      if (n.model && MODELS.has(n.model) && n.model !== 'virtio') nic.model = n.model;
      return [nic];
    });
    if (nics.length) e.nics = nics;
    newNames.add(name);
    out.vms.push({ name, entry: e });
  }
  return out;
}

export interface AdoptResult extends EditResult, Adoption {}

/**
 * The entry in the style of vsim's examples: a VM is a block map whose boot is a flow map and whose
 * disks and NICs are block lists of flow maps (`- { network: lan, mac: "…" }`), MACs quoted; a
 * network is one flow map.
 */
function entryNode(doc: YDoc, entry: Record<string, unknown>, flow: boolean): Node {
  const node = doc.createNode(entry) as YAMLMap<Scalar, Node>;
  if (flow) node.flow = true;
  const boot = pairOf(node, 'boot')?.value;
  if (isMap(boot)) boot.flow = true;
  for (const key of ['disks', 'nics']) {
    const list = pairOf(node, key)?.value;
    if (!isSeq(list)) continue;
    for (const item of list.items) {
      if (!isMap(item)) continue;
      item.flow = true;
      const mac = pairOf(item as YAMLMap<Scalar, Node>, 'mac')?.value;
      if (isScalar(mac)) mac.type = 'QUOTE_DOUBLE';
    }
  }
  return node;
}

/** Adds the found VMs (and the networks they need) to the topology text. Nothing to add: no edits. */
export function adoptVms(text: string, t: Topology, host: string, found: readonly FoundVm[], opts: EditOptions = {}): AdoptResult {
  const a = adoptionOf(t, host, found);
  if (!a.vms.length) return { edits: [], text, fallback: false, partial: false, ...a };
  const r = editYaml(text, (doc) => {
    if (a.networks.length) {
      const nets = ensureTopMap(doc, 'networks');
      for (const n of a.networks) nets.items.push(doc.createPair(n.name, entryNode(doc, n.entry, true)) as (typeof nets.items)[number]);
    }
    const vms = ensureTopMap(doc, 'vms');
    for (const v of a.vms) vms.items.push(doc.createPair(v.name, entryNode(doc, v.entry, false)) as (typeof vms.items)[number]);
  }, opts);
  return { ...r, ...a };
}
