// Tunnels of networks that span hosts: the ports each host gets (examples/two-host-fabric.vsim.yaml
// and a three-host variant), the exact commands and their quoted command lines, reading them back
// from what ip / ovs-vsctl print, and plan → apply → plan → destroy on two fake hosts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../../src/model/analyze';
import type { Topology } from '../../../src/model/types';
import { renderTunnelSetup, renderTunnelTeardown, tunnelPorts } from '../../../src/deploy/renderTunnels';
import { buildCommand } from '../../../src/remote/quote';
import { applyPlan, describeChange, destroyLab, driftCount, planLab } from '../../../src/plan';
import { greKey, parseLinuxTunnels, parseOvsTunnels, tunnelChanges } from '../../../src/plan/tunnels';
import { depsFor, fakeBackend, fakeHost } from './fakes';

const EXAMPLE = join(__dirname, '..', '..', '..', 'examples', 'two-host-fabric.vsim.yaml');
function example(): Topology {
  const a = analyze(readFileSync(EXAMPLE, 'utf8'));
  assert.ok(a.topology);
  return a.topology;
}
const lines = (steps: { argv: string[] }[]): string[] => steps.map((s) => buildCommand(s.argv));

test('two hosts: a Linux vxlan device with one remote per host, an OVS gre port towards the other host', () => {
  const t = example();
  assert.deepEqual(tunnelPorts(t, 'hv1').map((p) => [p.name, p.impl, p.kind, p.id, p.local, p.remotes.join(','), p.bridge, p.mtu]), [
    ['vx42', 'linux', 'vxlan', 42, '10.99.0.1', '10.99.0.2', 'fabric', 1450],
    ['gt7-1', 'ovs', 'gre', 7, '10.99.0.1', '10.99.0.2', 'ovs-stor', 1462],
  ]);
  assert.deepEqual(tunnelPorts(t, 'hv2').map((p) => [p.name, p.local, p.remotes.join(',')]), [['vx42', '10.99.0.2', '10.99.0.1'], ['gt7-0', '10.99.0.2', '10.99.0.1']]);
  const [vx, gre] = tunnelPorts(t, 'hv1');
  assert.ok(vx && gre);
  assert.deepEqual(lines(renderTunnelSetup(vx)), [
    'ip link del dev vx42',
    'ip link add vx42 type vxlan id 42 remote 10.99.0.2 local 10.99.0.1 dstport 4789 dev eth1',
    'ip link set dev vx42 mtu 1450',
    'ip link set dev vx42 master fabric',
    'ip link set dev vx42 up',
  ]);
  assert.deepEqual(lines(renderTunnelSetup(gre)), [
    'ovs-vsctl --if-exists del-port ovs-stor gt7-1',
    "ovs-vsctl add-port ovs-stor gt7-1 -- set interface gt7-1 'type=gre' 'options:remote_ip=10.99.0.2' 'options:local_ip=10.99.0.1' 'options:key=7' 'mtu_request=1462'",
  ]);
  assert.deepEqual(lines(renderTunnelTeardown(vx)), ['ip link del dev vx42']);
  assert.deepEqual(lines(renderTunnelTeardown(gre)), ['ovs-vsctl --if-exists del-port ovs-stor gt7-1']);
});

test('three hosts: vxlan floods to every peer from one device (no loop); point-to-point ports form a star around the first host', () => {
  const t = example();
  t.hosts.hv3 = { address: '198.51.100.13', underlay: '10.99.0.3' };
  for (const n of ['fabric', 'storage']) (t.networks as NonNullable<Topology['networks']>)[n]!.hosts = ['hv1', 'hv2', 'hv3'];
  const vx = tunnelPorts(t, 'hv2')[0];
  assert.ok(vx);
  assert.deepEqual(vx.remotes, ['10.99.0.1', '10.99.0.3']);
  assert.deepEqual(lines(renderTunnelSetup(vx)).slice(1, 4), [
    'ip link add vx42 type vxlan id 42 local 10.99.0.2 dstport 4789 dev eth1',
    'bridge fdb append 00:00:00:00:00:00 dev vx42 dst 10.99.0.1',
    'bridge fdb append 00:00:00:00:00:00 dev vx42 dst 10.99.0.3',
  ]);
  assert.deepEqual(tunnelPorts(t, 'hv1').filter((p) => p.impl === 'ovs').map((p) => `${p.name}→${p.remotes[0]}`), ['gt7-1→10.99.0.2', 'gt7-2→10.99.0.3']);
  assert.deepEqual(tunnelPorts(t, 'hv3').filter((p) => p.impl === 'ovs').map((p) => `${p.name}→${p.remotes[0]}`), ['gt7-0→10.99.0.1']);
});

test('a host without an underlay address, or not on the network, gets no port', () => {
  const t = example();
  delete t.hosts.hv2?.underlay;
  assert.deepEqual(tunnelPorts(t, 'hv2'), []);
  assert.deepEqual(tunnelPorts(t, 'nohost'), []);
});

test('read back: ip -j -d (as iproute2 6.1 prints it), the flood entries, OVS interfaces; GRE keys dotted or numeric', () => {
  const links = JSON.parse('[{"ifindex":3,"ifname":"vx42","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1450,"qdisc":"noqueue","master":"br0","operstate":"UNKNOWN","linkinfo":{"info_kind":"vxlan","info_data":{"id":42,"local":"10.0.0.1","port_range":{"low":0,"high":0},"port":4789,"learning":true}}}]') as Parameters<typeof parseLinuxTunnels>[0];
  const have = parseLinuxTunnels(links, ['00:00:00:00:00:00 dev vx42 dst 10.0.0.3 self permanent', '00:00:00:00:00:00 dev vx42 dst 10.0.0.4 self permanent', '00:00:00:00:00:00 dev other dst 1.1.1.1 self permanent']);
  assert.deepEqual(have.get('vx42'), { kind: 'vxlan', id: 42, dstport: 4789, local: '10.0.0.1', remotes: ['10.0.0.3', '10.0.0.4'], master: 'br0', mtu: 1450, up: true });
  assert.equal(greKey('0.0.0.7'), 7);
  assert.equal(greKey('0.0.1.1'), 257);
  assert.equal(greKey(9), 9);
  const ovs = parseOvsTunnels(JSON.stringify({ data: [['gt7-1', 'gre', ['map', [['key', '7'], ['local_ip', '10.99.0.1'], ['remote_ip', '10.99.0.2']]], 1462], ['eth0', 'system', ['map', []], ['set', []]]], headings: ['name', 'type', 'options', 'mtu_request'] }), new Map([['ovs-stor', ['gt7-1', 'tap-web-s']]]));
  assert.deepEqual([...ovs.keys()], ['gt7-1']);
  assert.deepEqual(ovs.get('gt7-1'), { kind: 'gre', id: 7, local: '10.99.0.1', remotes: ['10.99.0.2'], master: 'ovs-stor', mtu: 1462, up: true });
});

test('plan lines: missing, differing (remote, bridge), blocked without the underlay address on the host', () => {
  const t = example();
  const facts = (linux: ReturnType<typeof parseLinuxTunnels>, addrs: string[]) => ({ tools: new Set(['ip', 'ovs-vsctl']), addrs: new Map([['eth1', addrs]]), linux, ovs: new Map() });
  const missing = tunnelChanges(t, 'hv1', facts(new Map(), ['10.99.0.1/24']));
  assert.deepEqual(missing.map(describeChange), [
    '+ tunnel vx42 (network fabric, vxlan 42 to 10.99.0.2): missing on hv1, will be added to fabric',
    '+ tunnel gt7-1 (network storage, gre 7 to 10.99.0.2): missing on hv1, will be added to ovs-stor',
  ]);
  const wrong = new Map([['vx42', { kind: 'vxlan', id: 42, dstport: 4789, local: '10.99.0.1', remotes: ['10.99.0.9'], master: 'br0', mtu: 1450, up: true }]]);
  const differs = tunnelChanges(t, 'hv1', facts(wrong, ['10.99.0.1/24']))[0];
  assert.ok(differs);
  assert.equal(describeChange(differs), '~ tunnel vx42 (network fabric): remote 10.99.0.2 (host: 10.99.0.9), bridge fabric (host: br0), will be recreated');
  const blocked = tunnelChanges(t, 'hv1', facts(new Map(), ['192.0.2.1/24']))[0];
  assert.match(blocked?.blockedBy ?? '', /hv1 has no address 10\.99\.0\.1 \(its hosts\.hv1\.underlay\)/);
});

test('plan → apply on both hosts in parallel → in sync; destroy removes only the declared ports', async () => {
  const t = example();
  delete t.networks?.storage; // OVS is not modelled by the fake host
  delete t.networks?.fabric?.dhcp; // nor are dnsmasq's files
  for (const vm of Object.values(t.vms ?? {})) vm.nics = vm.nics?.filter((n) => n.network === 'fabric');
  const tools = ['virsh', 'ip', 'dnsmasq', 'tc'];
  const hv1 = fakeHost({ tools, ifaces: [{ name: 'eth1', addrs: ['10.99.0.1/24'] }] });
  const hv2 = fakeHost({ tools, ifaces: [{ name: 'eth1', addrs: ['10.99.0.2/24'] }] });
  hv2.state.vxlan = [{ ifname: 'vx99', flags: ['UP'], mtu: 1450, linkinfo: { info_kind: 'vxlan', info_data: { id: 99, port: 4789 } } }]; // not the file's
  const deps = depsFor({ hv1, hv2 }, fakeBackend({ web: {}, db: {} }, new Map()));
  const plan = await planLab({ topology: t }, deps);
  assert.deepEqual(plan.hosts.map((h) => h.changes.filter((c) => c.kind.startsWith('tunnel')).map((c) => c.id)), [['hv1/tunnel/vx42'], ['hv2/tunnel/vx42']]);
  let inFlight = 0;
  let both = false;
  const r = await applyPlan(plan, 'all', { topology: t }, deps, {
    onEvent: (e) => {
      if (!e.id.includes('/tunnel/') && !e.id.includes('/network/')) return;
      if (e.kind === 'start') inFlight++;
      else inFlight--;
      if (inFlight > 1) both = true;
    },
  });
  assert.deepEqual(r.failed, []);
  assert.ok(both, 'the two hosts are applied side by side');
  assert.deepEqual(hv1.state.vxlan?.map((v) => [v.ifname, v.master, v.mtu, v.linkinfo.info_data.remote]), [['vx42', 'fabric', 1450, '10.99.0.2']]);
  // The gateway address is on the first host only; both bridges get the MTU.
  assert.ok(hv1.calls.some((c) => c.join(' ') === 'ip addr replace 10.30.0.1/24 dev fabric'));
  assert.ok(!hv2.calls.some((c) => c[1] === 'addr'));
  for (const h of [hv1, hv2]) assert.ok(h.calls.some((c) => c.join(' ') === 'ip link set dev fabric mtu 1450'));
  const again = await planLab({ topology: t }, deps);
  assert.deepEqual(again.hosts.flatMap((h) => h.changes.filter((c) => c.kind.startsWith('tunnel'))), []);
  assert.deepEqual(again.hosts.flatMap((h) => h.changes.filter((c) => c.kind !== 'vm-missing')).map(describeChange), []);
  assert.equal(driftCount(again), 0);
  const d = await destroyLab({ topology: t }, deps);
  assert.deepEqual(d.failed, []);
  assert.deepEqual(hv1.state.vxlan, []);
  assert.deepEqual(hv2.state.vxlan?.map((v) => v.ifname), ['vx99']);
  assert.ok(!hv2.calls.some((c) => c.includes('vx99')));
});
