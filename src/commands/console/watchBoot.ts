// "Watch Boot Progress" (run after Start / Restart): a notification per VM with the boot's phases
// read from its host's boot log, followed (firmware → kernel booting → userspace → login prompt),
// then "SSH reachable" (its SSH port answers through the host, console/reachable.ts) for a VM with
// an address, each with its time. Cancel stops watching, never the VM. A phase not reached within
// vsim.boot.phaseTimeoutSeconds says which one and shows the last console lines.
import * as vscode from 'vscode';
import { BootTracker, lastBoot, PHASE_TITLE, phaseSummary, readyPattern, type PhaseMark } from '../../console/bootPhases';
import type { Consoles } from '../../console/consoles';
import { waitReachable } from '../../console/reachable';
import type { VmNode } from '../../tree/nodes';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import { targetCommand } from '../registry';
import { vmTargets } from '../vm/pickVms';

/** Lines tail prints at once when it starts (what the log held): judged together, see below. */
const BURST_MS = 700;
/** Between tries at the SSH port, and the most one try waits for its identification line. */
const REACH_INTERVAL_MS = 1000;
const REACH_TRY_MS = 5000;

export interface BootWatchResult {
  vm: string;
  host: string;
  /** How it ended: its SSH port answered, reached the login prompt (a VM without an address), cancelled, timed out in a phase, or the log could not be followed. */
  outcome: 'reachable' | 'ready' | 'cancelled' | 'timeout' | 'failed';
  marks: PhaseMark[];
  message: string;
}

function settings() {
  const c = vscode.workspace.getConfiguration('vsim.boot');
  return { ready: readyPattern(c.get<string>('readyPattern')), timeoutMs: Math.max(5, c.get<number>('phaseTimeoutSeconds') ?? 600) * 1000 };
}

export async function watchOne(consoles: Consoles, t: VmNode, afterStart: boolean): Promise<BootWatchResult> {
  const { ready, timeoutMs } = settings();
  if (ready.error) void vscode.window.showWarningMessage(`vsim: ${ready.error}.`);
  const { source, run } = await consoles.bootLog(t);
  const ssh = await consoles.sshPort(t);
  if (!run.follow) throw new Error(`the connection to ${t.host} cannot follow a log`);
  const follow = run.follow.bind(run);
  const tracker = new BootTracker(ready.re, () => performance.now());
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `vsim: booting ${t.vm} on ${t.host}`, cancellable: true },
    (progress, token) => new Promise<BootWatchResult>((resolve) => {
      let burst: string[] | undefined = [];
      let timer: NodeJS.Timeout | undefined;
      let settled = false;
      const finish = (outcome: BootWatchResult['outcome'], message: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        stream.dispose();
        resolve({ vm: t.vm, host: t.host, outcome, marks: [...tracker.marks], message });
      };
      const armTimeout = () => {
        clearTimeout(timer);
        timer = setTimeout(() => finish('timeout', `${t.vm} on ${t.host} did not get past "${PHASE_TITLE[tracker.phase]}" within ${timeoutMs / 1000} s (${source.where}). Last console lines:\n${tracker.lastLines().join('\n') || '(none)'}`), timeoutMs);
      };
      const take = (line: string) => {
        const m = tracker.push(line);
        if (!m) return;
        progress.report({ message: `${PHASE_TITLE[m.phase]} · ${phaseSummary(tracker.marks)}` });
        if (!tracker.done) armTimeout();
        else if (!ssh) finish('ready', `${t.vm} on ${t.host} booted: ${phaseSummary(tracker.marks)} (no address in the topology: SSH not tried)`);
        else void reach(ssh);
      };
      const reach = async (port: NonNullable<typeof ssh>) => {
        clearTimeout(timer);
        progress.report({ message: `waiting for SSH on ${port.where} · ${phaseSummary(tracker.marks)}` });
        const r = await waitReachable({
          probe: () => port.probe(REACH_TRY_MS),
          intervalMs: REACH_INTERVAL_MS,
          timeoutMs,
          now: () => performance.now(),
          sleep: (ms) => new Promise((res) => setTimeout(res, ms)),
          cancelled: () => settled,
        });
        if (r.outcome === 'reachable') {
          tracker.reach(r.ident);
          finish('reachable', `${t.vm} on ${t.host} booted: ${phaseSummary(tracker.marks)} (${r.ident})`);
        } else if (r.outcome === 'timeout') {
          finish('timeout', `${t.vm} on ${t.host} did not get past "${PHASE_TITLE[tracker.phase]}" within ${timeoutMs / 1000} s: its SSH port ${port.where} did not answer (${r.tries} tries; last: ${r.lastError}). Last console lines:\n${tracker.lastLines().join('\n') || '(none)'}`);
        }
      };
      progress.report({ message: `started · following ${source.where}` });
      armTimeout();
      const stream = follow(source.follow, (line) => {
        if (burst) burst.push(line);
        else take(line);
      });
      // What the log held when tail started: only its last boot counts; right after Start a boot that
      // already reached its login prompt is the previous one (an appended log), so it is skipped.
      setTimeout(() => {
        const held = burst ?? [];
        burst = undefined;
        const last = lastBoot(held.join('\n')).split('\n');
        const probe = new BootTracker(ready.re, () => 0);
        last.forEach((l) => probe.push(l));
        if (!(afterStart && probe.done)) last.forEach(take);
      }, BURST_MS);
      token.onCancellationRequested(() => finish('cancelled', `stopped watching the boot of ${t.vm} on ${t.host} (it keeps booting)`));
      void stream.done.then((code) => finish('failed', `following the boot log of ${t.vm} on ${t.host} ended (exit code ${code}; ${source.where})`), (e: Error) => finish('failed', e.message));
    }),
  );
}

export function watchBoot(labs: WorkspaceLabs, consoles: Consoles) {
  return targetCommand(async (call): Promise<BootWatchResult[]> => {
    const targets = await vmTargets(labs, call, { title: 'Watch Boot Progress', many: true, undeclared: true });
    const afterStart = call.values.includes('afterStart');
    return Promise.all(targets.map(async (t) => {
      const r = await watchOne(consoles, t, afterStart).catch((e: Error): BootWatchResult => ({ vm: t.vm, host: t.host, outcome: 'failed', marks: [], message: e.message }));
      if (r.outcome === 'ready' || r.outcome === 'reachable') void vscode.window.showInformationMessage(`vsim: ${r.message}`);
      else if (r.outcome === 'timeout') void vscode.window.showWarningMessage(`vsim: ${r.message}`);
      // After Start a VM whose host keeps no boot log (a domain without <log file>) is not worth a warning; the command run by hand says why.
      else if (r.outcome === 'failed' && !afterStart) void vscode.window.showWarningMessage(`vsim: cannot watch the boot of ${t.vm} on ${t.host}: ${r.message}`);
      return r;
    }));
  });
}
