// Tree refresh of one host: 1 VM vs 100 VMs in the topology, through the extension's real path
// (Lab → libvirt backend → pooled ssh2 control shell → sandbox sshd → virsh), same run.
// Run after `bash test/sandbox/sandbox.sh up`: node --import tsx bench/tree-refresh.bench.ts [n=20]
import { createBackends } from '../src/backends';
import { Lab } from '../src/lab/lab';
import type { Topology } from '../src/model/types';
import { runBench, writeResults } from './lib/results';
import { benchPool, sandboxSshConfig, shellRunner } from './lib/sandbox';
import { fmt, measure, type SummaryRow } from './lib/stats';

const n = Number(process.argv[2] ?? 20);
const HOST = 'vsim-hv1';

function topology(count: number): Topology {
  const vms: Topology['vms'] = {};
  const real = ['chassis', 'compute', 'storage'];
  for (let i = 0; i < count; i++) vms[real[i] ?? `vm-${i}`] = { host: HOST, backend: 'libvirt', accel: 'tcg' };
  return { version: 1, hosts: { [HOST]: { sshConfigHost: HOST, kvm: false } }, vms };
}

async function main(): Promise<void> {
  const cfg = sandboxSshConfig();
  if (cfg === undefined) return;
  const pool = benchPool();
  const backends = createBackends();
  const results: Record<number, Awaited<ReturnType<typeof measure>>> = {};
  const trips: Record<number, number> = {};
  try {
    for (const count of [1, 100]) {
      const t = topology(count);
      const lab = new Lab(t, { runnerFor: shellRunner(pool, t, cfg), backends, trusted: () => true });
      await lab.refresh(HOST);
      const c = lab.host(HOST).connection;
      if (c.kind !== 'connected') throw new Error(`${HOST}: ${JSON.stringify(c)}`);
      const before = lab.roundTrips.get(HOST) ?? 0;
      results[count] = await measure(n, () => lab.refresh(HOST), 2);
      trips[count] = ((lab.roundTrips.get(HOST) ?? 0) - before) / (n + 2);
      lab.dispose();
    }
    const one = results[1]!;
    const hundred = results[100]!;
    const ratio = hundred.median / one.median;
    console.log(`\ntree refresh of ${HOST} (real sshd + libvirt), median of ${n}:`);
    console.log(`  1 VM    ${fmt(one.median)} ms (p10 ${fmt(one.p10)}, p90 ${fmt(one.p90)}), ${trips[1]} round trip(s) per refresh`);
    console.log(`  100 VMs ${fmt(hundred.median)} ms (p10 ${fmt(hundred.p10)}, p90 ${fmt(hundred.p90)}), ${trips[100]} round trip(s) per refresh`);
    console.log(`  ratio 100/1: ${fmt(ratio, 2)}; SSH handshakes for ${HOST}: ${pool.handshakes(HOST)}`);
    const summary: SummaryRow[] = [
      { measure: 'tree refresh, 100 VMs vs 1 VM on one host', value: hundred.median, unit: 'ms', spread: `p10 ${fmt(hundred.p10)}–p90 ${fmt(hundred.p90)}`,
        goal: '≤ 1.2× (one round trip per host)', versus: { label: '1 VM', value: one.median }, ratio, met: ratio <= 1.2 },
      { measure: 'SSH handshakes per host per session (tree refresh)', value: pool.handshakes(HOST), unit: '', goal: '1', met: pool.handshakes(HOST) === 1 },
    ];
    writeResults('tree-refresh', { n, results, roundTripsPerRefresh: trips, summary });
  } finally {
    pool.dispose();
  }
}

runBench(main);
