// "Watch Boot Progress" (run after Start / Restart): a notification per VM with the boot's phases
// (console/bootWatch.ts: firmware → kernel booting → userspace → login prompt → SSH reachable),
// each with its time. Cancel stops watching, never the VM; a VM seen stopped ends its watch. A phase not reached within
// vsim.boot.phaseTimeoutSeconds says which one and shows the last console lines.
import * as vscode from 'vscode';
import { readyPattern } from '../../console/bootPhases';
import { watchBootOf, type BootWatchResult } from '../../console/bootWatch';
import type { Consoles } from '../../console/consoles';
import type { VmNode } from '../../tree/nodes';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import { targetCommand } from '../registry';
import { vmTargets } from '../vm/pickVms';

function settings() {
  const c = vscode.workspace.getConfiguration('vsim.boot');
  return { ready: readyPattern(c.get<string>('readyPattern')), timeoutMs: Math.max(5, c.get<number>('phaseTimeoutSeconds') ?? 600) * 1000 };
}

/**
 * Calls `end` when the VM, once seen running (or starting), is listed stopped or missing by a refresh
 * (Stop, Destroy, Lab: Down or a crash): nothing is left to boot, so its notification should not linger.
 */
function whenStopped(labs: WorkspaceLabs, t: VmNode, end: () => void): vscode.Disposable {
  const state = () => labs.get(t.uri)?.lab?.host(t.host).vms[t.vm]?.state;
  const up = (s = state()) => s === 'running' || s === 'starting';
  let seenUp = up();
  return labs.onDidChange((c) => {
    if (c.kind !== 'host' || c.host !== t.host || c.uri.toString() !== t.uri.toString()) return;
    const now = state();
    if (up(now)) seenUp = true;
    else if (seenUp && (now === 'stopped' || now === 'missing')) end();
  });
}

export async function watchOne(labs: WorkspaceLabs, consoles: Consoles, t: VmNode, afterStart: boolean): Promise<BootWatchResult> {
  const { ready, timeoutMs } = settings();
  if (ready.error) void vscode.window.showWarningMessage(`vsim: ${ready.error}.`);
  const { source, run } = await consoles.bootLog(t);
  if (!run.follow) throw new Error(`the connection to ${t.host} cannot follow a log`);
  const follow = run.follow.bind(run);
  const ssh = await consoles.sshPort(t);
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `vsim: booting ${t.vm} on ${t.host}`, cancellable: true },
    (progress, token) => {
      const w = watchBootOf({ vm: t.vm, host: t.host, source, follow, ssh, ready: ready.re, timeoutMs, afterStart, report: (message) => progress.report({ message }) });
      token.onCancellationRequested(() => w.cancel());
      const stopped = whenStopped(labs, t, () => w.cancel(`${t.vm} on ${t.host} stopped before it finished booting`));
      return w.result.finally(() => stopped.dispose());
    },
  );
}

export function watchBoot(labs: WorkspaceLabs, consoles: Consoles) {
  return targetCommand(async (call): Promise<BootWatchResult[]> => {
    const targets = await vmTargets(labs, call, { title: 'Watch Boot Progress', many: true, undeclared: true });
    const afterStart = call.values.includes('afterStart');
    return Promise.all(targets.map(async (t) => {
      const r = await watchOne(labs, consoles, t, afterStart).catch((e: Error): BootWatchResult => ({ vm: t.vm, host: t.host, outcome: 'failed', marks: [], message: e.message }));
      if (r.outcome === 'ready' || r.outcome === 'reachable') void vscode.window.showInformationMessage(`vsim: ${r.message}`);
      else if (r.outcome === 'timeout') void vscode.window.showWarningMessage(`vsim: ${r.message}`);
      // After Start a VM whose host keeps no boot log (a domain without <log file>) is not worth a warning; the command run by hand says why.
      else if (r.outcome === 'failed' && !afterStart) void vscode.window.showWarningMessage(`vsim: cannot watch the boot of ${t.vm} on ${t.host}: ${r.message}`);
      return r;
    }));
  });
}
