// Networks that span hosts: `host` or `hosts`, a tunnel with an identifier no other network uses,
// an underlay address on every host it joins, an MTU that fits the underlay, and links between
// VMs of different hosts that have a network to cross on.
import { DEFAULT_UNDERLAY_MTU, maxTunnelMtu, networkHosts, tunnelId, tunnelOverhead } from '../fabric';
import type { Host, Network, Topology } from '../types';
import { entries, type Check, type CheckContext } from './context';

type Report = CheckContext['report'];
type Tunnel = Exclude<Network['tunnel'], undefined | string>;

export const checkFabric: Check = ({ t, report }) => {
  checkUnderlays(t, report);
  const ids = new Map<string, string>(); // `vxlan 42` → network
  for (const [name, net] of entries(t.networks)) checkNetworkSpan(t, name, net, ids, report);
  checkCrossHostLinks(t, report);
};

/** Each host's tunnel endpoint has its own underlay address. */
function checkUnderlays(t: Topology, report: Report): void {
  const underlays = new Map<string, string>(); // address → host
  for (const [name, h] of entries(t.hosts)) {
    if (!h.underlay) continue;
    const other = underlays.get(h.underlay);
    if (other) report('error', 'underlay-taken', ['hosts', name, 'underlay'], `Host \`${name}\` has the same underlay address ${h.underlay} as host \`${other}\`; each host's tunnel endpoint needs its own address.`);
    else underlays.set(h.underlay, name);
  }
}

/** `host` or `hosts`; a network on two or more hosts has a tunnel with its own id, underlays and an MTU that fits. */
function checkNetworkSpan(t: Topology, name: string, net: Network, ids: Map<string, string>, report: Report): void {
  const at = (...p: (string | number)[]) => ['networks', name, ...p];
  if (net.host !== undefined && net.hosts !== undefined) {
    report('error', 'host-and-hosts', at('hosts'), `Network \`${name}\` gives both \`host\` and \`hosts\`: a network on one host has \`host\`, one that spans hosts has \`hosts\` (and a \`tunnel\`).`, { prefer: 'key' });
  }
  const on = networkHosts(net);
  const tunnel = net.tunnel && typeof net.tunnel === 'object' ? net.tunnel : undefined;
  if (on.length < 2) {
    if (tunnel && on.length === 1) report('warning', 'tunnel-unused', at('tunnel'), `Network \`${name}\` is on one host: its \`tunnel\` is not used. List the hosts it spans under \`hosts\`.`, { prefer: 'key' });
    return;
  }
  if (!tunnel) {
    report('error', 'span-without-tunnel', at('hosts'), `Network \`${name}\` spans ${on.join(', ')} but has no \`tunnel\`: add e.g. \`tunnel: { kind: vxlan, vni: 42 }\` so its bridges are joined.`, { prefer: 'key' });
    return;
  }
  checkTunnelId(name, tunnel, ids, report);
  on.forEach((h, i) => {
    const host = t.hosts?.[h];
    if (host && !host.underlay) {
      report('error', 'underlay-missing', at('hosts', i), `Host \`${h}\` has no \`underlay\` address: the ${tunnel.kind} tunnel of network \`${name}\` ends there. Add \`underlay: <its IPv4 address the other hosts reach>\` under hosts.${h}.`);
    }
  });
  checkTunnelMtu(name, net, tunnel, on.map((h) => t.hosts?.[h]), report);
  if (tunnel.port !== undefined && tunnel.kind !== 'vxlan') {
    report('warning', 'tunnel-port-ignored', at('tunnel', 'port'), `\`port\` is the UDP port of vxlan; a gre tunnel has none.`);
  }
}

/** A VNI (vxlan) or key (gre) that no other spanning network of the file uses. */
function checkTunnelId(name: string, tunnel: Tunnel, ids: Map<string, string>, report: Report): void {
  const id = tunnelId(tunnel);
  const idField = tunnel.kind === 'vxlan' ? 'vni' : 'key';
  if (id === undefined) {
    report('error', 'tunnel-without-id', ['networks', name, 'tunnel'], `The ${tunnel.kind} tunnel of network \`${name}\` needs a \`${idField}\` (unique in this file).`, { prefer: 'key' });
    return;
  }
  const k = `${tunnel.kind} ${id}`;
  const other = ids.get(k);
  if (other) report('error', 'tunnel-id-taken', ['networks', name, 'tunnel', idField], `${tunnel.kind === 'vxlan' ? 'VNI' : 'GRE key'} ${id} is already the tunnel of network \`${other}\`; give each spanning network its own.`);
  else ids.set(k, name);
}

/** The network's MTU fits the smallest underlay MTU of its hosts less the tunnel's header. */
function checkTunnelMtu(name: string, net: Network, tunnel: Tunnel, hosts: (Host | undefined)[], report: Report): void {
  const max = maxTunnelMtu(tunnel, hosts);
  if (typeof net.mtu !== 'number' || net.mtu <= max) return;
  const under = Math.min(...hosts.map((h) => h?.underlayMtu ?? DEFAULT_UNDERLAY_MTU));
  report('error', 'mtu-too-large', ['networks', name, 'mtu'], `MTU ${net.mtu} of network \`${name}\` does not fit its ${tunnel.kind} tunnel: the underlay MTU ${under} minus ${tunnelOverhead(tunnel)} bytes of header leaves ${max}.`);
}

/** A link between VMs of different hosts carries traffic only over a network both are on. */
function checkCrossHostLinks(t: Topology, report: Report): void {
  const netsOf = (v: NonNullable<Topology['vms']>[string]) => new Set((Array.isArray(v.nics) ? v.nics : []).map((n) => n?.network).filter((n): n is string => typeof n === 'string'));
  for (const [name, l] of entries(t.links)) {
    const [a, b] = Array.isArray(l.endpoints) ? l.endpoints : [];
    const va = typeof a === 'string' ? t.vms?.[a] : undefined;
    const vb = typeof b === 'string' ? t.vms?.[b] : undefined;
    if (!va || !vb || va.host === vb.host) continue;
    const nb = netsOf(vb);
    if (![...netsOf(va)].some((n) => nb.has(n))) {
      report('warning', 'link-no-path', ['links', name, 'endpoints'], `Link \`${name}\` joins \`${a}\` on \`${va.host}\` and \`${b}\` on \`${vb.host}\`, which share no network: give both a NIC on a network that spans ${va.host} and ${vb.host}.`, { prefer: 'key' });
    }
  }
}
