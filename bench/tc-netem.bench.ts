// tc apply → readback for 1, 10 and 100 taps on ONE host (the netem host, test/sandbox/netem: a
// QEMU TCG guest whose kernel has netem). The seeds' `constrained` profile (netem delay + tbf rate)
// on N veth taps created in the guest for the bench; one script per host, so the round trips stay 1
// whatever N and the time grows with the host's work only. Compared: N = 100 vs N = 1.
// Run: npm run bench -- tc-netem   (or node --import tsx bench/tc-netem.bench.ts [REPEATS])
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Topology } from '../src/model/types';
import { TcOps, vmIfaces } from '../src/tc/ops';
import { netemRunner, netemTopology, netemUp, NETEM_HOST } from '../test/sandbox-tests/netemHost';
import { REPO } from '../test/sandbox-tests/sshRunner';
import { fmt, measure, type SummaryRow } from './lib/stats';

const repeats = Number(process.argv[2] ?? 3);
// VSIM_BENCH_TC_SIZES=1,10 for a shorter run (a loaded 2-core machine makes the TCG guest slow).
const SIZES = (process.env.VSIM_BENCH_TC_SIZES ?? '1,10,100').split(',').map(Number);

async function main(): Promise<void> {
  const env = netemUp();
  if (typeof env === 'string') throw new Error(env);
  const run = netemRunner(env);
  try {
    const max = Math.max(...SIZES);
    // N veth pairs (benchK ↔ benchpK), up; created once, removed at the end.
    const mk = await run.exec(['sh', '-s'], { stdin: `i=0; while [ $i -lt ${max} ]; do ip link show bench$i >/dev/null 2>&1 || ip link add bench$i type veth peer name benchp$i; ip link set bench$i up; i=$((i+1)); done\n`, timeoutMs: 300_000 });
    if (mk.code !== 0) throw new Error(`creating bench taps: ${mk.stderr}`);
    const base = netemTopology();
    const results: Record<number, { median: number; p10: number; p90: number; roundTrips: number; ifaces: number }> = {};
    for (const n of SIZES) {
      const t: Topology = { ...base, vms: {} };
      for (let k = 0; k < n; k++) t.vms![`b${k}`] = { host: NETEM_HOST, backend: 'libvirt', accel: 'tcg', nics: [{ network: 'br-netem', tap: `bench${k}`, ip: `10.98.${k >> 8}.${(k & 255) + 1}` }] };
      const ifaces = Object.keys(t.vms!).flatMap((vm) => vmIfaces(t, vm));
      // The TCG guest spends seconds per tap on a loaded machine: a generous per-tap time limit.
      const ops = new TcOps(undefined, { baseMs: 60_000, perDeviceMs: 30_000 });
      await ops.capabilities(NETEM_HOST, run);
      let trips = 0;
      let matched = 0;
      const s = await measure(repeats, async () => {
        const r = await ops.apply(NETEM_HOST, run, t, 'constrained', ifaces);
        if (r.errors.length) throw new Error(r.errors[0]!.message);
        trips = r.roundTrips;
        matched = r.ifaces.filter((i) => i.match.kind === 'profile').length;
      }, repeats > 1 ? 1 : 0);
      if (matched !== n) throw new Error(`${n} taps: only ${matched} read back as constrained`);
      results[n] = { median: s.median, p10: s.p10, p90: s.p90, roundTrips: trips, ifaces: n };
      console.log(`[tc-netem] ${n} taps: apply → readback median ${fmt(s.median)} ms (p10 ${fmt(s.p10)}, p90 ${fmt(s.p90)}), ${trips} round trip(s)`);
      await ops.clear(NETEM_HOST, run, t, ifaces);
    }
    await run.exec(['sh', '-s'], { stdin: `i=0; while [ $i -lt ${max} ]; do ip link del bench$i 2>/dev/null; i=$((i+1)); done\n`, timeoutMs: 300_000 });
    const one = results[Math.min(...SIZES)]!;
    const hundred = results[Math.max(...SIZES)]!;
    const ratio = hundred.median / one.median;
    const summary: SummaryRow[] = [
      { measure: `tc apply → readback, ${hundred.ifaces} taps vs ${one.ifaces} on one host (netem host, TCG guest)`, value: hundred.median, unit: 'ms', spread: `p10 ${fmt(hundred.p10)}–p90 ${fmt(hundred.p90)}`,
        goal: '1 round trip whatever the number of taps', versus: { label: `${one.ifaces} tap(s)`, value: one.median }, ratio, met: hundred.roundTrips === 1 && one.roundTrips === 1 },
      { measure: `tc round trips for ${hundred.ifaces} taps on one host`, value: hundred.roundTrips, unit: '', goal: '1', met: hundred.roundTrips === 1 },
    ];
    mkdirSync(path.join(REPO, 'bench', 'results'), { recursive: true });
    writeFileSync(path.join(REPO, 'bench', 'results', 'tc-netem.json'), JSON.stringify({ date: new Date().toISOString(), repeats, results, summary }, null, 2));
    console.log(`[tc-netem] ${hundred.ifaces} taps / ${one.ifaces}: ${ratio.toFixed(2)}× the time, ${hundred.roundTrips} vs ${one.roundTrips} round trips`);
  } finally {
    run.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
