// What the Networks node shows for one host: each declared network with its bridge (present or
// not, state, addresses), its ports and the VM each belongs to, its DHCP leases, and notes about
// DHCP (dnsmasq absent, not running, a lease file that cannot be read). Also the live IPs of a
// VM (leases and the host's neighbour table, by MAC). Pure: topology + probed facts in, rows out.
import { inCidr, parseCidr, parseIp } from '../model/ipv4';
import { bridgeName, type Topology } from '../model/types';
import type { Counters, HostNetFacts, Lease, LinkFacts } from './parse';

export interface PortRow {
  name: string;
  /** The VM this tap belongs to (by the file's tap name, else by MAC), if known. */
  vm?: string;
  mac?: string;
  up: boolean;
  noCarrier: boolean;
  /** STP state from `bridge link` (forwarding, disabled…). */
  stp?: string;
  rx?: Counters;
  tx?: Counters;
}

export interface LeaseRow extends Lease {
  vm?: string;
  file: string;
  expired: boolean;
}

export interface NetworkRow {
  /** The network's name in the file. */
  name: string;
  bridge: string;
  kind: 'bridge' | 'ovs';
  /** The bridge exists on the host. */
  present: boolean;
  /** Why it is marked (absent, or of the other kind than declared). */
  problem?: string;
  up?: boolean;
  operstate?: string;
  addrs: string[];
  ports: PortRow[];
  leases: LeaseRow[];
  rx?: Counters;
  tx?: Counters;
}

export interface DhcpNote {
  level: 'info' | 'warning';
  text: string;
  detail: string;
}

export interface HostNetView {
  networks: NetworkRow[];
  dhcp: DhcpNote[];
}

/** The tap libvirt makes for a guest NIC carries the guest's MAC with fe as its first byte. */
function sameNic(guestMac: string, tapMac: string): boolean {
  const g = guestMac.toLowerCase();
  const t = tapMac.toLowerCase();
  return g === t || (t.startsWith('fe:') && g.slice(2) === t.slice(2));
}

interface DeclaredNic { vm: string; network: string; mac?: string; tap?: string; ip?: string }

function declaredNics(topology: Topology, host: string): DeclaredNic[] {
  const out: DeclaredNic[] = [];
  for (const [vm, v] of Object.entries(topology.vms ?? {})) {
    if (v?.host !== host) continue;
    for (const n of v.nics ?? []) {
      out.push({ vm, network: n.network, ...(n.mac ? { mac: n.mac.toLowerCase() } : {}), ...(n.tap ? { tap: n.tap } : {}), ...(n.ip ? { ip: n.ip } : {}) });
    }
  }
  return out;
}

function portRow(l: LinkFacts, facts: HostNetFacts, nics: DeclaredNic[]): PortRow {
  const byTap = nics.find((n) => n.tap === l.name);
  const byMac = byTap ? undefined : nics.find((n) => n.mac && l.mac && sameNic(n.mac, l.mac));
  const vm = (byTap ?? byMac)?.vm;
  const row: PortRow = { name: l.name, up: l.up, noCarrier: l.noCarrier };
  if (vm) row.vm = vm;
  if (l.mac) row.mac = l.mac;
  const stp = facts.portState[l.name];
  if (stp) row.stp = stp;
  if (l.rx) row.rx = l.rx;
  if (l.tx) row.tx = l.tx;
  return row;
}

/** Every lease of every readable file, with the VM it belongs to (by MAC, else by the client's name). */
function allLeases(topology: Topology, facts: HostNetFacts, nowSec: number): LeaseRow[] {
  const macs = new Map<string, string>();
  for (const [vm, v] of Object.entries(topology.vms ?? {})) for (const n of v?.nics ?? []) if (n.mac) macs.set(n.mac.toLowerCase(), vm);
  const out: LeaseRow[] = [];
  for (const f of facts.leaseFiles) {
    for (const l of f.leases) {
      const vm = macs.get(l.mac) ?? (l.name && topology.vms?.[l.name] ? l.name : undefined);
      out.push({ ...l, file: f.file, expired: l.expires !== 0 && l.expires < nowSec, ...(vm ? { vm } : {}) });
    }
  }
  return out;
}

export function hostNetView(topology: Topology, host: string, facts: HostNetFacts, nowMs: number): HostNetView {
  const nics = declaredNics(topology, host);
  const links = new Map(facts.links.map((l) => [l.name, l]));
  const ovsOf = new Map(Object.entries(facts.ovs));
  const leases = allLeases(topology, facts, Math.floor(nowMs / 1000));
  const networks: NetworkRow[] = [];
  for (const [name, net] of Object.entries(topology.networks ?? {})) {
    if (net?.host !== host) continue;
    const bridge = bridgeName(name, net);
    const kind = net.kind ?? 'bridge';
    const link = links.get(bridge);
    const ovsPorts = ovsOf.get(bridge);
    const present = !!link || !!ovsPorts;
    const row: NetworkRow = { name, bridge, kind, present, addrs: facts.addrs[net.hostInterface ?? bridge] ?? [], ports: [], leases: [] };
    if (!present) row.problem = `${kind === 'ovs' ? 'OVS bridge' : 'bridge'} ${bridge} is not on this host`;
    else if (kind === 'ovs' && !ovsPorts) row.problem = `declared as an OVS bridge, but ${bridge} is a Linux bridge here`;
    else if (kind === 'bridge' && ovsPorts) row.problem = `declared as a Linux bridge, but ${bridge} is an OVS bridge here`;
    if (link) {
      row.up = link.up;
      row.operstate = link.operstate;
      if (link.rx) row.rx = link.rx;
      if (link.tx) row.tx = link.tx;
    }
    const portNames = ovsPorts ?? facts.links.filter((l) => l.master === bridge).map((l) => l.name);
    for (const p of portNames) {
      const l = links.get(p);
      row.ports.push(l ? portRow(l, facts, nics) : { name: p, up: false, noCarrier: true });
    }
    const cidr = net.subnet ? parseCidr(net.subnet) : undefined;
    const netMacs = new Set(nics.filter((n) => n.network === name && n.mac).map((n) => n.mac));
    row.leases = leases.filter((l) => {
      const ip = parseIp(l.ip);
      return (cidr && ip !== undefined && inCidr(ip, cidr)) || netMacs.has(l.mac);
    });
    networks.push(row);
  }
  return { networks, dhcp: dhcpNotes(topology, host, facts) };
}

function dhcpNotes(topology: Topology, host: string, facts: HostNetFacts): DhcpNote[] {
  const wantsDhcp = Object.values(topology.networks ?? {}).some((n) => n?.host === host && n.dhcp);
  const notes: DhcpNote[] = [];
  if (!facts.dnsmasq.length) {
    const installed = facts.tools.includes('dnsmasq');
    notes.push({
      level: wantsDhcp ? 'warning' : 'info',
      text: installed ? 'DHCP leases: dnsmasq not running on this host' : 'DHCP leases: not on this host',
      detail: installed
        ? 'dnsmasq is installed but no dnsmasq process runs, so there are no leases to show.'
        : `no dnsmasq program on this host's PATH${wantsDhcp ? ', though the file declares dhcp for a network here' : ''}.`,
    });
  }
  for (const f of facts.leaseFiles) {
    if (f.error) notes.push({ level: 'warning', text: `DHCP leases: cannot read ${f.file}`, detail: f.error });
  }
  return notes;
}

export interface LiveIp { ip: string; mac: string; source: 'lease' | 'neighbour'; network?: string }

/**
 * The IPs a VM has right now as the host sees them: its MACs' DHCP leases (unexpired) and the
 * host's neighbour (ARP) entries. `macs`: MACs known beside the file's (e.g. from `virsh domiflist`).
 */
export function liveIps(topology: Topology, vm: string, facts: HostNetFacts, nowMs: number, macs: readonly string[] = []): LiveIp[] {
  const mine = new Set([...(topology.vms?.[vm]?.nics ?? []).map((n) => n.mac?.toLowerCase()), ...macs.map((m) => m.toLowerCase())].filter((m): m is string => !!m));
  const out: LiveIp[] = [];
  const seen = new Set<string>();
  const push = (x: LiveIp): void => {
    if (seen.has(x.ip)) return;
    seen.add(x.ip);
    out.push(x);
  };
  const now = Math.floor(nowMs / 1000);
  for (const f of facts.leaseFiles) for (const l of f.leases) if (mine.has(l.mac) && (l.expires === 0 || l.expires >= now)) push({ ip: l.ip, mac: l.mac, source: 'lease' });
  for (const n of facts.neighbours) if (mine.has(n.mac) && !/FAILED|INCOMPLETE/.test(n.state)) push({ ip: n.ip, mac: n.mac, source: 'neighbour' });
  return out;
}

/** Bytes as a short text: 726 B, 3.0 KiB, 12.4 MiB. */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
