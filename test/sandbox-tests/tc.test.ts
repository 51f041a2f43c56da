// Real tc over real SSH on the sandbox hypervisor vsim-hv1 (test/sandbox): TcOps through an OpenSSH
// CommandRunner against chassis's and compute's taps. Skips with the reason when the sandbox is not up.
// Run: node --import tsx --test test/sandbox-tests/tc.test.ts
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../src/model/analyze';
import type { Topology } from '../../src/model/types';
import { describeIface, hasDrop, parseFilterJson, TcOps, vmIfaces } from '../../src/tc/ops';
import { isMissingFeature, netemProbe } from '../../src/tc/probe';
import { REPO, sandboxEnv, sshRunner, type SshRunner } from './sshRunner';

const HOST = 'vsim-hv1';
const env = sandboxEnv();
let skip: string | false = typeof env === 'string' ? env : false;
let run: SshRunner | undefined;
const topo: Topology = (() => {
  const a = analyze(readFileSync(join(REPO, 'examples', 'sandbox.vsim.yaml'), 'utf8'));
  assert.ok(a.topology);
  return a.topology;
})();
const chassis = vmIfaces(topo, 'chassis');
const compute = vmIfaces(topo, 'compute');

before(async () => {
  if (skip || typeof env === 'string') return;
  run = sshRunner(env, HOST);
  // The sandbox may still be booting: poll ssh with a deadline.
  const deadline = Date.now() + 60_000;
  let last = '';
  for (;;) {
    const r = await run.exec(['true'], { timeoutMs: 10_000 });
    if (r.code === 0) break;
    last = r.stderr.trim();
    if (Date.now() > deadline) {
      skip = `sandbox host ${HOST} not reachable over ssh: ${last}`;
      return;
    }
    await new Promise((res) => setTimeout(res, 500));
  }
  run.master();
});
after(async () => {
  if (run && !skip) await new TcOps().clear(HOST, run, topo, [...chassis, ...compute]).catch(() => undefined);
  run?.close();
});

test('constrained on chassis: the same rate read back from tc -j; clear leaves no qdisc of ours', async (t) => {
  if (skip) return t.skip(skip);
  const ops = new TcOps();
  const r = await ops.apply(HOST, run!, topo, 'constrained', chassis);
  assert.deepEqual(r.errors.map(String), []);
  const i = r.ifaces[0]!;
  console.log(`# ${describeIface(i)}`);
  assert.ok(i.dev, 'tap found');
  assert.notEqual(i.dev, 'vsimbr0', 'the bridge carries the same MAC: never shape it');
  assert.deepEqual(i.egress.kinds, ['tbf']);
  assert.equal(i.egress.rateBits, 10_000_000);
  assert.deepEqual(i.match, { kind: 'profile', profile: 'constrained' });
  // Independent check with plain tc over ssh, not through our parser's readback path.
  const raw = await run!.exec(['tc', '-j', 'qdisc', 'show', 'dev', i.dev]);
  const root = (JSON.parse(raw.stdout) as { kind: string; root?: boolean; options?: { rate?: number } }[]).find((q) => q.root);
  assert.equal(root?.kind, 'tbf');
  assert.equal((root?.options?.rate ?? 0) * 8, 10_000_000);

  const c = await ops.clear(HOST, run!, topo, chassis);
  assert.deepEqual(c.errors.map(String), []);
  assert.equal(c.ifaces[0]!.egress.none, true);
  assert.equal(c.ifaces[0]!.ingress, undefined, 'no ifb device left');
  assert.deepEqual(c.ifaces[0]!.match, { kind: 'none' });
});

test('lossy (netem): delay read back, or skipped when the kernel has no netem', async (t) => {
  if (skip) return t.skip(skip);
  const probe = await run!.exec(netemProbe());
  if (probe.code !== 0) {
    assert.ok(isMissingFeature(probe.stderr), `unexpected probe failure: ${probe.stderr}`);
    // The extension's path on such a host: rate part applied (lossy has none), netem reported missing.
    const r = await new TcOps().apply(HOST, run!, topo, 'lossy', chassis);
    assert.equal(r.netemSkipped, true);
    assert.deepEqual(r.errors.map(String), []);
    return t.skip('netem not in this kernel');
  }
  const r = await new TcOps().apply(HOST, run!, topo, 'lossy', chassis);
  assert.deepEqual(r.errors.map(String), []);
  assert.equal(r.ifaces[0]!.egress.delayUs, 50_000);
  assert.deepEqual(r.ifaces[0]!.match, { kind: 'profile', profile: 'lossy' });
});

test('partition chassis ↔ compute: drop filters present in tc -j filter show; heal removes them', async (t) => {
  if (skip) return t.skip(skip);
  const ops = new TcOps();
  const a = { ...chassis[0]!, ip: '192.168.100.10' };
  const b = { ...compute[0]!, ip: '192.168.100.11' };
  const p = await ops.partition(HOST, run!, topo, a, b);
  assert.deepEqual(p.errors.map(String), []);
  assert.equal(p.partitioned, true);
  console.log(`# partition method on ${HOST}: ${p.method}`);
  // Independently: tc -j filter show on each tap.
  for (const [end, peer] of [[p.ifaces[0]!, b.ip], [p.ifaces[1]!, a.ip]] as const) {
    const raw = await run!.exec(['tc', '-j', 'filter', 'show', 'dev', end.dev, 'parent', 'ffff:']);
    assert.ok(hasDrop({ ...end, filters: parseFilterJson(raw.stdout) }, peer), `${end.dev} drops towards ${peer}`);
  }
  const h = await ops.heal(HOST, run!, topo, a, b);
  assert.deepEqual(h.errors.map(String), []);
  assert.equal(h.partitioned, false);
  for (const end of h.ifaces) {
    const raw = await run!.exec(['tc', '-j', 'filter', 'show', 'dev', end.dev, 'parent', 'ffff:']);
    assert.equal(parseFilterJson(raw.stdout).filter((f) => f.pref < 40000).length, 0, `${end.dev}: no drop filter left`);
  }
});

test('figure: time from "apply" to readback (median of 10, one round trip each)', async (t) => {
  if (skip) return t.skip(skip);
  const ops = new TcOps();
  const times: number[] = [];
  for (let k = 0; k < 10; k++) {
    const t0 = performance.now();
    const r = await ops.apply(HOST, run!, topo, k % 2 ? 'default' : 'constrained', [...chassis, ...compute]);
    times.push(performance.now() - t0);
    assert.deepEqual(r.errors.map(String), []);
    assert.equal(r.roundTrips, 1);
    assert.deepEqual(r.ifaces.map((i) => i.match.kind), k % 2 ? ['none', 'none'] : ['profile', 'profile']);
  }
  times.sort((x, y) => x - y);
  const median = ((times[4] as number) + (times[5] as number)) / 2;
  console.log(`# apply → readback, 2 taps, ssh ControlMaster: median ${median.toFixed(1)} ms, min ${times[0]!.toFixed(1)} ms, max ${times[9]!.toFixed(1)} ms`);
  assert.ok(median < 5000);
});
