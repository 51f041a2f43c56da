// A network spanning two sandbox hosts for real: vsim-hv1 and vsim-hv3 (test/sandbox/sandbox.sh; two
// network namespaces with their own sshd, joined by a veth link that is the tunnels' underlay).
// plan (bridge and vxlan port missing on each host) → apply (both hosts in parallel) → plan empty
// (what `ip -j -d` reads back matches) → traffic between an endpoint on each bridge crosses the
// tunnel (ping, and the vxlan device's counters) → a partition (each host drops on its side) stops
// the pings, heal restores them → destroy leaves no tunnel port and no bridge.
// The endpoints are network namespaces behind veth "taps" on each host's bridge, not guests: the
// sandbox has one libvirtd (on hv1), so no guest can run on hv3.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Topology } from '../../src/model/types';
import { applyPlan, describeChange, destroyLab, driftCount, planLab, type PlanDeps } from '../../src/plan';
import { TcOps, type PartitionEndRef } from '../../src/tc/ops';
import { sandboxEnv, SshRunner, type SandboxEnv } from './sshRunner';

type FabricEnv = SandboxEnv & { fabricHosts?: Record<string, { underlay: string; hv1Underlay: string }> };
const env = sandboxEnv() as FabricEnv | string;
const hv3 = typeof env === 'string' ? undefined : env.fabricHosts?.['vsim-hv3'];
const skip = typeof env === 'string' ? env : !hv3 ? 'the sandbox has no third host (env.json fabricHosts.vsim-hv3): restart it with this test/sandbox/sandbox.sh' : false;
if (skip) console.log(`# SKIP fabric sandbox tests: ${skip}`);

const BRIDGE = 'fabbr0';
const PORT = 'vx4242';
const topology = (): Topology => ({
  version: 1,
  name: 'fabric-sandbox',
  hosts: {
    'vsim-hv1': { sshConfigHost: 'vsim-hv1', kvm: false, underlay: hv3?.hv1Underlay },
    'vsim-hv3': { sshConfigHost: 'vsim-hv3', kvm: false, underlay: hv3?.underlay },
  },
  networks: {
    fab: { hosts: ['vsim-hv1', 'vsim-hv3'], bridge: BRIDGE, tunnel: { kind: 'vxlan', vni: 4242 }, subnet: '10.79.0.0/24', gateway: '10.79.0.1', mtu: 1450 },
  },
});
// One endpoint per host: netns vsim-fabN behind veth tap-fabN on the host's bridge.
const EP = {
  'vsim-hv1': { vm: 'ep1', iface: 'tap-fab1', names: ['ep1'], ip: '10.79.0.11', netns: 'vsim-fab1' },
  'vsim-hv3': { vm: 'ep3', iface: 'tap-fab3', names: ['ep3'], ip: '10.79.0.13', netns: 'vsim-fab3' },
} as const;
const runners = new Map<string, SshRunner>();
const run = (h: string): SshRunner => runners.get(h) as SshRunner;
const deps = (): PlanDeps => ({ runnerFor: async (h) => run(h), backends: {}, trusted: () => true });

async function sh(host: string, script: string): Promise<{ code: number; out: string }> {
  const r = await run(host).exec(['sh', '-c', script], { timeoutMs: 60_000 });
  return { code: r.code, out: `${r.stdout}${r.stderr}` };
}

async function addEndpoint(host: keyof typeof EP): Promise<void> {
  const e = EP[host];
  const r = await sh(host, [
    `ip netns add ${e.netns}`,
    `ip link add ${e.iface} type veth peer name eth0 netns ${e.netns}`,
    `ip link set dev ${e.iface} mtu 1450 master ${BRIDGE} up`,
    `ip -n ${e.netns} link set lo up`,
    `ip -n ${e.netns} addr add ${e.ip}/24 dev eth0`,
    `ip -n ${e.netns} link set dev eth0 mtu 1450 up`,
  ].join(' && '));
  assert.equal(r.code, 0, `endpoint on ${host}: ${r.out}`);
}

async function removeEndpoints(): Promise<void> {
  for (const [host, e] of Object.entries(EP)) await sh(host, `ip netns del ${e.netns} 2>/dev/null; ip link del ${e.iface} 2>/dev/null; true`);
}

/** Pings ep3 from ep1 (busybox's ping: the sandbox machine has no iputils): the number of replies out of `n`. */
async function pings(n = 3): Promise<number> {
  const r = await sh('vsim-hv1', `ip netns exec ${EP['vsim-hv1'].netns} busybox ping -c ${n} -i 0.3 -W 2 ${EP['vsim-hv3'].ip}; true`);
  const m = /(\d+) (?:packets )?received/.exec(r.out);
  assert.ok(m, `ping output: ${r.out}`);
  return Number(m[1]);
}

async function vxlanPorts(host: string): Promise<string[]> {
  const r = await run(host).exec(['ip', '-j', 'link', 'show', 'type', 'vxlan']);
  return (JSON.parse(r.stdout || '[]') as { ifname: string }[]).map((l) => l.ifname);
}

async function txPackets(host: string): Promise<number> {
  const r = await run(host).exec(['ip', '-j', '-s', 'link', 'show', 'dev', PORT]);
  return (JSON.parse(r.stdout) as { stats64: { tx: { packets: number } } }[])[0]?.stats64.tx.packets ?? -1;
}

before(async () => {
  if (skip || typeof env === 'string') return;
  for (const h of ['vsim-hv1', 'vsim-hv3']) runners.set(h, new SshRunner(env, h));
  await removeEndpoints();
  await destroyLab({ topology: topology() }, deps()); // a run that stopped half way
});

after(async () => {
  if (skip) return;
  await removeEndpoints();
  await destroyLab({ topology: topology() }, deps());
  for (const r of runners.values()) r.close();
});

test('plan: on each host the bridge and the vxlan port towards the other host are missing', { skip }, async () => {
  const plan = await planLab({ topology: topology() }, deps());
  assert.deepEqual(plan.hosts.map((h) => h.error ?? ''), ['', '']);
  assert.deepEqual(plan.hosts.map((h) => h.changes.map(describeChange)), [
    [`+ network fab: bridge ${BRIDGE} missing on vsim-hv1, will be created`, `+ tunnel ${PORT} (network fab, vxlan 4242 to ${hv3?.underlay}): missing on vsim-hv1, will be added to ${BRIDGE}`],
    [`+ network fab: bridge ${BRIDGE} missing on vsim-hv3, will be created`, `+ tunnel ${PORT} (network fab, vxlan 4242 to ${hv3?.hv1Underlay}): missing on vsim-hv3, will be added to ${BRIDGE}`],
  ]);
});

test('apply creates bridge and tunnel on both hosts; the plan afterwards is empty (ip -j -d reads them back as declared)', { skip }, async () => {
  const t = topology();
  const r = await applyPlan(await planLab({ topology: t }, deps()), 'all', { topology: t }, deps());
  assert.deepEqual(r.failed, []);
  assert.deepEqual(r.done.sort(), ['vsim-hv1/network/fab', 'vsim-hv1/tunnel/vx4242', 'vsim-hv3/network/fab', 'vsim-hv3/tunnel/vx4242']);
  const again = await planLab({ topology: t }, deps());
  assert.deepEqual(again.hosts.flatMap((h) => h.changes.map(describeChange)), []);
  assert.equal(driftCount(again), 0);
  const d = await run('vsim-hv3').exec(['ip', '-j', '-d', 'link', 'show', 'dev', PORT]);
  const info = (JSON.parse(d.stdout) as { master: string; mtu: number; linkinfo: { info_data: { id: number; remote: string; local: string; port: number } } }[])[0];
  assert.deepEqual([info?.master, info?.mtu, info?.linkinfo.info_data.id, info?.linkinfo.info_data.remote, info?.linkinfo.info_data.local, info?.linkinfo.info_data.port],
    [BRIDGE, 1450, 4242, hv3?.hv1Underlay, hv3?.underlay, 4789]);
});

test('an endpoint on hv1 pings one on hv3 across the tunnel; a partition stops the pings, heal restores them', { skip }, async () => {
  await addEndpoint('vsim-hv1');
  await addEndpoint('vsim-hv3');
  const tx0 = await txPackets('vsim-hv1');
  assert.equal(await pings(3), 3, 'ep1 → ep3 across the vxlan tunnel');
  const tx1 = await txPackets('vsim-hv1');
  assert.ok(tx1 - tx0 >= 3, `the vxlan port of hv1 sent the echo requests (tx ${tx0} → ${tx1})`);
  const ops = new TcOps();
  const t = topology();
  const end = (h: keyof typeof EP): PartitionEndRef => ({ vm: EP[h].vm, iface: EP[h].iface, names: [...EP[h].names], ip: EP[h].ip });
  const a = end('vsim-hv1');
  const b = end('vsim-hv3');
  const hosts = [{ host: 'vsim-hv1', run: run('vsim-hv1') }, { host: 'vsim-hv3', run: run('vsim-hv3') }] as const;
  const p = await ops.across(false, hosts[0], hosts[1], t, a, b);
  assert.deepEqual(p.errors.map(String), []);
  assert.equal(p.partitioned, true, 'both hosts read back their drop filter');
  assert.equal(await pings(3), 0, 'no reply while partitioned');
  const h = await ops.across(true, hosts[0], hosts[1], t, a, b);
  assert.deepEqual(h.errors.map(String), []);
  assert.equal(h.partitioned, false);
  assert.equal(await pings(3), 3, 'replies again after heal');
});

test('destroy removes the tunnel ports and bridges it declared, nothing else', { skip }, async () => {
  await removeEndpoints();
  const before1 = (await vxlanPorts('vsim-hv1')).filter((n) => n !== PORT);
  const r = await destroyLab({ topology: topology() }, deps());
  assert.deepEqual(r.failed, []);
  assert.deepEqual(r.done.sort(), ['vsim-hv1/network/fab', 'vsim-hv1/tunnel/vx4242', 'vsim-hv3/network/fab', 'vsim-hv3/tunnel/vx4242']);
  for (const h of ['vsim-hv1', 'vsim-hv3']) {
    assert.ok(!(await vxlanPorts(h)).includes(PORT), `${h} has no ${PORT}`);
    assert.notEqual((await run(h).exec(['ip', 'link', 'show', 'dev', BRIDGE])).code, 0, `${h} has no ${BRIDGE}`);
  }
  assert.deepEqual((await vxlanPorts('vsim-hv1')), before1);
});
