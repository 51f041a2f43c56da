// start / stop / restart / destroy / suspend / resume: one handler shape for every backend.
// Operations on one VM queue (Lab.queue); several VMs run side by side; progress is visible.
import * as vscode from 'vscode';
import type { LifecycleOp, VmState } from '../../backends/backend';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import type { VmNode } from '../../tree/nodes';
import { askConfirmation } from '../confirm';
import { targetCommand } from '../registry';
import type { PlanStore } from '../../tree/planStore';
import { defineFirst } from '../lab/defineFirst';
import { vmTargets } from './pickVms';

interface OpSpec {
  op: LifecycleOp;
  /** The picker's title: the command's action. */
  action: string;
  verb: string;
  from?: VmState[];
  confirm?: string;
}

export const LIFECYCLE: Record<'start' | 'stop' | 'restart' | 'destroy' | 'suspend' | 'resume', OpSpec> = {
  start: { op: 'start', action: 'Start VM', verb: 'Starting', from: ['stopped', 'crashed', 'missing'] },
  stop: { op: 'shutdown', action: 'Shut Down VM', verb: 'Shutting down', from: ['running', 'paused'] },
  restart: { op: 'reboot', action: 'Restart VM', verb: 'Restarting', from: ['running'] },
  destroy: { op: 'destroy', action: 'Destroy VM (Force Off)', verb: 'Destroying', from: ['running', 'paused', 'crashed'], confirm: 'Destroy pulls the plug: the guest gets no chance to shut down cleanly.' },
  suspend: { op: 'suspend', action: 'Pause VM', verb: 'Pausing', from: ['running'] },
  resume: { op: 'resume', action: 'Resume VM', verb: 'Resuming', from: ['paused'] },
};

export function lifecycleCommand(labs: WorkspaceLabs, spec: OpSpec, plans?: PlanStore) {
  return targetCommand(async (call): Promise<void> => {
    const targets = await vmTargets(labs, call, { title: spec.action, states: spec.from, many: true, undeclared: true });
    const confirmed = call.options.confirmed === true;
    if (spec.confirm) {
      const names = targets.map((t) => `${t.vm} on ${t.host}`).join(', ');
      if (!(await askConfirmation(call.options, { message: `${spec.verb.replace(/ing$/, '')} ${names}?`, lines: [spec.confirm], button: 'Destroy' }))) return;
    }
    await Promise.all(targets.map(async (t) => {
      // Start on a VM the host does not have: offer to apply (define) it first, then start it.
      if (spec.op === 'start' && plans && !t.undeclared && labs.get(t.uri)?.lab?.host(t.host).vms[t.vm]?.state === 'missing') {
        if (!(await defineFirst(labs, plans, t, confirmed))) return;
      }
      await runOne(labs, t, spec);
    }));
  });
}

async function runOne(labs: WorkspaceLabs, t: VmNode, spec: OpSpec): Promise<void> {
  const lab = labs.get(t.uri)?.lab;
  if (!lab) throw new Error(`${vscode.workspace.asRelativePath(t.uri)} has errors; fix them before driving its VMs.`);
  try {
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `vsim: ${spec.verb} ${t.vm} on ${t.host}…` },
      () => lab.lifecycle(t.vm, spec.op, t.undeclared ? t.host : undefined),
    );
    // A boot follows: watch its phases where the host keeps a boot log (src/commands/console/watchBoot.ts).
    if ((spec.op === 'start' || spec.op === 'reboot') && lab.backendOf(t.vm, t.undeclared ? t.host : undefined)?.bootLog) {
      void vscode.commands.executeCommand('vsim.watchBoot', t, 'afterStart');
    }
  } catch (err) {
    const message = (err as Error).message;
    if (spec.op === 'shutdown' && /did not (stop|shut down)/i.test(message)) {
      const choice = await vscode.window.showWarningMessage(`vsim: ${message}`, 'Destroy', 'Keep Waiting');
      if (choice === 'Destroy') await runOne(labs, t, LIFECYCLE.destroy);
      else if (choice === 'Keep Waiting') await runOne(labs, t, spec);
      return;
    }
    throw err;
  }
}
