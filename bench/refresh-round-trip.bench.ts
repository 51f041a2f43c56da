// One refresh of vsim-hv1 with 100 libvirt VMs, a QEMU VM, its Services and its network: the
// round trip per host (src/backends/batch.ts) vs the same probes one command each (side by side on
// the host's control shells, as fast as separate round trips get), and vs the listings alone;
// interleaved in the same run through the extension's real path (Lab → backends + probes → pooled
// ssh2 control shell → sandbox sshd). Commands counted at the runner.
// Run after `bash test/sandbox/sandbox.sh up`: node --import tsx bench/refresh-round-trip.bench.ts [n=20]
import type { CommandRunner, ExecResult } from '../src/backends/backend';
import { createBackends } from '../src/backends';
import { batchParts, formatBatch } from '../src/backends/batch';
import { healthProbe } from '../src/health/probe';
import { Lab } from '../src/lab/lab';
import type { Topology } from '../src/model/types';
import { runBench, writeResults } from './lib/results';
import { benchPool, sandboxSshConfig, shellRunner } from './lib/sandbox';
import { fmt, stats, type SummaryRow } from './lib/stats';

const n = Number(process.argv[2] ?? 20);
const HOST = 'vsim-hv1';
const KINDS = ['one round trip', 'one per probe', 'listings only'] as const;
type Kind = (typeof KINDS)[number];

function topology(): Topology {
  const vms: Topology['vms'] = {};
  const real = ['chassis', 'compute', 'storage'];
  for (let i = 0; i < 100; i++) vms[real[i] ?? `vm-${i}`] = { host: HOST, backend: 'libvirt', accel: 'tcg' };
  vms['jetson-1'] = { host: HOST, backend: 'qemu', sockets: { qmp: '/run/vsim-sandbox/qemu/jetson-1/qmp.sock' } };
  return { version: 1, hosts: { [HOST]: { sshConfigHost: HOST, kvm: false } }, networks: { vsimbr0: { host: HOST, subnet: '192.168.100.0/24' } }, vms } as Topology;
}

/** The baseline: a batch's commands sent one exec each, all at once, answered as the batch would be. */
function onePerProbe(shell: CommandRunner): CommandRunner {
  return {
    async exec(argv, opts) {
      const b = batchParts(argv);
      if (!b) return shell.exec(argv, opts);
      const parts: ExecResult[] = await Promise.all(b.commands.map((c) => shell.exec(c, opts)));
      return { stdout: formatBatch(b.mark, parts), stderr: '', code: 0, durationMs: 0 };
    },
  };
}

async function main(): Promise<void> {
  const cfg = sandboxSshConfig();
  if (cfg === undefined) return;
  const pool = benchPool();
  const t = topology();
  const shellOf = shellRunner(pool, t, cfg);
  const backends = createBackends();
  const commands: Record<Kind, number> = { 'one round trip': 0, 'one per probe': 0, 'listings only': 0 };
  const lab = (k: Kind): Lab => new Lab(t, {
    runnerFor: async (name, host) => {
      const shell = await shellOf(name, host);
      const counted: CommandRunner = { exec: (argv, opts) => { commands[k]++; return shell.exec(argv, opts); } };
      return k === 'one per probe' ? onePerProbe(counted) : counted;
    },
    backends, trusted: () => true,
    ...(k === 'listings only' ? {} : { health: healthProbe, probeNetworks: true }),
  });
  const labs = Object.fromEntries(KINDS.map((k) => [k, lab(k)])) as Record<Kind, Lab>;
  const samples: Record<Kind, number[]> = { 'one round trip': [], 'one per probe': [], 'listings only': [] };
  try {
    for (const k of KINDS) {
      await labs[k].refresh(HOST);
      await labs[k].refresh(HOST);
      const h = labs[k].host(HOST);
      if (h.connection.kind !== 'connected') throw new Error(`${k}: ${JSON.stringify(h.connection)}`);
      if (k !== 'listings only' && !(h.net && 'facts' in h.net && h.health)) throw new Error(`${k}: probes did not answer: ${JSON.stringify([h.net, h.health])}`);
    }
    const c0 = { ...commands };
    for (let i = 0; i < n; i++) {
      for (const k of i % 2 ? [...KINDS].reverse() : KINDS) {
        const s = performance.now();
        await labs[k].refresh(HOST);
        samples[k].push(performance.now() - s);
      }
    }
    const per = Object.fromEntries(KINDS.map((k) => [k, (commands[k] - c0[k]) / n])) as Record<Kind, number>;
    const st = Object.fromEntries(KINDS.map((k) => [k, stats(samples[k])])) as Record<Kind, ReturnType<typeof stats>>;
    const one = st['one round trip'];
    const old = st['one per probe'];
    const bare = st['listings only'];
    console.log(`\nrefresh of ${HOST} (100 libvirt VMs + 1 QEMU VM, Services, network vsimbr0), median of ${n}, interleaved:`);
    for (const k of KINDS) console.log(`  ${k.padEnd(15)} ${fmt(st[k].median)} ms (p10 ${fmt(st[k].p10)}, p90 ${fmt(st[k].p90)}), ${fmt(per[k], 2)} command(s) per refresh`);
    console.log(`  ratio one round trip / one per probe: ${fmt(one.median / old.median, 2)} (commands ${per['one round trip']} vs ${per['one per probe']}); vs listings only: ${fmt(one.median / bare.median, 2)}`);
    const summary: SummaryRow[] = [
      { measure: 'commands per host refresh (2 backends + Services + networks): one round trip vs one per probe', value: per['one round trip'], unit: '',
        goal: '1 per host per refresh', versus: { label: 'one per probe', value: per['one per probe'] }, ratio: per['one round trip'] / per['one per probe'], met: per['one round trip'] === 1 },
      { measure: 'host refresh with Services + networks + 100 VMs: one round trip vs one command per probe', value: one.median, unit: 'ms', spread: `p10 ${fmt(one.p10)}–p90 ${fmt(one.p90)}`,
        goal: '≤ 1.2× the one-per-probe time (the probes now run one after the other)', versus: { label: 'one per probe', value: old.median }, ratio: one.median / old.median, met: one.median <= 1.2 * old.median },
      { measure: 'host refresh with Services + networks vs the listings alone (one round trip each)', value: one.median, unit: 'ms', spread: `p10 ${fmt(one.p10)}–p90 ${fmt(one.p90)}`,
        versus: { label: 'listings only', value: bare.median }, ratio: one.median / bare.median },
    ];
    writeResults('refresh-round-trip', { n, samples, commandsPerRefresh: per, summary });
  } finally {
    for (const l of Object.values(labs)) l.dispose();
    pool.dispose();
  }
}

runBench(main);
