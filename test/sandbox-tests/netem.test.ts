// netem for real, on the netem host (test/sandbox/netem: a QEMU TCG guest whose Debian kernel has
// sch_netem, endpoints ep1..ep3 = network namespaces behind taps tap-ep1..3 on a bridge). vsim's
// TcOps (src/tc/) applies, reads back and clears over OpenSSH; the effect is measured with ping
// between the endpoints. The suite brings the host up itself (test/sandbox/netem/up.sh); when it
// does not come up every test FAILS with the reason (it is not skipped).
// Run: node scripts/test-unit.mjs --tap test-results/netem.tap test/sandbox-tests/netem.test.ts
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { describeIface, TcOps, vmIfaces, type IfaceReadback } from '../../src/tc/ops';
import { median, netemRunner, netemTopology, netemUp, NETEM_HOST, pingTimes, ping, type NetemEnv } from './netemHost';
import type { SshRunner } from './sshRunner';

const topo = netemTopology();
const all = ['ep1', 'ep2', 'ep3'].flatMap((vm) => vmIfaces(topo, vm));
const IP = { ep1: '10.99.0.11', ep2: '10.99.0.12', ep3: '10.99.0.13' } as const;
let env: NetemEnv | string = 'not started';
let run: SshRunner | undefined;
let baseline = NaN;

/** Fails (not skips) the test when the netem host is not up. */
function host(): SshRunner {
  if (!run) assert.fail(`netem host not up: ${String(env)}`);
  return run;
}

before(async () => {
  env = netemUp();
  if (typeof env === 'string') return;
  run = netemRunner(env);
  await new TcOps().clear(NETEM_HOST, run, topo, all);
  baseline = median((await pingTimes(run, 'ep2', IP.ep3, 10, 0.1)).rtts);
  console.log(`# netem host ${env.hosts[NETEM_HOST]?.address}:${env.hosts[NETEM_HOST]?.port}; baseline RTT ep2→ep3 median ${baseline.toFixed(2)} ms`);
});
after(async () => {
  if (run) await new TcOps().clear(NETEM_HOST, run, topo, all).catch(() => undefined);
  run?.close();
});

function byVm(ifaces: IfaceReadback[], vm: string): IfaceReadback {
  const i = ifaces.find((x) => x.vm === vm);
  assert.ok(i, `readback of ${vm}`);
  return i;
}

/** Independent readback: plain `tc -j qdisc show` over ssh, not through vsim's parser. */
async function rawRoot(dev: string): Promise<Record<string, unknown> & { kind: string; options?: Record<string, unknown> }> {
  const r = await host().exec(['tc', '-j', 'qdisc', 'show', 'dev', dev]);
  assert.equal(r.code, 0, r.stderr);
  const list = JSON.parse(r.stdout) as (Record<string, unknown> & { kind: string; root?: boolean; options?: Record<string, unknown> })[];
  const root = list.find((q) => q.root);
  assert.ok(root, `${dev} has a root qdisc`);
  return root;
}

test('netem probe: the host kernel has netem (vsim\'s probe, cached per host)', async () => {
  const c = await new TcOps().capabilities(NETEM_HOST, host());
  assert.equal(c.caps.netem, true);
  assert.equal(c.caps.gact, true);
});

test('constrained (seeds): rate + delay per tap, ep1 override 10mbit/50ms; RTT = sum of both taps\' delays', async () => {
  const ops = new TcOps();
  const r = await ops.apply(NETEM_HOST, host(), topo, 'constrained', all);
  assert.deepEqual(r.errors.map(String), []);
  assert.equal(r.netemSkipped, false);
  for (const i of r.ifaces) console.log(`# ${describeIface(i)}`);
  const ep1 = byVm(r.ifaces, 'ep1');
  const ep2 = byVm(r.ifaces, 'ep2');
  assert.deepEqual(ep1.egress.kinds, ['netem', 'tbf']);
  assert.equal(ep1.egress.delayUs, 50_000);
  assert.equal(ep1.egress.rateBits, 10_000_000);
  assert.equal(ep2.egress.delayUs, 10_000);
  assert.equal(ep2.egress.rateBits, 100_000_000);
  for (const i of r.ifaces) assert.deepEqual(i.match, { kind: 'profile', profile: 'constrained' }, i.vm);
  const raw = await rawRoot('tap-ep1');
  assert.equal(raw.kind, 'netem');
  assert.equal((raw.options?.delay as { delay: number }).delay, 0.05);

  // ep2 → ep3: 10 ms on tap-ep3 (request) + 10 ms on tap-ep2 (reply). ep2 → ep1: 50 + 10.
  const p23 = await pingTimes(host(), 'ep2', IP.ep3, 10);
  const p21 = await pingTimes(host(), 'ep2', IP.ep1, 10);
  console.log(`# RTT ep2→ep3 median ${median(p23.rtts).toFixed(1)} ms (min ${Math.min(...p23.rtts)}), ep2→ep1 median ${median(p21.rtts).toFixed(1)} ms (min ${Math.min(...p21.rtts)})`);
  assert.equal(p23.received, 10);
  assert.ok(Math.min(...p23.rtts) >= 20, `ep2→ep3 min RTT ≥ 20 ms: ${p23.rtts}`);
  assert.ok(median(p23.rtts) < 20 + 40, `ep2→ep3 median RTT < 60 ms: ${p23.rtts}`);
  assert.ok(Math.min(...p21.rtts) >= 60, `ep2→ep1 min RTT ≥ 60 ms: ${p21.rtts}`);
  assert.ok(median(p21.rtts) < 60 + 40, `ep2→ep1 median RTT < 100 ms: ${p21.rtts}`);
});

test('lossy (seeds): delay 50ms ±20ms, loss 5% on every tap; RTT and loss within bounds over 300 pings', async () => {
  const ops = new TcOps();
  const r = await ops.apply(NETEM_HOST, host(), topo, 'lossy', all);
  assert.deepEqual(r.errors.map(String), []);
  const ep2 = byVm(r.ifaces, 'ep2');
  assert.deepEqual(ep2.egress.kinds, ['netem']);
  assert.equal(ep2.egress.delayUs, 50_000);
  assert.equal(ep2.egress.jitterUs, 20_000);
  assert.equal(ep2.egress.lossPct, 5);
  assert.deepEqual(ep2.match, { kind: 'profile', profile: 'lossy' });
  const raw = await rawRoot('tap-ep3');
  assert.equal((raw.options?.['loss-random'] as { loss: number }).loss, 0.05);

  // A reply needs both the request (tap-ep3) and the reply (tap-ep2) to survive: p(lost) = 1 − 0.95² = 9.75 %.
  // 300 pings: expected 29.25 lost, σ = 5.1; bounds ±4.5σ (a false failure about once in 150 000 runs).
  const n = 300;
  const p = await ping(host(), 'ep2', IP.ep3, n, 0.02);
  const lost = p.sent - p.received;
  console.log(`# lossy: ${lost}/${p.sent} lost (${((100 * lost) / p.sent).toFixed(1)} %, expected 9.75 %)`);
  assert.equal(p.sent, n);
  assert.ok(lost >= 6 && lost <= 52, `lost ${lost} of ${n}, expected 29 ± 23`);
  const t = await pingTimes(host(), 'ep2', IP.ep3, 20, 0.1);
  console.log(`# lossy: RTT median ${median(t.rtts).toFixed(1)} ms, min ${Math.min(...t.rtts)}, max ${Math.max(...t.rtts)}`);
  // Each direction: 50 ms ± 20 ms (uniform) → RTT in [60, 140] ms plus the guest's own latency.
  assert.ok(Math.min(...t.rtts) >= 60, `min RTT ≥ 60 ms: ${t.rtts}`);
  assert.ok(median(t.rtts) >= 70 && median(t.rtts) < 150, `median RTT ~100 ms: ${t.rtts}`);
});

test('default (seeds): applying it clears every tap; RTT back near the baseline', async () => {
  const r = await new TcOps().apply(NETEM_HOST, host(), topo, 'default', all);
  assert.deepEqual(r.errors.map(String), []);
  for (const i of r.ifaces) {
    assert.equal(i.egress.none, true, `${i.iface}: ${describeIface(i)}`);
    assert.deepEqual(i.match, { kind: 'none' });
  }
  const raw = await rawRoot('tap-ep1');
  assert.ok(!['netem', 'tbf'].includes(raw.kind), `tap-ep1 root is ${raw.kind}`);
  const t = await pingTimes(host(), 'ep2', IP.ep3, 10, 0.1);
  console.log(`# default: RTT median ${median(t.rtts).toFixed(2)} ms (baseline ${baseline.toFixed(2)} ms)`);
  assert.ok(median(t.rtts) < 15, `no delay left: ${t.rtts}`);
});

test('corrupt + duplicate + delay combined (ad-hoc profile): all three read back from the kernel', async () => {
  const t2 = { ...topo, profiles: { ...topo.profiles, mix: { delay: '5ms', corrupt: '1%', duplicate: '2%' } } };
  const r = await new TcOps().apply(NETEM_HOST, host(), t2, 'mix', vmIfaces(t2, 'ep3'));
  assert.deepEqual(r.errors.map(String), []);
  const i = r.ifaces[0]!;
  assert.equal(i.egress.delayUs, 5_000);
  assert.equal(i.egress.corruptPct, 1);
  assert.equal(i.egress.duplicatePct, 2);
  assert.deepEqual(i.match, { kind: 'profile', profile: 'mix' });
  await new TcOps().clear(NETEM_HOST, host(), t2, vmIfaces(t2, 'ep3'));
});
