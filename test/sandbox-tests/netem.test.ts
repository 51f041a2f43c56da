// netem for real, on the netem host (test/sandbox/netem: a QEMU TCG guest whose Debian kernel has
// sch_netem, endpoints ep1..ep3 = network namespaces behind taps tap-ep1..3 on a bridge). vsim's
// TcOps (src/tc/) applies, reads back and clears over OpenSSH; the effect is measured with ping
// between the endpoints. The suite brings the host up itself (test/sandbox/netem/up.sh); when it
// does not come up every test FAILS with the reason (it is not skipped).
// Run: node scripts/test-unit.mjs --tap test-results/netem.tap test/sandbox-tests/netem.test.ts
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { CommandRunner } from '../../src/backends/backend';
import { Capture } from '../../src/capture/capture';
import { countByProto, parsePcap, PCAP_HEADER_BYTES } from '../../src/capture/pcap';
import { linkProfileShaping, linkTaps } from '../../src/tc/linkTargets';
import { describeIface, TcOps, vmIfaces, type IfaceReadback } from '../../src/tc/ops';
import { median, netemRunner, netemTopology, netemUp, NETEM_DIR, NETEM_HOST, pingTimes, ping, type NetemEnv } from './netemHost';
import { REPO, until, type SshRunner } from './sshRunner';

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

// A netem host this suite started is stopped after it (one that was up stays up).
const wasUp = existsSync(join(NETEM_DIR, 'env.json'));

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
  if (!wasUp) spawnSync('bash', [join(REPO, 'test/sandbox/netem/down.sh')], { stdio: 'inherit' });
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

// ---- per link: links.<name>.profile, ad-hoc values, partitions alongside ------------------------


async function applyLinks(shaping: Parameters<typeof linkTaps>[1], changed: string[]): Promise<IfaceReadback[]> {
  const out: IfaceReadback[] = [];
  for (const g of linkTaps(topo, shaping, changed)) {
    const r = await new TcOps().applyLinks(g.host, host(), topo, g.taps);
    assert.deepEqual(r.errors.map(String), []);
    assert.equal(r.roundTrips <= 2, true, 'one round trip (plus the probe the first time)');
    out.push(...r.ifaces);
  }
  return out;
}

test('links.ep1-ep2.profile (wan: 40ms, 20mbit): ep1↔ep2 delayed both ways, ep3\'s RTT to both unchanged', async () => {
  await new TcOps().clear(NETEM_HOST, host(), topo, all);
  const ifaces = await applyLinks(linkProfileShaping(topo), ['ep1-ep2']);
  for (const i of ifaces) console.log(`# ${describeIface(i)}`);
  const ep1 = byVm(ifaces, 'ep1');
  assert.deepEqual(ep1.match, { kind: 'links' });
  assert.equal(ep1.links?.[0]?.peerIp, IP.ep2);
  assert.equal(ep1.links?.[0]?.shaping.delayUs, 40_000);
  assert.equal(ep1.links?.[0]?.shaping.rateBits, 20_000_000);
  assert.equal(byVm(ifaces, 'ep2').links?.[0]?.peerIp, IP.ep1);
  // Independent readback: the u32 filter and the netem leaf, with plain tc.
  const f = await host().exec(['tc', 'filter', 'show', 'dev', 'tap-ep1', 'parent', '1:']);
  assert.match(f.stdout, /match 0a63000c\/ffffffff at 12/, 'filter on the source address 10.99.0.12');
  const q = await host().exec(['tc', 'qdisc', 'show', 'dev', 'tap-ep1']);
  assert.match(q.stdout, /qdisc netem 10: parent 1:10 .*delay 40ms/);

  const p12 = await pingTimes(host(), 'ep1', IP.ep2, 10);
  const p31 = await pingTimes(host(), 'ep3', IP.ep1, 10);
  const p32 = await pingTimes(host(), 'ep3', IP.ep2, 10);
  console.log(`# per-link: RTT ep1→ep2 median ${median(p12.rtts).toFixed(1)} ms; ep3→ep1 ${median(p31.rtts).toFixed(1)} ms; ep3→ep2 ${median(p32.rtts).toFixed(1)} ms (baseline ${baseline.toFixed(1)} ms)`);
  assert.ok(Math.min(...p12.rtts) >= 80, `ep1→ep2 min RTT ≥ 2 × 40 ms: ${p12.rtts}`);
  assert.ok(median(p12.rtts) < 80 + 40, `ep1→ep2 median < 120 ms: ${p12.rtts}`);
  assert.ok(median(p31.rtts) < 15, `ep3→ep1 not shaped: ${p31.rtts}`);
  assert.ok(median(p32.rtts) < 15, `ep3→ep2 not shaped: ${p32.rtts}`);
});

test('partition ep1↔ep3 + per-link ep1-ep2 together: both in the kernel, both in effect; a profile apply keeps the partition; clear', async () => {
  const ops = new TcOps();
  const a = { ...vmIfaces(topo, 'ep1')[0]!, ip: IP.ep1 };
  const c = { ...vmIfaces(topo, 'ep3')[0]!, ip: IP.ep3 };
  const p = await ops.partition(NETEM_HOST, host(), topo, a, c);
  assert.deepEqual(p.errors.map(String), []);
  assert.equal(p.partitioned, true);
  assert.equal(p.method, 'gact');
  // Re-applying the link after the partition leaves the drop filters (and vice versa above).
  const ifaces = await applyLinks({ 'ep1-ep2': { delay: '30ms', jitter: '5ms', loss: '1%' } }, ['ep1-ep2']);
  assert.equal(byVm(ifaces, 'ep1').links?.[0]?.shaping.delayUs, 30_000);
  assert.equal(byVm(ifaces, 'ep1').links?.[0]?.shaping.lossPct, 1);
  const shown = await ops.show(NETEM_HOST, host(), topo, all);
  const ep1 = byVm(shown.ifaces, 'ep1');
  assert.ok(ep1.filters.some((f) => f.action === 'drop'), `drop filter still there: ${JSON.stringify(ep1.filters)}`);
  assert.deepEqual(ep1.match, { kind: 'links' });
  const toEp3 = await ping(host(), 'ep1', IP.ep3, 5, 0.1);
  const toEp2 = await pingTimes(host(), 'ep1', IP.ep2, 10);
  console.log(`# partition + link: ep1→ep3 ${toEp3.received}/${toEp3.sent} replies; ep1→ep2 median ${median(toEp2.rtts).toFixed(1)} ms`);
  assert.equal(toEp3.received, 0, 'partitioned');
  assert.ok(Math.min(...toEp2.rtts) >= 50, `ep1→ep2 delayed (2 × 30 ms − 2 × 5 ms jitter): ${toEp2.rtts}`);

  // A whole-VM profile on ep1 replaces its per-link root but must not heal the partition.
  const lossy = await ops.apply(NETEM_HOST, host(), topo, 'constrained', vmIfaces(topo, 'ep1'));
  assert.deepEqual(lossy.errors.map(String), []);
  const after1 = await ops.show(NETEM_HOST, host(), topo, vmIfaces(topo, 'ep1'));
  assert.ok(after1.ifaces[0]!.filters.some((f) => f.action === 'drop'), 'partition kept by a profile apply');
  assert.equal((await ping(host(), 'ep1', IP.ep3, 3, 0.1)).received, 0, 'still partitioned');

  const h = await ops.heal(NETEM_HOST, host(), topo, a, c);
  assert.equal(h.partitioned, false);
  await applyLinks({}, ['ep1-ep2', 'ep1-ep3']);
  const cl = await ops.clear(NETEM_HOST, host(), topo, all);
  assert.deepEqual(cl.errors.map(String), []);
  const s = await ops.show(NETEM_HOST, host(), topo, all);
  for (const i of s.ifaces) {
    assert.deepEqual(i.match, { kind: 'none' }, describeIface(i));
    assert.equal(i.filters.filter((f) => f.pref < 40000).length, 0);
  }
  const back = await pingTimes(host(), 'ep1', IP.ep3, 5, 0.1);
  assert.equal(back.received, 5);
  assert.ok(median(back.rtts) < 15, `cleared: ${back.rtts}`);
});

// ---- packet capture: tcpdump on its own channel, growing pcap, stop leaves no remote process ----

async function remoteTcpdumps(): Promise<string> {
  const r = await host().exec(['pgrep', '-x', 'tcpdump']);
  assert.ok(r.code === 0 || r.code === 1, `pgrep: ${r.stderr}`);
  return r.stdout.trim();
}

test('capture on tap-ep2 while ep1 pings: a growing .pcap that parses, one text line per packet; stop → no tcpdump left (pgrep)', async () => {
  const file = join(REPO, 'test-results', 'netem-capture.pcap');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, '');
  const lines: string[] = [];
  let sizeWhileRunning = 0;
  const cap = new Capture(NETEM_HOST, host(), 'tap-ep2', { filter: 'icmp and host 10.99.0.11' }, {
    onPcap: (c) => appendFileSync(file, c),
    onLine: (l) => lines.push(l),
  });
  let s: Awaited<ReturnType<Capture['stop']>>;
  try {
    const pid = await cap.whenStarted();
    assert.ok(pid > 1);
    assert.match(await remoteTcpdumps(), new RegExp(`\\b${pid}\\b`), 'the remote tcpdump runs');
    const p = await ping(host(), 'ep1', IP.ep2, 10, 0.1);
    assert.equal(p.received, 10);
    await until('20 packet lines', 30_000, async () => lines.filter((l) => l.includes('ICMP')).length >= 20);
    sizeWhileRunning = statSync(file).size;
    assert.ok(sizeWhileRunning > PCAP_HEADER_BYTES, 'the file grows while the capture runs');
  } finally {
    s = await cap.stop();
  }
  assert.equal(s.gone, true, 'the host reports that tcpdump gone');
  assert.equal(await remoteTcpdumps(), '', 'pgrep finds no tcpdump on the host');
  const counts = countByProto(readFileSync(file));
  console.log(`# capture: ${JSON.stringify(counts)} in ${statSync(file).size} bytes; ${lines.filter((l) => l.includes('ICMP')).length} text lines, e.g. ${lines.find((l) => l.includes('ICMP'))}`);
  assert.equal(counts.ICMP, 20, '10 echo requests + 10 replies');
  assert.equal(Object.keys(counts).length, 1, 'the filter kept only ICMP');
  assert.equal(parsePcap(readFileSync(file)).header.linktype, 1);
});

test('capture with a packet limit ends by itself; a bad filter and a missing tcpdump are reported clearly', async () => {
  const chunks: Buffer[] = [];
  const cap = new Capture(NETEM_HOST, host(), 'tap-ep3', { filter: 'icmp', count: 4 }, { onPcap: (c) => chunks.push(c), onLine: () => undefined });
  await cap.whenStarted();
  await ping(host(), 'ep1', IP.ep3, 6, 0.1);
  const end = await cap.done;
  assert.equal(end.code, 0);
  assert.equal(countByProto(Buffer.concat(chunks)).ICMP, 4);
  assert.equal(await remoteTcpdumps(), '');

  const bad = new Capture(NETEM_HOST, host(), 'tap-ep3', { filter: 'icmp andd host' }, { onPcap: () => undefined, onLine: () => undefined });
  await assert.rejects(bad.whenStarted(), /The capture filter does not compile on vsim-netem: .*syntax error/);
  await bad.done;
  assert.throws(() => new Capture(NETEM_HOST, host(), 'tap-ep3', { filter: 'icmp\nreboot' }, { onPcap: () => undefined, onLine: () => undefined }), /printable ASCII/);

  // The same script on a PATH without tcpdump (busybox only): the package is named.
  const noTcpdump: CommandRunner = {
    exec: (argv, o) => host().exec(argv, o),
    streamRaw: (argv, sinks) => host().streamRaw(['env', 'PATH=/bin:/sbin', ...argv], sinks),
  };
  const missing = new Capture(NETEM_HOST, noTcpdump, 'tap-ep3', {}, { onPcap: () => undefined, onLine: () => undefined });
  await assert.rejects(missing.whenStarted(), /tcpdump is not installed on vsim-netem: install the package tcpdump/);
  const nodev = new Capture(NETEM_HOST, host(), 'tap-nope', {}, { onPcap: () => undefined, onLine: () => undefined });
  await assert.rejects(nodev.whenStarted(), /tap-nope does not exist on vsim-netem/);
});
