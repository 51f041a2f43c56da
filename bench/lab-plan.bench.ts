// Plan of a lab on one real host (the sandbox's vsim-hv1: sshd + libvirt), 100 defined VMs vs 1:
// time and round trips of planLab over the extension's SSH pool (src/cliLab.ts cliDeps, as `vsim plan`).
// The lab is the plan engine's pe- lab (test/sandbox-tests/lifecycleLab.ts: libvirt VMs on their own
// bridge, none of them on the host before); VMs are defined (not started) and removed at the end.
// Run: node --import tsx bench/lab-plan.bench.ts [iterations]   (sandbox up: bash test/sandbox/sandbox.sh up)
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { cliDeps } from '../src/cliLab';
import type { Topology } from '../src/model/types';
import { applyPlan, destroyLab, driftCount, planLab } from '../src/plan';
import { peLabYaml } from '../test/sandbox-tests/lifecycleLab';
import { stats, type SummaryRow } from './lib/stats';

const REPO = path.resolve(__dirname, '..');
const N = Number(process.argv[2] ?? 10);
const fmt = (x: number, d = 0): string => x.toFixed(d);

async function main(): Promise<void> {
  const cfg = path.join(REPO, '.sandbox', 'ssh', 'config');
  if (!existsSync(cfg)) {
    console.log('skipped: sandbox not up (bash test/sandbox/sandbox.sh up)');
    return;
  }
  const { deps, dispose } = cliDeps(cfg);
  const big: Topology = parse(peLabYaml({ vms: 100 })) as Topology;
  const figures: Record<number, { median: number; p10: number; p90: number; roundTrips: number; defineMs: number }> = {};
  try {
    await destroyLab({ topology: big }, deps);
    for (const count of [1, 100]) {
      const t: Topology = parse(peLabYaml({ vms: count })) as Topology;
      const t0 = performance.now();
      const applied = await applyPlan(await planLab({ topology: t }, deps), 'all', { topology: t }, deps);
      const defineMs = performance.now() - t0;
      if (applied.failed.length) throw new Error(JSON.stringify(applied.failed));
      const samples: number[] = [];
      let roundTrips = 0;
      for (let i = 0; i < N + 2; i++) {
        const s0 = performance.now();
        const plan = await planLab({ topology: t }, deps);
        const ms = performance.now() - s0;
        if (driftCount(plan)) throw new Error(`not in sync: ${JSON.stringify(plan.hosts[0]?.changes.slice(0, 3))}`);
        roundTrips = plan.hosts[0]?.roundTrips ?? -1;
        if (i >= 2) samples.push(ms);
      }
      const s = stats(samples);
      figures[count] = { median: s.median, p10: s.p10, p90: s.p90, roundTrips, defineMs };
      console.log(`plan of ${count} defined VM(s) on vsim-hv1: median ${fmt(s.median)} ms (p10 ${fmt(s.p10)}, p90 ${fmt(s.p90)}), ${roundTrips} round trips; apply (define ${count}) took ${fmt(defineMs)} ms`);
    }
  } finally {
    await destroyLab({ topology: big }, deps).catch((e: Error) => console.error(`cleanup: ${e.message}`));
    dispose();
  }
  const one = figures[1]!;
  const hundred = figures[100]!;
  const ratio = hundred.median / one.median;
  const summary: SummaryRow[] = [
    { measure: 'plan, 100 defined libvirt VMs vs 1 on one host', value: hundred.median, unit: 'ms', spread: `p10 ${fmt(hundred.p10)}–p90 ${fmt(hundred.p90)}`,
      goal: 'one round trip per backend + networks, whatever the VM count', versus: { label: '1 VM', value: one.median }, ratio, met: hundred.roundTrips === one.roundTrips },
    { measure: 'plan round trips (100 VMs; 1 VM the same)', value: hundred.roundTrips, unit: '', goal: `= 1 VM's (${one.roundTrips})`, met: hundred.roundTrips === one.roundTrips },
  ];
  mkdirSync(path.join(REPO, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(REPO, 'bench', 'results', 'lab-plan.json'), JSON.stringify({ date: new Date().toISOString(), n: N, figures, summary }, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
