// Addresses: IPs and gateways inside their subnet, no duplicate IPs, MACs, taps or bridges,
// no overlapping subnets on one host, DHCP ranges that make sense.
import { formatCidr, formatIp, inCidr, overlaps, parseCidr, parseIp, type Cidr } from '../ipv4';
import { bridgeName, type Path } from '../types';
import { entries, type Check } from './context';
import { networkHosts, onHost } from '../fabric';

interface Seen { path: Path; label: string }

export const checkAddresses: Check = ({ t, report }) => {
  const subnets = new Map<string, Cidr>();
  for (const [name, net] of entries(t.networks)) {
    const c = net.subnet ? parseCidr(net.subnet) : undefined;
    if (!c) continue;
    subnets.set(name, c);
    if (net.subnet && formatCidr(c) !== net.subnet) {
      report('warning', 'subnet-host-bits', ['networks', name, 'subnet'], `Subnet ${net.subnet} has host bits set; the network is ${formatCidr(c)}.`);
    }
    const inside = (ip: string | undefined, field: Path, what: string) => {
      const n = ip ? parseIp(ip) : undefined;
      if (n !== undefined && !inCidr(n, c)) {
        report('error', 'ip-outside-subnet', field, `${what} ${ip} is outside subnet ${formatCidr(c)} of network \`${name}\`.`);
      }
    };
    inside(net.gateway, ['networks', name, 'gateway'], 'Gateway');
    inside(net.dhcp?.start, ['networks', name, 'dhcp', 'start'], 'DHCP range start');
    inside(net.dhcp?.end, ['networks', name, 'dhcp', 'end'], 'DHCP range end');
    const s = net.dhcp?.start ? parseIp(net.dhcp.start) : undefined;
    const e = net.dhcp?.end ? parseIp(net.dhcp.end) : undefined;
    if (s !== undefined && e !== undefined && s > e) {
      report('error', 'dhcp-range-reversed', ['networks', name, 'dhcp', 'end'], `DHCP range ends (${net.dhcp?.end}) before it starts (${net.dhcp?.start}). Swap them.`);
    }
  }

  // Overlapping subnets on the same host.
  const nets = entries(t.networks);
  for (let i = 0; i < nets.length; i++) {
    for (let j = i + 1; j < nets.length; j++) {
      const [a, na] = nets[i]!;
      const [b, nb] = nets[j]!;
      const ca = subnets.get(a);
      const cb = subnets.get(b);
      const common = networkHosts(na).find((h) => onHost(nb, h));
      if (ca && cb && common !== undefined && overlaps(ca, cb)) {
        report('error', 'subnet-overlap', ['networks', b, 'subnet'],
          `Subnet ${nb.subnet} of \`${b}\` overlaps ${na.subnet} of \`${a}\` on host \`${common}\`. Give each network its own range.`);
      }
    }
  }

  // Every address in use, per network; MACs and taps per host.
  const ips = new Map<string, Map<number, Seen>>();
  const macs = new Map<string, Seen>();
  const taps = new Map<string, Seen>();
  const useIp = (network: string, ip: string | undefined, path: Path, label: string) => {
    const n = ip ? parseIp(ip) : undefined;
    if (n === undefined) return;
    const c = subnets.get(network);
    if (c) {
      if (!inCidr(n, c)) {
        report('error', 'ip-outside-subnet', path, `${label}: ${ip} is outside subnet ${formatCidr(c)} of network \`${network}\`.`,
          { fix: { kind: 'next-free-ip', network } });
        return;
      }
      if (c.size > 2 && (n === c.base || n === c.base + c.size - 1)) {
        report('error', 'ip-reserved', path, `${label}: ${ip} is the ${n === c.base ? 'network' : 'broadcast'} address of ${formatCidr(c)}.`,
          { fix: { kind: 'next-free-ip', network } });
        return;
      }
    }
    const net = t.networks?.[network];
    if (net?.gateway && parseIp(net.gateway) === n) {
      report('error', 'duplicate-ip', path, `${label}: ${ip} is the gateway of network \`${network}\`.`, { fix: { kind: 'next-free-ip', network } });
      return;
    }
    const m = ips.get(network) ?? new Map<number, Seen>();
    ips.set(network, m);
    const prev = m.get(n);
    if (prev) {
      report('error', 'duplicate-ip', path, `${label}: ${ip} is already used by ${prev.label} on network \`${network}\`.`, { fix: { kind: 'next-free-ip', network } });
    } else {
      m.set(n, { path, label });
    }
  };
  const useMac = (mac: string | undefined, path: Path, label: string) => {
    if (!mac) return;
    const key = mac.toLowerCase();
    const prev = macs.get(key);
    if (prev) report('error', 'duplicate-mac', path, `${label}: MAC ${mac} is already used by ${prev.label}.`, { fix: { kind: 'generate-mac' } });
    else macs.set(key, { path, label });
    const first = parseInt(key.slice(0, 2), 16);
    if (first & 1) report('error', 'multicast-mac', path, `${label}: MAC ${mac} is a multicast address (first octet is odd).`, { fix: { kind: 'generate-mac' } });
  };
  const useTap = (host: string, tap: string | undefined, path: Path, label: string) => {
    if (!tap) return;
    const key = `${host}/${tap}`;
    const prev = taps.get(key);
    if (prev) report('error', 'duplicate-interface', path, `${label}: interface \`${tap}\` is already used by ${prev.label} on host \`${host}\`.`);
    else taps.set(key, { path, label });
  };

  for (const [name, net] of entries(t.networks)) {
    for (const host of networkHosts(net)) useTap(host, bridgeName(name, net), net.bridge ? ['networks', name, 'bridge'] : ['networks', name], `network \`${name}\``);
  }
  for (const [name, slot] of entries(t.slots)) {
    useIp(slot.network, slot.ip, ['slots', name, 'ip'], `slot \`${name}\``);
    useMac(slot.mac, ['slots', name, 'mac'], `slot \`${name}\``);
  }
  for (const [name, vm] of entries(t.vms)) {
    (Array.isArray(vm.nics) ? vm.nics : []).forEach((nic, i) => {
      if (!nic || typeof nic !== 'object') return;
      const label = `VM \`${name}\` NIC ${i}`;
      // A microvm's NIC normally repeats its slot's identity; that is the same interface, not a clash.
      const slot = vm.slot ? t.slots?.[vm.slot] : undefined;
      const sameAsSlot = (a?: string, b?: string) => !!a && !!b && a.toLowerCase() === b.toLowerCase();
      if (!(slot && slot.network === nic.network && sameAsSlot(slot.ip, nic.ip))) useIp(nic.network, nic.ip, ['vms', name, 'nics', i, 'ip'], label);
      if (!(slot && sameAsSlot(slot.mac, nic.mac))) useMac(nic.mac, ['vms', name, 'nics', i, 'mac'], label);
      useTap(vm.host, nic.tap, ['vms', name, 'nics', i, 'tap'], label);
    });
  }

  // Static addresses inside the DHCP pool can be handed out twice.
  for (const [name, net] of entries(t.networks)) {
    const s = net.dhcp?.start ? parseIp(net.dhcp.start) : undefined;
    const e = net.dhcp?.end ? parseIp(net.dhcp.end) : undefined;
    if (s === undefined || e === undefined) continue;
    for (const [ip, seen] of ips.get(name) ?? []) {
      if (ip >= s && ip <= e) {
        report('warning', 'ip-in-dhcp-range', seen.path, `${seen.label}: ${formatIp(ip)} is inside the DHCP range ${net.dhcp?.start}–${net.dhcp?.end} of \`${name}\`; dnsmasq may hand it out twice.`,
          { fix: { kind: 'next-free-ip', network: name } });
      }
    }
  }
};
