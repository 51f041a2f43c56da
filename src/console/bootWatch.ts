// One boot, watched: the host's boot log followed line by line (BootTracker: started → firmware →
// kernel booting → userspace → login prompt), then, for a VM with an address, its SSH port tried
// through the host until it answers (reachable.ts). Each phase must come within `timeoutMs` of the
// one before; a timeout says which phase and shows the last console lines. Cancel stops watching,
// never the VM. Pure (no vscode): the log follower, the SSH probe and the progress sink are given.
import type { BootLogSource } from '../backends/backend';
import { BootTracker, lastBoot, PHASE_TITLE, phaseSummary, type PhaseMark } from './bootPhases';
import { waitReachable } from './reachable';

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

export interface SshPortProbe {
  /** `192.168.100.13:22 through vsim-hv1`, for messages. */
  where: string;
  /** One try: the port's SSH identification line, or throws why not. */
  probe(timeoutMs: number): Promise<string>;
}

export interface BootWatchOptions {
  vm: string;
  host: string;
  source: BootLogSource;
  /** Follows `argv` on the host, a line at a time (CommandRunner.follow). */
  follow(argv: readonly string[], onLine: (line: string) => void): { done: Promise<number>; dispose(): void };
  /** The SSH port to wait for after the login prompt; none: the boot ends at the prompt. */
  ssh?: SshPortProbe;
  ready: RegExp;
  timeoutMs: number;
  /** Right after Start: a finished boot that the log still holds (an appended log) is the previous one. */
  afterStart: boolean;
  /** Progress text for the notification. */
  report(message: string): void;
  now?: () => number;
}

/** `VM on HOST did not get past "PHASE" within N s: DETAIL. Last console lines:` and the lines. */
export function stuckMessage(vm: string, host: string, tracker: BootTracker, timeoutMs: number, detail: string): string {
  return `${vm} on ${host} did not get past "${PHASE_TITLE[tracker.phase]}" within ${timeoutMs / 1000} s (${detail}). Last console lines:\n${tracker.lastLines().join('\n') || '(none)'}`;
}

/** Starts watching; `cancel(message?)` ends the watch (not the boot) with outcome "cancelled" and that message. */
export function watchBootOf(o: BootWatchOptions): { result: Promise<BootWatchResult>; cancel(message?: string): void } {
  const now = o.now ?? (() => performance.now());
  const tracker = new BootTracker(o.ready, now);
  const who = `${o.vm} on ${o.host}`;
  let cancel = (_message?: string) => undefined as void;
  const result = new Promise<BootWatchResult>((resolve) => {
    let burst: string[] | undefined = [];
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (outcome: BootWatchResult['outcome'], message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(burstTimer);
      stream.dispose();
      resolve({ vm: o.vm, host: o.host, outcome, marks: [...tracker.marks], message });
    };
    const armTimeout = () => {
      clearTimeout(timer);
      timer = setTimeout(() => finish('timeout', stuckMessage(o.vm, o.host, tracker, o.timeoutMs, o.source.where)), o.timeoutMs);
    };
    const reach = async (port: SshPortProbe) => {
      clearTimeout(timer);
      o.report(`waiting for SSH on ${port.where} · ${phaseSummary(tracker.marks)}`);
      const r = await waitReachable({
        probe: () => port.probe(REACH_TRY_MS),
        intervalMs: REACH_INTERVAL_MS,
        timeoutMs: o.timeoutMs,
        now,
        sleep: (ms) => new Promise((res) => setTimeout(res, ms)),
        cancelled: () => settled,
      });
      if (r.outcome === 'reachable') {
        tracker.reach(r.ident);
        finish('reachable', `${who} booted: ${phaseSummary(tracker.marks)} (${r.ident})`);
      } else if (r.outcome === 'timeout') {
        finish('timeout', stuckMessage(o.vm, o.host, tracker, o.timeoutMs, `its SSH port ${port.where} did not answer in ${r.tries} tries; last: ${r.lastError}`));
      }
    };
    const take = (line: string) => {
      const m = tracker.push(line);
      if (!m) return;
      o.report(`${PHASE_TITLE[m.phase]} · ${phaseSummary(tracker.marks)}`);
      if (!tracker.done) armTimeout();
      else if (!o.ssh) finish('ready', `${who} booted: ${phaseSummary(tracker.marks)} (no address in the topology: SSH not tried)`);
      else void reach(o.ssh);
    };
    o.report(`started · following ${o.source.where}`);
    armTimeout();
    const stream = o.follow(o.source.follow, (line) => {
      if (burst) burst.push(line);
      else take(line);
    });
    // What the log held when tail started: only its last boot counts; right after Start a boot that
    // already reached its login prompt is the previous one (an appended log), so it is skipped.
    const burstTimer = setTimeout(() => {
      const held = burst ?? [];
      burst = undefined;
      const last = lastBoot(held.join('\n')).split('\n');
      const probe = new BootTracker(o.ready, () => 0);
      last.forEach((l) => probe.push(l));
      if (!(o.afterStart && probe.done)) last.forEach(take);
    }, BURST_MS);
    cancel = (message) => finish('cancelled', message ?? `stopped watching the boot of ${who} (it keeps booting)`);
    void stream.done.then((code) => finish('failed', `following the boot log of ${who} ended (exit code ${code}; ${o.source.where})`), (e: Error) => finish('failed', e.message));
  });
  return { result, cancel: (message) => cancel(message) };
}
