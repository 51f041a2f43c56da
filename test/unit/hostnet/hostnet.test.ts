// The Networks node's parsing and rows, on output captured from real programs: the sandbox's hv1
// namespace (`ip -j -s link`, `ip -j addr`, `bridge -j link`, `ip -j neigh` with libvirt's taps)
// and a namespace with a real dnsmasq that gave a busybox udhcpc client its lease (probe-*.txt:
// the whole probe script's output; paths under /var/lib/vsim-test were the capture's directory).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HOSTNET_SCRIPT, hostnetProbe } from '../../../src/hostnet/probe';
import { parseAddrs, parseHostNet, parseLeases, parseLibvirtStatus, parseLinks, parseNeighbours, parsePortStates } from '../../../src/hostnet/parse';
import { formatBytes, hostNetView, liveIps } from '../../../src/hostnet/view';
import type { Topology } from '../../../src/model/types';

const fx = (f: string): string => readFileSync(join(__dirname, '../../fixtures/hostnet', f), 'utf8');

const sandbox: Topology = {
  version: 1, name: 'sandbox',
  hosts: { 'vsim-hv1': { address: '127.0.0.1' } },
  networks: { vsimbr0: { host: 'vsim-hv1', subnet: '192.168.100.0/24', gateway: '192.168.100.1' }, gone: { host: 'vsim-hv1', bridge: 'br-gone' } },
  vms: {
    chassis: { host: 'vsim-hv1', backend: 'libvirt', nics: [{ network: 'vsimbr0', mac: '52:54:00:00:00:10', ip: '192.168.100.10', tap: 'tap-chassis' }] },
    // No tap name in the file: found by libvirt's tap MAC (fe:… for 52:…).
    compute: { host: 'vsim-hv1', backend: 'libvirt', nics: [{ network: 'vsimbr0', mac: '52:54:00:00:00:11', ip: '192.168.100.11' }] },
  },
} as Topology;

test('ip -j -s link (sandbox hv1): bridge ports with master, MAC and counters', () => {
  const links = parseLinks(fx('hv1-ip-s-link.json'));
  const chassis = links.find((l) => l.name === 'tap-chassis');
  assert.equal(chassis?.master, 'vsimbr0');
  assert.equal(chassis?.mac, 'fe:54:00:00:00:10');
  assert.equal(chassis?.up, true);
  assert.ok(chassis?.rx && chassis.rx.bytes > 0 && chassis.rx.packets > 0, 'rx counters read');
  assert.equal(typeof chassis?.tx?.dropped, 'number');
  assert.equal(links.find((l) => l.name === 'vsimbr0')?.master, undefined);
});

test('ip -j addr: global addresses kept, link-local IPv6 left out', () => {
  const a = parseAddrs(fx('hv1-ip-addr.json'));
  assert.ok(a.vsimbr0?.includes('192.168.100.1/24'), JSON.stringify(a.vsimbr0));
  assert.ok(!Object.values(a).flat().some((x) => x.startsWith('fe80:')));
});

test('bridge -j link and ip -j neigh', () => {
  assert.equal(parsePortStates(fx('hv1-bridge-link.json'))['tap-chassis'], 'forwarding');
  assert.equal(parsePortStates(fx('ns-bridge-link.json')).vA, 'forwarding');
  assert.deepEqual(parseNeighbours(fx('ns-ip-neigh.json')), [{ ip: '10.9.0.10', dev: 'br0', mac: '52:54:00:aa:bb:01', state: 'DELAY' }]);
  assert.deepEqual(parseLinks('not json'), []);
});

test('dnsmasq lease file: IPv4 leases; DHCPv6 lines and junk left out', () => {
  assert.deepEqual(parseLeases(fx('dnsmasq.leases')), [{ expires: 1796647958, mac: '52:54:00:aa:bb:01', ip: '10.9.0.10', name: 'guest1' }]);
  const mixed = '0 52:54:00:00:00:12 10.0.0.5 * *\nduid 00:01:00:01:2c:aa\n1700000000 1234 fd00::5 h6 00:01\ngarbage line\n';
  assert.deepEqual(parseLeases(mixed), [{ expires: 0, mac: '52:54:00:00:00:12', ip: '10.0.0.5' }]);
});

test('the whole probe (real dnsmasq + udhcpc): tools, process, lease file, tap without carrier', () => {
  const f = parseHostNet(fx('probe-ok.txt'));
  assert.deepEqual(f.tools, ['ip', 'bridge', 'dnsmasq']);
  assert.equal(f.dnsmasq.length, 1);
  assert.ok(f.dnsmasq[0]?.args.includes('--dhcp-leasefile=/var/lib/vsim-test/l1.leases'));
  assert.deepEqual(f.leaseFiles.map((l) => [l.file, l.leases.map((x) => x.ip), l.error]), [['/var/lib/vsim-test/l1.leases', ['10.9.0.10'], undefined]]);
  const tap = f.links.find((l) => l.name === 'tap-g2');
  assert.equal(tap?.noCarrier, true);
  assert.equal(f.portState['tap-g2'], 'disabled');

  const topo = {
    version: 1, name: 'ns', hosts: { h: { address: '127.0.0.1' } },
    networks: { lan: { host: 'h', bridge: 'br0', subnet: '10.9.0.0/24', dhcp: {} } },
    vms: { guest1: { host: 'h', backend: 'libvirt', nics: [{ network: 'lan', mac: '52:54:00:AA:BB:01', ip: '10.9.0.10', tap: 'vA' }] } },
  } as Topology;
  const v = hostNetView(topo, 'h', f, 1_700_000_000_000);
  const lan = v.networks[0]!;
  assert.equal(lan.present, true);
  assert.deepEqual(lan.addrs, ['10.9.0.1/24']);
  assert.deepEqual(lan.ports.map((p) => [p.name, p.vm, p.stp, p.noCarrier]), [['tap-g2', undefined, 'disabled', true], ['vA', 'guest1', 'forwarding', false]]);
  assert.deepEqual(lan.leases.map((l) => [l.ip, l.mac, l.vm, l.expired]), [['10.9.0.10', '52:54:00:aa:bb:01', 'guest1', false]]);
  assert.deepEqual(v.dhcp, []);
  assert.deepEqual(liveIps(topo, 'guest1', f, 1_700_000_000_000).map((x) => [x.ip, x.source]), [['10.9.0.10', 'lease']]);
  // Once the lease has expired only the neighbour entry is live.
  assert.deepEqual(liveIps(topo, 'guest1', f, 1_900_000_000_000).map((x) => [x.ip, x.source]), [['10.9.0.10', 'neighbour']]);
});

test('faults: a lease file that went away is a clear note; a host without dnsmasq says so, as information', () => {
  const gone = parseHostNet(fx('probe-leases-gone.txt'));
  const notes = hostNetView({ version: 1, name: 'x', hosts: { h: {} } } as Topology, 'h', gone, 0).dhcp;
  assert.equal(notes.length, 1);
  assert.equal(notes[0]?.level, 'warning');
  assert.equal(notes[0]?.text, 'DHCP leases: cannot read /var/lib/vsim-test/l1.leases');
  assert.match(notes[0]?.detail ?? '', /No such file or directory/);

  const none = parseHostNet(fx('probe-no-dnsmasq.txt'));
  assert.ok(!none.tools.includes('dnsmasq'));
  const topo = { version: 1, name: 'x', hosts: { h: {} }, networks: { lan: { host: 'h', dhcp: {} } } } as Topology;
  const n = hostNetView(topo, 'h', none, 0).dhcp;
  assert.deepEqual(n.map((x) => [x.level, x.text]), [['warning', 'DHCP leases: not on this host']]);
  assert.match(n[0]!.detail, /no dnsmasq program on this host's PATH, though the file declares dhcp/);
  const noDhcp = hostNetView({ ...topo, networks: { lan: { host: 'h' } } } as Topology, 'h', none, 0).dhcp;
  assert.equal(noDhcp[0]?.level, 'info');
});

test('sandbox hv1: ports mapped to VMs by tap name and by tap MAC; a declared bridge that is absent is marked', () => {
  const facts = { ...parseHostNet(''), links: parseLinks(fx('hv1-ip-s-link.json')), addrs: parseAddrs(fx('hv1-ip-addr.json')), portState: parsePortStates(fx('hv1-bridge-link.json')) };
  const v = hostNetView(sandbox, 'vsim-hv1', facts, Date.now());
  const br = v.networks.find((n) => n.name === 'vsimbr0')!;
  assert.equal(br.up, true);
  const ports = Object.fromEntries(br.ports.map((p) => [p.name, p.vm]));
  assert.equal(ports['tap-chassis'], 'chassis');
  assert.equal(ports['tap-compute'], 'compute');
  assert.ok('tap-jetson1' in ports);
  const gone = v.networks.find((n) => n.name === 'gone')!;
  assert.equal(gone.present, false);
  assert.equal(gone.problem, 'bridge br-gone is not on this host');
  assert.deepEqual(v.dhcp.map((d) => d.text), ['DHCP leases: not on this host']);
});

test('formatBytes', () => {
  assert.deepEqual([0, 726, 3108, 5 * 1024 * 1024].map(formatBytes), ['0 B', '726 B', '3.0 KiB', '5.0 MiB']);
});

test('the probe is one constant sh script with its cap as the only argument, and it parses as POSIX sh', () => {
  const argv = hostnetProbe();
  assert.equal(argv[0], 'sh');
  assert.equal(argv[1], '-c');
  assert.deepEqual(argv.slice(3), ['vsim', '1048576']);
  // dash (Debian's sh) checks the syntax without running it.
  execFileSync('dash', ['-n', '-c', HOSTNET_SCRIPT]);
});

test('libvirt networks (leasefile-ro): the NAME.status JSON beside the conf file', () => {
  // The shape libvirt's leaseshelper writes (src/network/leaseshelper.c: ip-address, mac-address, hostname, expiry-time).
  const status = '[\n  {\n    "ip-address": "192.168.122.45",\n    "mac-address": "52:54:00:6b:1c:9e",\n    "hostname": "web1",\n    "client-id": "01:52:54:00:6b:1c:9e",\n    "expiry-time": 1765000000\n  }\n]\n';
  assert.deepEqual(parseLibvirtStatus(status), [{ expires: 1765000000, mac: '52:54:00:6b:1c:9e', ip: '192.168.122.45', name: 'web1' }]);
  const out = `@@vsim.${'0'.repeat(32)}\n@@vsim.${'0'.repeat(32)} lease /var/lib/libvirt/dnsmasq/virbr0.status\n${status}`;
  assert.equal(parseHostNet(out).leaseFiles[0]?.leases[0]?.ip, '192.168.122.45');
});
