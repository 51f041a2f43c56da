// Tunnel ports of spanning networks on one host: what the network script read back (Linux vxlan /
// gretap devices with `ip -j -d`, the vxlan flood entries, OVS interfaces) compared with the ports
// src/deploy/renderTunnels.ts says the host needs. Pure.
import { tunnelPorts, tunnelTools, type TunnelPort } from '../deploy/renderTunnels';
import type { Topology } from '../model/types';
import type { Change, FieldDiff } from './types';

/** A tunnel device or OVS interface as the host has it. */
export interface HaveTunnel {
  kind: 'vxlan' | 'gre' | string;
  id?: number;
  local?: string;
  remotes: string[];
  dstport?: number;
  /** Linux: the bridge it is enslaved to; OVS: the bridge whose port it is. */
  master?: string;
  mtu?: number;
  up?: boolean;
}

interface IpLink {
  ifname?: string;
  flags?: string[];
  mtu?: number;
  master?: string;
  linkinfo?: { info_kind?: string; info_data?: { id?: number; remote?: string; local?: string; port?: number; ikey?: string | number; key?: string | number } };
}

/** A GRE key as iproute2 prints it: a number or a dotted quad. */
export function greKey(v: string | number | undefined): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  if (/^\d+$/.test(v)) return Number(v);
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(v);
  return m ? (((Number(m[1]) << 24) >>> 0) + (Number(m[2]) << 16) + (Number(m[3]) << 8) + Number(m[4])) : undefined;
}

/** Linux vxlan / gretap devices from `ip -j -d link show type …`, with the flood entries of `bridge fdb show`. */
export function parseLinuxTunnels(links: readonly IpLink[], fdbLines: readonly string[]): Map<string, HaveTunnel> {
  const out = new Map<string, HaveTunnel>();
  for (const l of links) {
    const kind = l.linkinfo?.info_kind;
    if (!l.ifname || (kind !== 'vxlan' && kind !== 'gretap')) continue;
    const d = l.linkinfo?.info_data ?? {};
    out.set(l.ifname, {
      kind: kind === 'gretap' ? 'gre' : 'vxlan',
      ...(kind === 'vxlan' ? { id: d.id, dstport: d.port } : { id: greKey(d.ikey ?? d.key) }),
      ...(d.local ? { local: d.local } : {}),
      remotes: d.remote ? [d.remote] : [],
      ...(l.master ? { master: l.master } : {}),
      ...(typeof l.mtu === 'number' ? { mtu: l.mtu } : {}),
      up: !!l.flags?.includes('UP'),
    });
  }
  for (const line of fdbLines) {
    const m = /^00:00:00:00:00:00 dev (\S+) dst (\S+)/.exec(line.trim());
    const t = m ? out.get(m[1] as string) : undefined;
    if (t && !t.remotes.includes(m?.[2] as string)) t.remotes.push(m?.[2] as string);
  }
  return out;
}

type OvsCell = string | number | [string, unknown];

/** OVS interfaces from `ovs-vsctl -f json --columns=name,type,options,mtu_request list interface`, bridges from the port listing. */
export function parseOvsTunnels(json: string, portsByBridge: ReadonlyMap<string, readonly string[]>): Map<string, HaveTunnel> {
  const out = new Map<string, HaveTunnel>();
  let rows: OvsCell[][] = [];
  try {
    const v = JSON.parse(json || '{}') as { data?: OvsCell[][] };
    rows = Array.isArray(v.data) ? v.data : [];
  } catch {
    return out;
  }
  const bridgeOf = new Map<string, string>();
  for (const [br, ports] of portsByBridge) for (const p of ports) bridgeOf.set(p, br);
  for (const [name, type, options, mtu] of rows) {
    if (typeof name !== 'string' || (type !== 'vxlan' && type !== 'gre')) continue;
    const opts = new Map<string, string>();
    if (Array.isArray(options) && options[0] === 'map' && Array.isArray(options[1])) {
      for (const kv of options[1] as unknown[]) if (Array.isArray(kv) && typeof kv[0] === 'string') opts.set(kv[0], String(kv[1]));
    }
    const key = opts.get('key');
    const port = opts.get('dst_port');
    const br = bridgeOf.get(name);
    out.set(name, {
      kind: type,
      ...(key !== undefined ? { id: Number(key) } : {}),
      ...(opts.get('local_ip') ? { local: opts.get('local_ip') } : {}),
      remotes: opts.get('remote_ip') ? [opts.get('remote_ip') as string] : [],
      ...(port !== undefined ? { dstport: Number(port) } : type === 'vxlan' ? { dstport: 4789 } : {}),
      ...(br ? { master: br } : {}),
      ...(typeof mtu === 'number' ? { mtu } : {}),
      up: true,
    });
  }
  return out;
}

/** The fields in which a host's port differs from the declared one (empty: in sync). */
export function tunnelFields(want: TunnelPort, have: HaveTunnel): FieldDiff[] {
  const f: FieldDiff[] = [];
  const cmp = (field: string, w: string, h: string): void => void (w !== h && f.push({ field, want: w, have: h }));
  cmp('kind', want.kind, have.kind);
  cmp(want.kind === 'vxlan' ? 'vni' : 'key', String(want.id), have.id === undefined ? '' : String(have.id));
  cmp('local', want.local, have.local ?? '');
  cmp('remote', [...want.remotes].sort().join(', '), [...have.remotes].sort().join(', '));
  if (want.dstport !== undefined) cmp('port', String(want.dstport), have.dstport === undefined ? '' : String(have.dstport));
  cmp('bridge', want.bridge, have.master ?? '');
  if (have.mtu !== undefined || want.impl === 'linux') cmp('mtu', String(want.mtu), have.mtu === undefined ? '' : String(have.mtu));
  if (want.impl === 'linux' && !have.up) f.push({ field: 'state', want: 'up', have: 'down' });
  return f;
}

export interface HostTunnelFacts {
  tools: ReadonlySet<string>;
  /** Interface → IPv4 addresses `a.b.c.d/len`. */
  addrs: ReadonlyMap<string, readonly string[]>;
  linux: ReadonlyMap<string, HaveTunnel>;
  ovs: ReadonlyMap<string, HaveTunnel>;
}

/** tunnel-missing / tunnel-differs for the ports the host needs. */
export function tunnelChanges(topology: Topology, host: string, have: HostTunnelFacts): Change[] {
  const out: Change[] = [];
  const mine = [...have.addrs.values()].flat().map((a) => a.split('/')[0]);
  for (const p of tunnelPorts(topology, host)) {
    const lacks = tunnelTools([p]).filter((t) => !have.tools.has(t));
    const blockedBy = lacks.length ? `${host} lacks ${lacks.join(', ')}`
      : !mine.includes(p.local) ? `${host} has no address ${p.local} (its hosts.${host}.underlay): the tunnel would have no endpoint there` : undefined;
    const base = { id: `${host}/tunnel/${p.name}`, host, network: p.network, port: p.name, bridge: p.bridge, ...(blockedBy ? { blockedBy } : {}) };
    const h = (p.impl === 'ovs' ? have.ovs : have.linux).get(p.name);
    if (!h) {
      out.push({ ...base, kind: 'tunnel-missing', tunnel: `${p.kind} ${p.id}`, remotes: p.remotes });
      continue;
    }
    const fields = tunnelFields(p, h);
    if (fields.length) out.push({ ...base, kind: 'tunnel-differs', fields });
  }
  return out;
}
