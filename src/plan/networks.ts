// A host's networks in ONE round trip (with the tool probe): Linux bridges and addresses
// (`ip -j`), OVS bridges (`ovs-vsctl list-br` when present), the NAT chain (`iptables -t nat -S
// POSTROUTING`) and vsim's dnsmasq files; compared with what src/deploy renders for the file's
// networks (the same renderers nix/ and the golden vectors use). Pure but for `inspectHostNetworks`.
import { shScript, splitSections } from '../backends/script';
import type { CommandRunner } from '../backends/backend';
import { renderDnsmasqLines } from '../deploy/renderDnsmasq';
import { dnsmasqConfPath, natRule, renderDnsmasqConf } from '../deploy/renderNetworkSetup';
import { parseCidr } from '../model/ipv4';
import { bridgeName, type Network, type Topology } from '../model/types';
import { parseLinuxTunnels, parseOvsTunnels, type HaveTunnel } from './tunnels';
import type { Change, FieldDiff } from './types';
import { homeHost, onHost } from '../model/fabric';

/** Sections: `tools` (present ones, one a line), `links`, `addrs` (ip -j), `ovs`, tunnels (`vxlan`, `gretap`,
 * `fdb`, `ovsif`, `ovsports BR`), `nat`, `dnsmasq FILE` per vsim file. */
export const NETWORK_SCRIPT = [
  "printf '@@vsim tools\\n'",
  'for t in "$@"; do command -v "$t" >/dev/null 2>&1 && printf "%s\\n" "$t"; done',
  "printf '@@vsim links\\n'",
  "ip -j link show type bridge 2>/dev/null || echo '[]'",
  "printf '@@vsim addrs\\n'",
  "ip -j addr show 2>/dev/null || echo '[]'",
  "printf '@@vsim ovs\\n'",
  '! command -v ovs-vsctl >/dev/null 2>&1 || ovs-vsctl list-br 2>/dev/null',
  "printf '@@vsim vxlan\\n'",
  "ip -j -d link show type vxlan 2>/dev/null || echo '[]'",
  "printf '@@vsim gretap\\n'",
  "ip -j -d link show type gretap 2>/dev/null || echo '[]'",
  "printf '@@vsim fdb\\n'",
  "! command -v bridge >/dev/null 2>&1 || bridge fdb show 2>/dev/null | grep '^00:00:00:00:00:00 ' || true",
  'if command -v ovs-vsctl >/dev/null 2>&1; then',
  "  printf '@@vsim ovsif\\n'",
  '  ovs-vsctl -f json --columns=name,type,options,mtu_request list interface 2>/dev/null',
  '  for b in $(ovs-vsctl list-br 2>/dev/null); do',
  "    printf '@@vsim ovsports %s\\n' \"$b\"",
  '    ovs-vsctl list-ports "$b" 2>/dev/null',
  '  done',
  'fi',
  "printf '@@vsim nat\\n'",
  '! command -v iptables >/dev/null 2>&1 || iptables -t nat -S POSTROUTING 2>/dev/null',
  'for f in /etc/dnsmasq.d/vsim-*.conf; do',
  '  [ -f "$f" ] || continue',
  "  printf '@@vsim dnsmasq %s\\n' \"$f\"",
  '  cat "$f"',
  'done',
  'exit 0',
].join('\n');

export interface HostNetworks {
  tools: Set<string>;
  /** Linux bridges: name → up. */
  bridges: Map<string, boolean>;
  /** Linux bridge → its MTU. */
  mtus: Map<string, number>;
  /** Interface → its IPv4 addresses as `a.b.c.d/len`. */
  addrs: Map<string, string[]>;
  ovs: Set<string>;
  /** `iptables -t nat -S POSTROUTING` lines. */
  nat: string[];
  /** vsim dnsmasq file path → its text. */
  dnsmasq: Map<string, string>;
  /** Linux vxlan / gretap devices by name. */
  linuxTunnels: Map<string, HaveTunnel>;
  /** OVS vxlan / gre interfaces by name. */
  ovsTunnels: Map<string, HaveTunnel>;
}

function json<T>(text: string): T[] {
  try {
    const v = JSON.parse(text || '[]') as unknown;
    return Array.isArray(v) ? (v as T[]) : [];
  } catch {
    return [];
  }
}

export function parseHostNetworks(stdout: string): HostNetworks {
  const out: HostNetworks = { tools: new Set(), bridges: new Map(), mtus: new Map(), addrs: new Map(), ovs: new Set(), nat: [], dnsmasq: new Map(), linuxTunnels: new Map(), ovsTunnels: new Map() };
  const tunnelLinks: Parameters<typeof parseLinuxTunnels>[0][number][] = [];
  let fdb: string[] = [];
  let ovsif = '';
  const ovsPorts = new Map<string, string[]>();
  const lines = (s: string): string[] => s.split('\n').map((l) => l.trim()).filter(Boolean);
  for (const s of splitSections(stdout)) {
    if (s.kind === 'tools') lines(s.body).forEach((t) => out.tools.add(t));
    else if (s.kind === 'links') {
      for (const l of json<{ ifname?: string; flags?: string[]; mtu?: number }>(s.body)) {
        if (!l.ifname) continue;
        out.bridges.set(l.ifname, !!l.flags?.includes('UP'));
        if (typeof l.mtu === 'number') out.mtus.set(l.ifname, l.mtu);
      }
    } else if (s.kind === 'addrs') {
      for (const l of json<{ ifname?: string; addr_info?: { family?: string; local?: string; prefixlen?: number }[] }>(s.body)) {
        if (!l.ifname) continue;
        out.addrs.set(l.ifname, (l.addr_info ?? []).filter((a) => a.family === 'inet' && a.local).map((a) => `${a.local}/${a.prefixlen}`));
      }
    } else if (s.kind === 'ovs') lines(s.body).forEach((b) => out.ovs.add(b));
    else if (s.kind === 'vxlan' || s.kind === 'gretap') tunnelLinks.push(...json<Parameters<typeof parseLinuxTunnels>[0][number]>(s.body));
    else if (s.kind === 'fdb') fdb = lines(s.body);
    else if (s.kind === 'ovsif') ovsif = s.body;
    else if (s.kind === 'ovsports') ovsPorts.set(s.arg, lines(s.body));
    else if (s.kind === 'nat') out.nat = lines(s.body);
    else if (s.kind === 'dnsmasq') out.dnsmasq.set(s.arg, s.body);
  }
  out.linuxTunnels = parseLinuxTunnels(tunnelLinks, fdb);
  out.ovsTunnels = parseOvsTunnels(ovsif, ovsPorts);
  return out;
}

/** One round trip: the tool probe and the network facts of the host. */
export async function inspectHostNetworks(run: CommandRunner, tools: readonly string[]): Promise<HostNetworks> {
  const r = await run.exec(shScript(NETWORK_SCRIPT, tools), { timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`network inspection failed (exit ${r.code}): ${r.stderr.trim()}`);
  return parseHostNetworks(r.stdout);
}

/** The declared networks of a host, in file order. */
export function hostNetworks(topology: Topology, host: string): [string, Network][] {
  return Object.entries(topology.networks ?? {}).filter(([, n]) => onHost(n, host));
}

/** The dnsmasq file text vsim writes for a network ('' when it has no dhcp). */
export function dnsmasqText(topology: Topology, name: string): string {
  const lines = renderDnsmasqLines(topology, name);
  return lines.length ? renderDnsmasqConf({ [name]: lines }) : '';
}

/** Tools a network needs on `host` (NAT and DHCP only on the host that carries its gateway). */
export function networkTools(net: Network, host?: string): string[] {
  const home = host === undefined || homeHost(net) === host;
  return [net.kind === 'ovs' ? 'ovs-vsctl' : 'ip', ...(net.nat && home ? ['iptables'] : []), ...(net.dhcp && home ? ['dnsmasq'] : [])];
}

/** network-missing / network-differs for the host's declared networks. */
export function networkChanges(topology: Topology, host: string, have: HostNetworks): Change[] {
  const out: Change[] = [];
  for (const [name, net] of hostNetworks(topology, host)) {
    const bridge = bridgeName(name, net);
    const missingTools = networkTools(net, host).filter((t) => !have.tools.has(t));
    const blockedBy = missingTools.length ? `${host} lacks ${missingTools.join(', ')}` : undefined;
    const base = { host, network: name, bridge, id: `${host}/network/${name}`, ...(blockedBy ? { blockedBy } : {}) };
    if (!have.bridges.has(bridge) && !have.ovs.has(bridge)) {
      out.push({ ...base, kind: 'network-missing' });
      continue;
    }
    const fields = [...bridgeFields(net, bridge, have), ...(homeHost(net) === host ? gatewayFields(topology, name, net, bridge, have) : [])];
    if (fields.length) out.push({ ...base, kind: 'network-differs', fields });
  }
  return out;
}

/** What differs in the bridge itself on every host of the network: its kind, link state and MTU. */
function bridgeFields(net: Network, bridge: string, have: HostNetworks): FieldDiff[] {
  const fields: FieldDiff[] = [];
  const isLinux = have.bridges.has(bridge);
  const kind = net.kind ?? 'bridge';
  const hasKind = have.ovs.has(bridge) ? 'ovs' : 'bridge';
  if (kind !== hasKind) fields.push({ field: 'kind', want: kind, have: hasKind });
  if (isLinux && !have.bridges.get(bridge)) fields.push({ field: 'state', want: 'up', have: 'down' });
  const mtu = have.mtus.get(bridge);
  if (isLinux && net.mtu !== undefined && mtu !== undefined && mtu !== net.mtu) fields.push({ field: 'mtu', want: String(net.mtu), have: String(mtu) });
  return fields;
}

/** What differs on the host that carries the network's gateway: its address, NAT rule and dnsmasq file. */
function gatewayFields(topology: Topology, name: string, net: Network, bridge: string, have: HostNetworks): FieldDiff[] {
  const fields: FieldDiff[] = [];
  const cidr = net.subnet ? parseCidr(net.subnet) : undefined;
  if (net.gateway && cidr) {
    const want = `${net.gateway}/${cidr.prefix}`;
    const addrs = have.addrs.get(net.hostInterface ?? bridge) ?? [];
    if (!addrs.includes(want)) fields.push({ field: 'gateway', want, have: addrs.join(', ') });
  }
  if (net.nat && net.subnet && !have.nat.includes(`-A ${natRule(net).join(' ')}`)) fields.push({ field: 'nat', want: 'MASQUERADE', have: '' });
  const leases = dnsmasqText(topology, name);
  const file = have.dnsmasq.get(dnsmasqConfPath(name));
  if (leases && (file ?? '').trim() !== leases.trim()) {
    const wantLines = leases.trim().split('\n').filter((l) => !l.startsWith('#'));
    const haveLines = (file ?? '').trim().split('\n').filter((l) => l && !l.startsWith('#'));
    fields.push({ field: 'dnsmasq', want: wantLines.filter((l) => !haveLines.includes(l)).join('; '), have: haveLines.filter((l) => !wantLines.includes(l)).join('; ') });
  }
  return fields;
}
