// Boot phases of a sandbox guest as vsim's boot watch reports them, and how late it sees the last one:
// edge.Gateway (libvirt, TCG) started with no console open, its serial log followed on vsim-hv1
// (started → kernel → userspace → ready → SSH reachable), while beside it, in the same round, an
// independent poll does what a user does by hand: `ssh -W IP:22 vsim-hv1` every 250 ms until the
// guest's dropbear sends its identification line. Ratio: vsim's "reachable" time over the poll's.
// Goal: vsim sees the guest reachable no later than a hand poll would (< 1.1×).
// Run: node --import tsx bench/boot-phases.bench.ts [rounds]   (sandbox up)
// Measured here (2 cores): vsim 9.38 s vs the hand poll 9.41 s, 1.00× (median of 3); phases after the
// watch starts: kernel 3.3–4.3 s, userspace 5.6–7.6 s, login prompt 6.4–8.7 s, SSH 7.6–9.9 s.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createLibvirtBackend } from '../src/backends/libvirt/backend';
import { phaseSummary, readyPattern } from '../src/console/bootPhases';
import { watchBootOf } from '../src/console/bootWatch';
import { sshIdent } from '../src/console/reachable';
import { vmAddress } from '../src/console/vmEndpoint';
import { resolveSshDestination } from '../src/remote/sshConfig';
import { context, sandboxTopology } from '../test/sandbox-tests/lab';
import { sandboxEnv } from '../test/sandbox-tests/sshRunner';
import { runBench, writeResults } from './lib/results';
import { benchPool, SANDBOX_SSH_CONFIG } from './lib/sandbox';
import { stats, type SummaryRow } from './lib/stats';

const ROUNDS = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 3);
const VM = 'edge.Gateway';

/** One `ssh -W ip:22 vsim-hv1`: resolves true when the guest's SSH server sends its identification line. */
function handProbe(ip: string): Promise<boolean> {
  return new Promise((resolve) => {
    const p = spawn('ssh', ['-F', SANDBOX_SSH_CONFIG, '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-W', `${ip}:22`, 'vsim-hv1'], { stdio: ['pipe', 'pipe', 'ignore'] });
    let out = '';
    const done = (ok: boolean): void => { p.kill('SIGKILL'); resolve(ok); };
    const timer = setTimeout(() => done(false), 5_000);
    p.stdout.on('data', (d: Buffer) => { out += d.toString('latin1'); if (/^SSH-2\.0-/.test(out)) { clearTimeout(timer); done(true); } });
    p.on('close', () => { clearTimeout(timer); resolve(/^SSH-2\.0-/.test(out)); });
  });
}

/** Polls with handProbe every 250 ms from `t0` until an answer; the time of the answer (ms after t0). */
async function handPoll(ip: string, t0: number, stop: { done: boolean }): Promise<number> {
  while (!stop.done) {
    const tried = performance.now();
    if (await handProbe(ip)) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, Math.max(0, 250 - (performance.now() - tried))));
  }
  return NaN;
}

async function main(): Promise<void> {
  const env = sandboxEnv();
  if (typeof env === 'string') { console.log(`skipped: ${env}`); return; }
  const topo = sandboxTopology();
  const hv1 = context(env, topo, 'vsim-hv1');
  const ip = vmAddress(topo, VM);
  if (!ip) throw new Error(`${VM} has no address in the sandbox topology`);
  const pool = benchPool();
  const pooled = pool.get(resolveSshDestination('vsim-hv1', readFileSync(SANDBOX_SSH_CONFIG, 'utf8')));
  const b = createLibvirtBackend();
  const watched: number[] = [];
  const polled: number[] = [];
  const phases: Record<string, number>[] = [];
  try {
    for (let i = 0; i < ROUNDS; i++) {
      if ((await b.list(hv1, [VM])).vms[VM]?.state === 'running') await b.lifecycle(hv1, VM, 'destroy');
      const t0 = performance.now();
      await b.lifecycle(hv1, VM, 'start');
      const stop = { done: false };
      const hand = handPoll(ip, t0, stop);
      const w = watchBootOf({
        vm: VM, host: 'vsim-hv1', source: b.bootLog!(hv1, VM), follow: hv1.run.follow.bind(hv1.run),
        ssh: { where: `${ip}:22 through vsim-hv1`, probe: (ms) => sshIdent(() => pooled.connection.forward(ip, 22), ms) },
        ready: readyPattern('^vsim-guest \\S+ ready').re, timeoutMs: 300_000, afterStart: true, report: () => undefined,
      });
      const r = await w.result;
      const seen = performance.now() - t0;
      const handAt = await Promise.race([hand, new Promise<number>((res) => setTimeout(() => res(NaN), 30_000))]);
      stop.done = true;
      if (r.outcome !== 'reachable') throw new Error(`round ${i + 1}: ${r.outcome}: ${r.message}`);
      watched.push(seen);
      polled.push(handAt);
      phases.push(Object.fromEntries(r.marks.map((m) => [m.phase, Math.round(m.atMs)])));
      console.log(`round ${i + 1}: ${phaseSummary(r.marks)}; vsim reachable at ${(seen / 1000).toFixed(2)} s, hand poll answered at ${(handAt / 1000).toFixed(2)} s`);
      await b.lifecycle(hv1, VM, 'destroy');
    }
  } finally {
    pool.dispose();
  }
  const ratio = stats(watched).median / stats(polled).median;
  console.log(`${VM}: reachable seen by vsim ${(stats(watched).median / 1000).toFixed(2)} s vs a hand poll ${(stats(polled).median / 1000).toFixed(2)} s after Start: ${ratio.toFixed(2)}× (median of ${ROUNDS})`);
  const summary: SummaryRow[] = [
    { measure: `boot of ${VM} (libvirt, TCG): Start → SSH reachable, as vsim's boot watch sees it`, value: stats(watched).median / 1000, unit: 's', goal: '< 1.1× a hand poll (ssh -W every 250 ms)',
      versus: { label: 'ssh -W IP:22 through the host every 250 ms', value: stats(polled).median / 1000 }, ratio, met: ratio < 1.1 },
  ];
  writeResults('boot-phases', { vm: VM, rounds: ROUNDS, ms: { watched, polled }, phases, summary });
}

runBench(main);
