// Host network setup for a topology's networks: Linux bridges or OVS bridges, gateway address,
// NAT. argv steps, idempotent (existing things tolerated, addresses replaced). Pure.
import { parseCidr } from '../model/ipv4';
import { assertIfname } from '../model/names';
import { bridgeName, type Topology } from '../model/types';
import { ALREADY_EXISTS, must, type TcStep } from '../tc/steps';

/** iptables -D of an absent rule: exit 1, "Bad rule" / "does a matching rule exist". */
const NO_SUCH_RULE = { exitCodes: [1], stderr: /Bad rule|does a matching rule exist|No chain\/target\/match/ };

export function renderNetworkSetup(topology: Topology, host?: string): TcStep[] {
  const steps: TcStep[] = [];
  let forward = false;
  for (const [name, net] of Object.entries(topology.networks ?? {})) {
    if (host && net.host !== host) continue;
    const br = assertIfname(bridgeName(name, net), 'bridge name');
    const addrDev = net.hostInterface ? assertIfname(net.hostInterface, 'host interface') : br;
    if (net.kind === 'ovs') {
      steps.push(must(['ovs-vsctl', '--may-exist', 'add-br', br]));
      if (net.hostInterface) steps.push(must(['ovs-vsctl', '--may-exist', 'add-port', br, addrDev, '--', 'set', 'interface', addrDev, 'type=internal']));
    } else {
      steps.push({ argv: ['ip', 'link', 'add', 'name', br, 'type', 'bridge'], tolerate: ALREADY_EXISTS });
    }
    steps.push(must(['ip', 'link', 'set', 'dev', br, 'up']));
    if (addrDev !== br) steps.push(must(['ip', 'link', 'set', 'dev', addrDev, 'up']));
    const cidr = net.subnet ? parseCidr(net.subnet) : undefined;
    if (net.gateway && cidr) steps.push(must(['ip', 'addr', 'replace', `${net.gateway}/${cidr.prefix}`, 'dev', addrDev]));
    if (net.nat && net.subnet) {
      const rule = ['POSTROUTING', '-s', net.subnet, '!', '-d', net.subnet,
        ...(typeof net.nat === 'string' ? ['-o', assertIfname(net.nat, 'NAT interface')] : []), '-j', 'MASQUERADE'];
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
