// Tunnel ports of the networks that span hosts: which ports each host gets, and the argv steps that
// create and remove them (Linux bridges: a vxlan / gretap device enslaved to the bridge; Open
// vSwitch bridges: `ovs-vsctl add-port … type=vxlan|gre`). The same ports nix/ renders. Pure.
//
// Shape, loop-free for any number of hosts: a Linux vxlan device per host and network, with one
// remote (two hosts) or a flood entry per peer (`bridge fdb append`, head-end replication; a
// vxlan device never forwards between its remotes); point-to-point ports (OVS, gretap) form a star
// around the network's first host: it has a port to every other host, each of them one port to it.
import { DEFAULT_VXLAN_PORT, networkHosts, tunnelId, tunnelMtu } from '../model/fabric';
import { assertIfname } from '../model/names';
import { bridgeName, type Topology } from '../model/types';
import { ALREADY_EXISTS, must, type TcStep, type Tolerance } from '../tc/steps';

export interface TunnelPort {
  network: string;
  host: string;
  /** Interface / OVS port name: `vx<vni>` (Linux vxlan), else `vx<vni>-<i>` / `gt<key>-<i>` with i the peer's index in `hosts`. */
  name: string;
  bridge: string;
  kind: 'vxlan' | 'gre';
  /** `linux`: a kernel device enslaved to a Linux bridge; `ovs`: a port of an OVS bridge. */
  impl: 'linux' | 'ovs';
  /** VNI (vxlan) or key (gre). */
  id: number;
  /** This host's underlay address. */
  local: string;
  /** The peers' underlay addresses: one for a point-to-point port, all others for a Linux vxlan device. */
  remotes: string[];
  /** vxlan UDP port. */
  dstport?: number;
  /** The underlay interface (`dev` of a Linux vxlan device). */
  dev?: string;
  mtu: number;
}

/** The tunnel ports `host` needs for the file's spanning networks, in file order. */
export function tunnelPorts(topology: Topology, host: string): TunnelPort[] {
  const out: TunnelPort[] = [];
  for (const [network, net] of Object.entries(topology.networks ?? {})) {
    const on = networkHosts(net);
    const me = on.indexOf(host);
    const tunnel = net.tunnel;
    const id = tunnel ? tunnelId(tunnel) : undefined;
    const local = topology.hosts?.[host]?.underlay;
    if (on.length < 2 || me < 0 || !tunnel || id === undefined || !local) continue;
    const impl = net.kind === 'ovs' ? 'ovs' : 'linux';
    const base = {
      network, host, bridge: bridgeName(network, net), kind: tunnel.kind, impl, id, local,
      ...(tunnel.kind === 'vxlan' ? { dstport: tunnel.port ?? DEFAULT_VXLAN_PORT } : {}),
      ...(topology.hosts?.[host]?.underlayInterface ? { dev: topology.hosts[host].underlayInterface } : {}),
      mtu: tunnelMtu(net, on.map((h) => topology.hosts?.[h])),
    } as const;
    const underlay = (i: number): string | undefined => topology.hosts?.[on[i] as string]?.underlay;
    if (impl === 'linux' && tunnel.kind === 'vxlan') {
      const remotes = on.map((_, i) => i).filter((i) => i !== me).map(underlay).filter((a): a is string => !!a);
      out.push({ ...base, name: `vx${id}`, remotes });
      continue;
    }
    const peers = me === 0 ? on.map((_, i) => i).slice(1) : [0];
    const prefix = tunnel.kind === 'vxlan' ? 'vx' : 'gt';
    for (const i of peers) {
      const remote = underlay(i);
      if (remote) out.push({ ...base, name: `${prefix}${id}-${i}`, remotes: [remote] });
    }
  }
  return out;
}

const NO_DEVICE: Tolerance = { exitCodes: [1], stderr: /Cannot find device/ };

/** Creates the port (removing a port of that name first, so a changed port is recreated) and attaches it. */
export function renderTunnelSetup(p: TunnelPort): TcStep[] {
  const name = assertIfname(p.name, 'tunnel port');
  const br = assertIfname(p.bridge, 'bridge name');
  if (p.impl === 'ovs') {
    const remote = p.remotes[0] ?? '';
    return [
      must(['ovs-vsctl', '--if-exists', 'del-port', br, name]),
      must(['ovs-vsctl', 'add-port', br, name, '--', 'set', 'interface', name, `type=${p.kind}`, `options:remote_ip=${remote}`,
        `options:local_ip=${p.local}`, `options:key=${p.id}`, ...(p.dstport !== undefined ? [`options:dst_port=${p.dstport}`] : []), `mtu_request=${p.mtu}`]),
    ];
  }
  const dev = p.dev ? ['dev', assertIfname(p.dev, 'underlay interface')] : [];
  const create = p.kind === 'vxlan'
    ? ['ip', 'link', 'add', name, 'type', 'vxlan', 'id', String(p.id), ...(p.remotes.length === 1 ? ['remote', p.remotes[0] as string] : []),
      'local', p.local, 'dstport', String(p.dstport ?? DEFAULT_VXLAN_PORT), ...dev]
    : ['ip', 'link', 'add', name, 'type', 'gretap', 'remote', p.remotes[0] ?? '', 'local', p.local, 'key', String(p.id)];
  const flood = p.kind === 'vxlan' && p.remotes.length > 1
    ? p.remotes.map((r): TcStep => ({ argv: ['bridge', 'fdb', 'append', '00:00:00:00:00:00', 'dev', name, 'dst', r], tolerate: ALREADY_EXISTS }))
    : [];
  return [
    { argv: ['ip', 'link', 'del', 'dev', name], tolerate: NO_DEVICE },
    must(create),
    ...flood,
    must(['ip', 'link', 'set', 'dev', name, 'mtu', String(p.mtu)]),
    must(['ip', 'link', 'set', 'dev', name, 'master', br]),
    must(['ip', 'link', 'set', 'dev', name, 'up']),
  ];
}

/** Removes the port (an absent one is fine). */
export function renderTunnelTeardown(p: TunnelPort): TcStep[] {
  const name = assertIfname(p.name, 'tunnel port');
  if (p.impl === 'ovs') return [must(['ovs-vsctl', '--if-exists', 'del-port', assertIfname(p.bridge, 'bridge name'), name])];
  return [{ argv: ['ip', 'link', 'del', 'dev', name], tolerate: NO_DEVICE }];
}

/** Tools a host needs for its tunnel ports. */
export function tunnelTools(ports: readonly TunnelPort[]): string[] {
  const t = new Set<string>();
  for (const p of ports) {
    t.add(p.impl === 'ovs' ? 'ovs-vsctl' : 'ip');
    if (p.impl === 'linux' && p.kind === 'vxlan' && p.remotes.length > 1) t.add('bridge');
  }
  return [...t];
}
