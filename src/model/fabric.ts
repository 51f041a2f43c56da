// Networks that span hosts: which hosts a network is on, which one carries its gateway, the
// tunnel header each kind costs and the MTU that leaves. Pure.
import type { Host, Network, Tunnel } from './types';

/** The hosts a network is on: its `hosts`, else its one `host`. */
export function networkHosts(net: Network | undefined): string[] {
  if (!net) return [];
  if (Array.isArray(net.hosts)) return net.hosts.filter((h) => typeof h === 'string');
  return typeof net.host === 'string' ? [net.host] : [];
}

export function onHost(net: Network | undefined, host: string): boolean {
  return networkHosts(net).includes(host);
}

/** The host that carries the network's gateway address, NAT and DHCP (the first of `hosts`). */
export function homeHost(net: Network | undefined): string | undefined {
  return networkHosts(net)[0];
}

/** True for a network on more than one host (it needs a tunnel). */
export function isSpanning(net: Network | undefined): boolean {
  return networkHosts(net).length > 1;
}

/** Bytes the tunnel adds to each frame: VXLAN over IPv4 50, GRETAP over IPv4 38. */
export function tunnelOverhead(t: Tunnel): number {
  return t.kind === 'vxlan' ? 50 : 38;
}

export const DEFAULT_UNDERLAY_MTU = 1500;
export const DEFAULT_VXLAN_PORT = 4789;

/** The largest MTU a spanning network can have over the underlays of its hosts. */
export function maxTunnelMtu(t: Tunnel, hosts: readonly (Host | undefined)[]): number {
  const under = Math.min(...hosts.map((h) => h?.underlayMtu ?? DEFAULT_UNDERLAY_MTU));
  return under - tunnelOverhead(t);
}

/** The MTU a spanning network's bridge and tunnel ports get: `mtu`, else the most the underlay leaves. */
export function tunnelMtu(net: Network, hosts: readonly (Host | undefined)[]): number {
  return net.mtu ?? (net.tunnel ? maxTunnelMtu(net.tunnel, hosts) : DEFAULT_UNDERLAY_MTU);
}

/** The tunnel's identifier: the VNI of vxlan, the key of gre. */
export function tunnelId(t: Tunnel): number | undefined {
  return t.kind === 'vxlan' ? t.vni : t.key;
}

/** `host \`hv1\`` or `hosts \`hv1\`, \`hv2\``, for messages. */
export function hostList(net: Network | undefined): string {
  const hs = networkHosts(net);
  return `${hs.length > 1 ? 'hosts' : 'host'} ${hs.map((h) => `\`${h}\``).join(', ')}`;
}
