// Reads the host network probe's output (src/hostnet/probe.ts) into plain, JSON-friendly facts:
// links with their counters, addresses, bridge ports, neighbours, OVS ports, dnsmasq processes and
// lease files. Tolerant: a section that is not JSON is empty, never a throw. Pure.
import { splitSections } from '../backends/script';

export interface Counters { bytes: number; packets: number; errors: number; dropped: number }

export interface LinkFacts {
  name: string;
  /** Administratively up (the UP flag). */
  up: boolean;
  /** The kernel's operstate (UP, DOWN, UNKNOWN…). */
  operstate: string;
  /** Carrier lost (NO-CARRIER): e.g. a tap whose VM is not running. */
  noCarrier: boolean;
  mac?: string;
  /** The bridge (or `ovs-system`) it is a port of. */
  master?: string;
  mtu?: number;
  rx?: Counters;
  tx?: Counters;
}

export interface Lease {
  /** Seconds since the epoch; 0: never expires. */
  expires: number;
  mac: string;
  ip: string;
  /** The client's name, when it sent one (`*` in the file: none). */
  name?: string;
}

export interface LeaseFile {
  file: string;
  leases: Lease[];
  /** Why the file could not be read (leases is then empty). */
  error?: string;
}

/** One probe of a host: its facts, or why they could not be read; `at`: ms since the epoch. */
export type HostNetProbe = { facts: HostNetFacts; at: number } | { error: string; at: number };

export interface DnsmasqProcess { pid: number; args: string[] }

export interface HostNetFacts {
  tools: string[];
  links: LinkFacts[];
  /** Interface → addresses as `a.b.c.d/len` (IPv6 too, link-local left out). */
  addrs: Record<string, string[]>;
  /** Bridge port → its STP state (forwarding, disabled…), from `bridge -j link`. */
  portState: Record<string, string>;
  neighbours: { ip: string; dev: string; mac: string; state: string }[];
  /** OVS bridge → its ports. */
  ovs: Record<string, string[]>;
  dnsmasq: DnsmasqProcess[];
  leaseFiles: LeaseFile[];
}

function json(text: string): unknown[] {
  try {
    const v = JSON.parse(text || '[]') as unknown;
    return Array.isArray(v) ? v : [];
  } catch {
    return [];
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function counters(v: unknown): Counters | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const o = v as Record<string, unknown>;
  return { bytes: num(o.bytes), packets: num(o.packets), errors: num(o.errors), dropped: num(o.dropped) };
}

/** `ip -j [-s] link show`. */
export function parseLinks(text: string): LinkFacts[] {
  const out: LinkFacts[] = [];
  for (const raw of json(text)) {
    if (!raw || typeof raw !== 'object') continue;
    const l = raw as Record<string, unknown>;
    const name = str(l.ifname);
    if (!name) continue;
    const flags = Array.isArray(l.flags) ? l.flags.filter((f): f is string => typeof f === 'string') : [];
    const stats = (l.stats64 ?? l.stats) as Record<string, unknown> | undefined;
    const link: LinkFacts = { name, up: flags.includes('UP'), operstate: str(l.operstate) ?? 'UNKNOWN', noCarrier: flags.includes('NO-CARRIER') };
    const mac = str(l.address);
    if (mac) link.mac = mac.toLowerCase();
    const master = str(l.master);
    if (master) link.master = master;
    if (typeof l.mtu === 'number') link.mtu = l.mtu;
    const rx = counters(stats?.rx);
    const tx = counters(stats?.tx);
    if (rx) link.rx = rx;
    if (tx) link.tx = tx;
    out.push(link);
  }
  return out;
}

/** `ip -j addr show`: interface → `addr/len` (global and host scope; link-local IPv6 left out). */
export function parseAddrs(text: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const raw of json(text)) {
    const l = raw as { ifname?: unknown; addr_info?: unknown };
    const name = str(l?.ifname);
    if (!name) continue;
    const infos = Array.isArray(l.addr_info) ? (l.addr_info as Record<string, unknown>[]) : [];
    out[name] = infos.filter((a) => str(a.local) && a.scope !== 'link').map((a) => `${str(a.local)}/${num(a.prefixlen)}`);
  }
  return out;
}

/** `bridge -j link show`: port → STP state. */
export function parsePortStates(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of json(text)) {
    const p = raw as { ifname?: unknown; state?: unknown };
    const name = str(p?.ifname);
    if (name) out[name] = str(p.state) ?? 'unknown';
  }
  return out;
}

/** `ip -j neigh show`: entries with a MAC (FAILED/INCOMPLETE ones have none). */
export function parseNeighbours(text: string): HostNetFacts['neighbours'] {
  const out: HostNetFacts['neighbours'] = [];
  for (const raw of json(text)) {
    const n = raw as { dst?: unknown; dev?: unknown; lladdr?: unknown; state?: unknown };
    const ip = str(n?.dst);
    const mac = str(n?.lladdr);
    const dev = str(n?.dev);
    if (!ip || !mac || !dev) continue;
    const state = Array.isArray(n.state) ? n.state.filter((s): s is string => typeof s === 'string').join(',') : str(n.state) ?? '';
    out.push({ ip, dev, mac: mac.toLowerCase(), state });
  }
  return out;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

/**
 * A dnsmasq lease file: `EXPIRY MAC IP NAME CLIENT-ID` per IPv4 lease. The DHCPv6 part (after a
 * `duid …` line) names IAIDs instead of MACs and is left out, as is any line not in that shape.
 */
export function parseLeases(text: string): Lease[] {
  const out: Lease[] = [];
  for (const line of text.split('\n')) {
    const [expiry, mac, ip, name] = line.trim().split(/\s+/);
    if (!expiry || !mac || !ip || !/^\d+$/.test(expiry) || !MAC.test(mac)) continue;
    const lease: Lease = { expires: Number(expiry), mac: mac.toLowerCase(), ip };
    if (name && name !== '*') lease.name = name;
    out.push(lease);
  }
  return out;
}

/** libvirt's dnsmasq status file (NAME.status): `[{"ip-address", "mac-address", "hostname", "expiry-time"}]`. */
export function parseLibvirtStatus(text: string): Lease[] {
  const out: Lease[] = [];
  for (const raw of json(text)) {
    const l = raw as Record<string, unknown>;
    const mac = str(l['mac-address']);
    const ip = str(l['ip-address']);
    if (!mac || !ip || !MAC.test(mac)) continue;
    const lease: Lease = { expires: num(l['expiry-time']), mac: mac.toLowerCase(), ip };
    const name = str(l.hostname);
    if (name) lease.name = name;
    out.push(lease);
  }
  return out;
}

export function parseHostNet(stdout: string): HostNetFacts {
  const out: HostNetFacts = { tools: [], links: [], addrs: {}, portState: {}, neighbours: [], ovs: {}, dnsmasq: [], leaseFiles: [] };
  const lines = (s: string): string[] => s.split('\n').map((l) => l.trim()).filter(Boolean);
  for (const s of splitSections(stdout)) {
    switch (s.kind) {
      case 'tools': out.tools = lines(s.body); break;
      case 'links': out.links = parseLinks(s.body); break;
      case 'addrs': out.addrs = parseAddrs(s.body); break;
      case 'ports': out.portState = parsePortStates(s.body); break;
      case 'neigh': out.neighbours = parseNeighbours(s.body); break;
      case 'ovs': out.ovs[s.arg] = lines(s.body); break;
      case 'dnsmasq': out.dnsmasq.push({ pid: Number(s.arg), args: lines(s.body) }); break;
      case 'lease': out.leaseFiles.push({ file: s.arg, leases: s.arg.endsWith('.status') ? parseLibvirtStatus(s.body) : parseLeases(s.body) }); break;
      case 'lease-error': out.leaseFiles.push({ file: s.arg, leases: [], error: s.body.trim() || 'unreadable' }); break;
      default: break;
    }
  }
  return out;
}
