// dnsmasq configuration lines per network (static leases, range, domain, router). Pure;
// golden vectors in test/golden/ pin the text.
import { formatIp, parseCidr } from '../model/ipv4';
import { bridgeName, type Topology } from '../model/types';

function netmask(prefix: number): string {
  return formatIp(prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
}

/**
 * Lines for network `name` when it has `dhcp` (else []): interface, range (start,end,mask,12h or
 * base,static,mask), domain, router, then `dhcp-host=MAC,IP,NAME` for every VM NIC on it with mac
 * and ip (VMs in file order), then every slot on it with mac and ip whose MAC is not listed yet.
 * MACs lowercase.
 */
export function renderDnsmasqLines(topology: Topology, name: string): string[] {
  const net = topology.networks?.[name];
  if (!net) throw new Error(`No network ${JSON.stringify(name)} in the topology`);
  if (!net.dhcp) return [];
  const lines: string[] = [`interface=${net.hostInterface ?? bridgeName(name, net)}`];
  const cidr = net.subnet ? parseCidr(net.subnet) : undefined;
  const mask = cidr ? `,${netmask(cidr.prefix)}` : '';
  if (net.dhcp.start && net.dhcp.end) lines.push(`dhcp-range=${net.dhcp.start},${net.dhcp.end}${mask},12h`);
  else if (cidr) lines.push(`dhcp-range=${formatIp(cidr.base)},static${mask}`);
  if (net.dhcp.domain) lines.push(`domain=${net.dhcp.domain}`);
  if (net.gateway) lines.push(`dhcp-option=option:router,${net.gateway}`);
  const seen = new Set<string>();
  const lease = (mac: string, ip: string, host: string): void => {
    const m = mac.toLowerCase();
    if (seen.has(m)) return;
    seen.add(m);
    lines.push(`dhcp-host=${m},${ip},${host}`);
  };
  for (const [vm, v] of Object.entries(topology.vms ?? {})) {
    for (const nic of v.nics ?? []) if (nic.network === name && nic.mac && nic.ip) lease(nic.mac, nic.ip, vm);
  }
  for (const [slot, s] of Object.entries(topology.slots ?? {})) {
    if (s.network === name && s.mac && s.ip) lease(s.mac, s.ip, slot);
  }
  return lines;
}

/** All networks with dhcp, in file order: { network: lines }. */
export function renderDnsmasq(topology: Topology): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const name of Object.keys(topology.networks ?? {})) {
    const lines = renderDnsmasqLines(topology, name);
    if (lines.length) out[name] = lines;
  }
  return out;
}
