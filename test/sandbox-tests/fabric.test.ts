// A network spanning two sandbox hosts for real: vsim-hv1 and vsim-hv3 (test/sandbox/sandbox.sh; two
// network namespaces with their own sshd, joined by a veth link that is the tunnels' underlay).
// plan (bridge and vxlan port missing on each host) → apply (both hosts in parallel) → plan empty
// (what `ip -j -d` reads back matches) → Up starts a real QEMU/TCG guest on each host (qemu backend:
// the sandbox's launcher test/sandbox/qemu/up.sh, its tap on the spanning bridge) → the guest on hv1
// pings the guest on hv3 across the tunnel (typed on its serial console; the vxlan device's counters
// grow) → a partition (each host drops on its side) stops the pings, heal restores them → a link
// impairment (rate on each side's tap) is shaped, counted, read back, cleared → destroy stops the
// guests and leaves no tunnel port and no bridge.
// hv3 has no libvirtd (the sandbox has one, on hv1), so both guests are qemu-backend VMs: QEMU
// started by vsim's Start from the declared launcher, in the host's network namespace (./fabricLab).
import { spawn } from 'node:child_process';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createQemuBackend } from '../../src/backends/qemu/backend';
import type { Topology, Vm } from '../../src/model/types';
import { applyPlan, describeChange, destroyLab, driftCount, planLab, upLab, type PlanDeps } from '../../src/plan';
import { linkTaps } from '../../src/tc/linkTargets';
import { TcOps, vmIfaces, type PartitionEndRef } from '../../src/tc/ops';
import { fabricGuestDown, fabricGuestVm, guestSockDir } from './fabricLab';
import { typeAtPrompt } from './guestShell';
import { SANDBOX, sandboxEnv, SshRunner, until, type SandboxEnv } from './sshRunner';

type FabricEnv = SandboxEnv & { fabricHosts?: Record<string, { underlay: string; hv1Underlay: string; netns: string }> };
const env = sandboxEnv() as FabricEnv | string;
const hv3 = typeof env === 'string' ? undefined : env.fabricHosts?.['vsim-hv3'];
const skip = typeof env === 'string' ? env : !hv3 ? 'the sandbox has no third host (env.json fabricHosts.vsim-hv3): restart it with this test/sandbox/sandbox.sh' : false;
if (skip) console.log(`# SKIP fabric sandbox tests: ${skip}`);

const BRIDGE = 'fabbr0';
const PORT = 'vx4242';
const LINK = 'fab1-fab3';
// One guest per host: a qemu VM whose tap is on the host's end of the spanning network.
const GUEST = {
  fab1: { host: 'vsim-hv1', netns: 'vsim-hv1', mac: '52:54:00:0f:ab:01', ip: '10.79.0.11', tap: 'tap-fab1' },
  fab3: { host: 'vsim-hv3', netns: hv3?.netns ?? 'vsim-hv3', mac: '52:54:00:0f:ab:03', ip: '10.79.0.13', tap: 'tap-fab3' },
} as const;
type GuestName = keyof typeof GUEST;
const guestVm = (name: GuestName): Vm => fabricGuestVm(name, { ...GUEST[name], network: 'fab', bridge: BRIDGE });
const sockDir = guestSockDir;

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
  vms: { fab1: guestVm('fab1'), fab3: guestVm('fab3') },
  links: { [LINK]: { endpoints: ['fab1', 'fab3'] } },
});
/** The same file without its VMs (the plan of the network part alone). */
const networkOnly = (): Topology => ({ ...topology(), vms: {}, links: {} });

const runners = new Map<string, SshRunner>();
const run = (h: string): SshRunner => runners.get(h) as SshRunner;
const deps = (): PlanDeps => ({ runnerFor: async (h) => run(h), backends: { qemu: createQemuBackend() }, trusted: () => true });

const guestDown = (name: GuestName): Promise<void> => fabricGuestDown(run(GUEST[name].host), name);

/**
 * Types `command` into the guest's shell on its serial console (socat on the guest's host, over SSH;
 * ./guestShell waits for the prompt and the next one) and resolves with what it printed up to `@@done<exit code>`.
 */
async function inGuest(name: GuestName, command: string, timeoutMs = 90_000): Promise<string> {
  const e = env as FabricEnv;
  const ssh = spawn('ssh', ['-F', e.sshConfig, '-o', 'BatchMode=yes', GUEST[name].host, `socat - UNIX-CONNECT:${sockDir(name)}/serial.sock`], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  ssh.stdout.on('data', (b: Buffer) => { out += b.toString('utf8'); });
  const gone = new Promise((resolve) => ssh.on('exit', resolve));
  try {
    return await typeAtPrompt({ write: (t) => ssh.stdin.write(t), out: () => out }, `${name}'s console`, `${command}; echo @@done$?`, /@@done\d+/, timeoutMs);
  } finally {
    ssh.kill('SIGTERM');
    await gone;
  }
}

/** Pings fab3 from fab1's shell (busybox ping): the number of replies out of `n`. */
async function pings(n = 3): Promise<number> {
  const out = await inGuest('fab1', `ping -c ${n} -W 2 ${GUEST.fab3.ip}`);
  const m = /(\d+) packets received/.exec(out);
  assert.ok(m, `ping output: ${out}`);
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

/** Packets the tap's link class (1:10) sent: plain `tc -s class show` (this tc has no JSON for classes), not vsim's parser. */
async function linkClassPackets(name: GuestName): Promise<number> {
  const r = await run(GUEST[name].host).exec(['tc', '-s', 'class', 'show', 'dev', GUEST[name].tap]);
  const m = /class htb 1:10 [^\n]*\n\s*Sent \d+ bytes (\d+) pkt/.exec(r.stdout);
  return m ? Number(m[1]) : -1;
}

const ends = (t: Topology): [PartitionEndRef, PartitionEndRef] =>
  (['fab1', 'fab3'] as const).map((vm) => ({ ...vmIfaces(t, vm)[0]!, ip: GUEST[vm].ip })) as [PartitionEndRef, PartitionEndRef];
const sides = () => [{ host: 'vsim-hv1', run: run('vsim-hv1') }, { host: 'vsim-hv3', run: run('vsim-hv3') }] as const;

before(async () => {
  if (skip || typeof env === 'string') return;
  for (const h of ['vsim-hv1', 'vsim-hv3']) runners.set(h, new SshRunner(env, h));
  await destroyLab({ topology: topology() }, deps()); // a run that stopped half way
  await Promise.all([guestDown('fab1'), guestDown('fab3')]);
});

after(async () => {
  if (skip) return;
  await destroyLab({ topology: topology() }, deps()).catch(() => undefined);
  await Promise.all([guestDown('fab1'), guestDown('fab3')]).catch(() => undefined);
  for (const r of runners.values()) r.close();
});

test('plan: on each host the bridge and the vxlan port towards the other host are missing', { skip }, async () => {
  const plan = await planLab({ topology: networkOnly() }, deps());
  assert.deepEqual(plan.hosts.map((h) => h.error ?? ''), ['', '']);
  assert.deepEqual(plan.hosts.map((h) => h.changes.map(describeChange)), [
    [`+ network fab: bridge ${BRIDGE} missing on vsim-hv1, will be created`, `+ tunnel ${PORT} (network fab, vxlan 4242 to ${hv3?.underlay}): missing on vsim-hv1, will be added to ${BRIDGE}`],
    [`+ network fab: bridge ${BRIDGE} missing on vsim-hv3, will be created`, `+ tunnel ${PORT} (network fab, vxlan 4242 to ${hv3?.hv1Underlay}): missing on vsim-hv3, will be added to ${BRIDGE}`],
  ]);
});

test('apply creates bridge and tunnel on both hosts; the plan afterwards is empty (ip -j -d reads them back as declared)', { skip }, async () => {
  const t = networkOnly();
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

test('Up starts a real QEMU guest on each host, its tap on that host\'s end of the spanning bridge; both boot', { skip }, async () => {
  const r = await upLab({ topology: topology() }, deps());
  assert.deepEqual(r.failed, []);
  assert.deepEqual(r.done.filter((id) => id.includes('fab1') || id.includes('fab3')).sort(), ['vsim-hv1/start/fab1', 'vsim-hv3/start/fab3']);
  for (const name of ['fab1', 'fab3'] as const) {
    const g = GUEST[name];
    const l = await run(g.host).exec(['ip', '-j', 'link', 'show', 'dev', g.tap]);
    assert.equal((JSON.parse(l.stdout) as { master?: string }[])[0]?.master, BRIDGE, `${g.tap} on ${g.host} is a port of ${BRIDGE}: ${l.stdout}${l.stderr}`);
    // The QEMU runs in the host's network namespace (its netns inode is the sshd session's).
    const ns = await run(g.host).exec(['sh', '-c', `readlink /proc/$(cat ${SANDBOX}/qemu/${name}/pid)/ns/net; readlink /proc/self/ns/net`]);
    const [qemuNs, hostNs] = ns.stdout.trim().split('\n');
    assert.equal(qemuNs, hostNs, `${name}'s QEMU runs on ${g.host}: ${ns.stdout}${ns.stderr}`);
  }
  await Promise.all((['fab1', 'fab3'] as const).map((name) => until(`${name}'s banner`, 240_000, async () =>
    (await run(GUEST[name].host).exec(['cat', `${SANDBOX}/qemu/${name}/serial.log`])).stdout.includes(`vsim-guest ${name} ready`), 1000)));
});

test('the guest on hv1 pings the guest on hv3 across the tunnel; a partition stops the pings, heal restores them', { skip }, async () => {
  const tx0 = await txPackets('vsim-hv1');
  assert.equal(await pings(3), 3, 'fab1 → fab3 across the vxlan tunnel');
  const tx1 = await txPackets('vsim-hv1');
  assert.ok(tx1 - tx0 >= 3, `the vxlan port of hv1 sent the echo requests (tx ${tx0} → ${tx1})`);
  const ops = new TcOps();
  const t = topology();
  const [a, b] = ends(t);
  const [ha, hb] = sides();
  const p = await ops.across(false, ha, hb, t, a, b);
  assert.deepEqual(p.errors.map(String), []);
  assert.equal(p.partitioned, true, 'both hosts read back their drop filter');
  assert.deepEqual(p.ifaces.map((i) => i.iface), [GUEST.fab1.tap, GUEST.fab3.tap], 'each side shaped on its own tap');
  assert.equal(await pings(3), 0, 'no reply while partitioned');
  const h = await ops.across(true, ha, hb, t, a, b);
  assert.deepEqual(h.errors.map(String), []);
  assert.equal(h.partitioned, false);
  assert.equal(await pings(3), 3, 'replies again after heal');
});

test('an impairment on the link between the hosts: rate on each side\'s tap, its class carries the pings, read back, cleared', { skip }, async () => {
  const t = topology();
  const ops = new TcOps();
  const shape = async (values: Parameters<typeof linkTaps>[1]) => {
    const groups = linkTaps(t, values, [LINK]);
    assert.deepEqual(groups.map((g) => g.host).sort(), ['vsim-hv1', 'vsim-hv3'], 'one group per host');
    const rs = await Promise.all(groups.map((g) => ops.applyLinks(g.host, run(g.host), t, g.taps)));
    assert.deepEqual(rs.flatMap((r) => r.errors.map(String)), []);
    return rs.flatMap((r) => r.ifaces);
  };
  const shaped = await shape({ [LINK]: { rate: '2mbit' } });
  assert.deepEqual(shaped.map((i) => [i.iface, i.match.kind, i.links?.[0]?.peerIp, i.links?.[0]?.shaping.rateBits]).sort(),
    [[GUEST.fab1.tap, 'links', GUEST.fab3.ip, 2_000_000], [GUEST.fab3.tap, 'links', GUEST.fab1.ip, 2_000_000]]);
  const before1 = await linkClassPackets('fab1');
  const before3 = await linkClassPackets('fab3');
  assert.equal(await pings(3), 3, 'the link is slowed, not cut');
  assert.ok(await linkClassPackets('fab1') - before1 >= 3, 'the replies from fab3 went through the link class on hv1');
  assert.ok(await linkClassPackets('fab3') - before3 >= 3, 'the requests from fab1 went through the link class on hv3');
  const cleared = await shape({});
  assert.deepEqual(cleared.map((i) => i.match.kind), ['none', 'none']);
  for (const name of ['fab1', 'fab3'] as const) assert.equal(await linkClassPackets(name), -1, `no link class left on ${GUEST[name].tap}`);
});

test('destroy stops the guests and removes the tunnel ports and bridges it declared, nothing else', { skip }, async () => {
  const before1 = (await vxlanPorts('vsim-hv1')).filter((n) => n !== PORT);
  const r = await destroyLab({ topology: topology() }, deps());
  assert.deepEqual(r.failed, []);
  assert.deepEqual(r.done.sort(), ['vsim-hv1/destroy/fab1', 'vsim-hv1/network/fab', 'vsim-hv1/tunnel/vx4242', 'vsim-hv3/destroy/fab3', 'vsim-hv3/network/fab', 'vsim-hv3/tunnel/vx4242']);
  for (const h of ['vsim-hv1', 'vsim-hv3']) {
    assert.ok(!(await vxlanPorts(h)).includes(PORT), `${h} has no ${PORT}`);
    assert.notEqual((await run(h).exec(['ip', 'link', 'show', 'dev', BRIDGE])).code, 0, `${h} has no ${BRIDGE}`);
  }
  assert.deepEqual((await vxlanPorts('vsim-hv1')), before1);
  const l = await createQemuBackend().list({ topology: topology(), hostName: 'vsim-hv3', host: topology().hosts['vsim-hv3']!, run: run('vsim-hv3') }, ['fab3']);
  assert.equal(l.vms.fab3?.state, 'stopped', 'fab3\'s QEMU is gone');
});
