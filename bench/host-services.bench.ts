// One host refresh with the Services probe vs without, through the extension's real path (Lab →
// microvm backend + health probe → pooled ssh2 control shell → ProxyJump → vsim-hv2's real systemd),
// same run, interleaved: round trips per refresh (counted at the runner) and time.
// Run after `bash test/sandbox/sandbox.sh up`: node --import tsx bench/host-services.bench.ts [n=20]
import type { CommandRunner } from '../src/backends/backend';
import { createBackends } from '../src/backends';
import { healthProbe } from '../src/health/probe';
import { Lab } from '../src/lab/lab';
import type { Topology } from '../src/model/types';
import { runBench, writeResults } from './lib/results';
import { benchPool, sandboxSshConfig, shellRunner } from './lib/sandbox';
import { fmt, stats, type SummaryRow } from './lib/stats';

const n = Number(process.argv[2] ?? 20);
const HOST = 'vsim-hv2';

const topology: Topology = {
  version: 1,
  hosts: { [HOST]: { sshConfigHost: HOST, kvm: false, services: ['sshd-hv2', 'vsim-flaky'] } },
  vms: Object.fromEntries(['slot1', 'slot2', 'slot3'].map((s) => [s, { host: HOST, backend: 'microvm' as const }])),
} as Topology;

async function main(): Promise<void> {
  const cfg = sandboxSshConfig();
  if (cfg === undefined) return;
  const pool = benchPool();
  const backends = createBackends();
  let trips = 0;
  const shellOf = shellRunner(pool, topology, cfg);
  const runnerFor = async (name: string, host: Topology['hosts'][string]): Promise<CommandRunner> => {
    const shell = await shellOf(name, host);
    return { exec: (argv, opts) => { trips++; return shell.exec(argv, opts); } };
  };
  const labs = {
    without: new Lab(topology, { runnerFor, backends, trusted: () => true }),
    with: new Lab(topology, { runnerFor, backends, trusted: () => true, health: healthProbe }),
  };
  const samples: Record<'with' | 'without', number[]> = { with: [], without: [] };
  const perRefresh: Record<'with' | 'without', number> = { with: 0, without: 0 };
  try {
    for (const [k, lab] of Object.entries(labs) as ['with' | 'without', Lab][]) {
      await lab.refresh(HOST);
      const c = lab.host(HOST).connection;
      if (c.kind !== 'connected') throw new Error(`${HOST}: ${JSON.stringify(c)}`);
      if (k === 'with' && lab.host(HOST).health?.services.kind !== 'ok') throw new Error(`${HOST} services: ${JSON.stringify(lab.host(HOST).health)}`);
      await lab.refresh(HOST);
    }
    for (let i = 0; i < n; i++) {
      for (const k of (i % 2 ? ['with', 'without'] : ['without', 'with']) as ('with' | 'without')[]) {
        const t0 = trips;
        const s = performance.now();
        await labs[k].refresh(HOST);
        samples[k].push(performance.now() - s);
        perRefresh[k] += (trips - t0) / n;
      }
    }
    const w = stats(samples.with);
    const wo = stats(samples.without);
    const ratio = w.median / wo.median;
    const h = labs.with.host(HOST).health;
    const units = h?.services.kind === 'ok' ? h.services.units.length : 0;
    console.log(`\nrefresh of ${HOST} (3 microvm slots, real systemd over ProxyJump), median of ${n}, interleaved:`);
    console.log(`  without Services ${fmt(wo.median)} ms (p10 ${fmt(wo.p10)}, p90 ${fmt(wo.p90)}), ${fmt(perRefresh.without, 2)} round trip(s) per refresh`);
    console.log(`  with Services    ${fmt(w.median)} ms (p10 ${fmt(w.p10)}, p90 ${fmt(w.p90)}), ${fmt(perRefresh.with, 2)} round trip(s) per refresh (${units} units shown + ZFS)`);
    console.log(`  ratio with/without: ${fmt(ratio, 2)}`);
    const summary: SummaryRow[] = [
      { measure: 'host refresh with Services (systemctl show of every unit + zpool) vs without', value: w.median, unit: 'ms', spread: `p10 ${fmt(w.p10)}–p90 ${fmt(w.p90)}`,
        goal: '≤ 1.5× (in the listing\'s round trip)', versus: { label: 'without', value: wo.median }, ratio, met: ratio <= 1.5 },
      { measure: 'round trips per host refresh with Services', value: perRefresh.with, unit: '', goal: 'the same as without (one per host: the probe rides the listing\'s)', versus: { label: 'without', value: perRefresh.without },
        ratio: perRefresh.with / perRefresh.without, met: perRefresh.with === perRefresh.without },
    ];
    writeResults('host-services', { n, samples, roundTripsPerRefresh: perRefresh, summary });
  } finally {
    labs.with.dispose();
    labs.without.dispose();
    pool.dispose();
  }
}

runBench(main);
