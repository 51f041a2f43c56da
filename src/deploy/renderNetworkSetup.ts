// Host network setup for a topology's networks: Linux bridges or OVS bridges, gateway address,
// NAT. argv steps, idempotent (existing things tolerated, addresses replaced). Pure.
import { homeHost, onHost } from '../model/fabric';
import { parseCidr } from '../model/ipv4';
import { assertIfname, assertName } from '../model/names';
import { bridgeName, type Network, type Topology } from '../model/types';
import { ALREADY_EXISTS, must, type TcStep } from '../tc/steps';

/** iptables -D of an absent rule: exit 1, "Bad rule" / "does a matching rule exist". */
const NO_SUCH_RULE = { exitCodes: [1], stderr: /Bad rule|does a matching rule exist|No chain\/target\/match/ };

/** The MASQUERADE rule of a network with `nat` (chain first, as `iptables -t nat -S` prints it after `-A`). */
export function natRule(net: Network): string[] {
  if (!net.subnet) return [];
  return ['POSTROUTING', '-s', net.subnet, '!', '-d', net.subnet,
    ...(typeof net.nat === 'string' ? ['-o', assertIfname(net.nat, 'NAT interface')] : []), '-j', 'MASQUERADE'];
}

/** Setup steps of the networks on `host` (all when absent). A spanning network's gateway address
 * and NAT are on its first host only; its bridge (and MTU) on each. */
export function renderNetworkSetup(topology: Topology, host?: string): TcStep[] {
  const steps: TcStep[] = [];
  let forward = false;
  for (const [name, net] of Object.entries(topology.networks ?? {})) {
    if (host && !onHost(net, host)) continue;
    const home = !host || homeHost(net) === host;
    const br = assertIfname(bridgeName(name, net), 'bridge name');
    const addrDev = net.hostInterface ? assertIfname(net.hostInterface, 'host interface') : br;
    if (net.kind === 'ovs') {
      steps.push(must(['ovs-vsctl', '--may-exist', 'add-br', br]));
      if (net.hostInterface) steps.push(must(['ovs-vsctl', '--may-exist', 'add-port', br, addrDev, '--', 'set', 'interface', addrDev, 'type=internal']));
    } else {
      steps.push({ argv: ['ip', 'link', 'add', 'name', br, 'type', 'bridge'], tolerate: ALREADY_EXISTS });
    }
    if (net.mtu !== undefined && net.kind !== 'ovs') steps.push(must(['ip', 'link', 'set', 'dev', br, 'mtu', String(net.mtu)]));
    steps.push(must(['ip', 'link', 'set', 'dev', br, 'up']));
    if (!home) continue;
    if (addrDev !== br) steps.push(must(['ip', 'link', 'set', 'dev', addrDev, 'up']));
    const cidr = net.subnet ? parseCidr(net.subnet) : undefined;
    if (net.gateway && cidr) steps.push(must(['ip', 'addr', 'replace', `${net.gateway}/${cidr.prefix}`, 'dev', addrDev]));
    if (net.nat && net.subnet) {
      const rule = natRule(net);
      steps.push({ argv: ['iptables', '-t', 'nat', '-D', ...rule], tolerate: NO_SUCH_RULE });
      steps.push(must(['iptables', '-t', 'nat', '-A', ...rule]));
      forward = true;
    }
  }
  if (forward) steps.push(must(['sysctl', '-w', 'net.ipv4.ip_forward=1']));
  return steps;
}

/** dnsmasq configuration file text for the networks of `host` (lines of renderDnsmasqLines, per network). */
export function renderDnsmasqConf(lines: Record<string, string[]>): string {
  return Object.entries(lines).map(([net, l]) => `# network ${net}\n${l.join('\n')}\n`).join('\n');
}

/** Where vsim keeps the dnsmasq configuration of a network on a host that is not NixOS-managed. */
export function dnsmasqConfPath(network: string): string {
  return `/etc/dnsmasq.d/vsim-${assertName(network, 'network name')}.conf`;
}

/** The pid file of the dnsmasq vsim starts for a network. */
export function dnsmasqPidPath(network: string): string {
  return `/run/vsim-dnsmasq-${assertName(network, 'network name')}.pid`;
}

/**
 * Writes a network's dnsmasq configuration (argument 3) to argument 1 and (re)starts one dnsmasq
 * for it with pid file argument 2 (DHCP only: `--port=0`). Constant text: see src/backends/script.ts.
 */
export const DNSMASQ_APPLY_SCRIPT = [
  'f=$1; pid=$2; text=$3',
  'mkdir -p "${f%/*}" && printf "%s" "$text" > "$f.tmp" && mv "$f.tmp" "$f" || exit 1',
  '[ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null; rm -f "$pid"',
  'exec dnsmasq --conf-file="$f" --pid-file="$pid" --bind-interfaces --port=0',
].join('\n');

/** Stops a network's dnsmasq and removes its configuration (arguments: conf file, pid file). */
export const DNSMASQ_REMOVE_SCRIPT = [
  'f=$1; pid=$2',
  '[ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null',
  'rm -f "$pid" "$f"',
].join('\n');

/**
 * Undoes renderNetworkSetup for the networks of `host`: the NAT rule, then the bridge (Linux or
 * OVS). Absent things are fine; ip_forward is left as it is (other networks may need it).
 */
export function renderNetworkTeardown(topology: Topology, host?: string): TcStep[] {
  const steps: TcStep[] = [];
  for (const [name, net] of Object.entries(topology.networks ?? {})) {
    if (host && !onHost(net, host)) continue;
    const br = assertIfname(bridgeName(name, net), 'bridge name');
    if (net.nat && net.subnet && (!host || homeHost(net) === host)) {
      steps.push({ argv: ['iptables', '-t', 'nat', '-D', ...natRule(net)], tolerate: NO_SUCH_RULE });
    }
    if (net.kind === 'ovs') steps.push(must(['ovs-vsctl', '--if-exists', 'del-br', br]));
    else steps.push({ argv: ['ip', 'link', 'del', 'dev', br], tolerate: { exitCodes: [1], stderr: /Cannot find device/ } });
  }
  return steps;
}
