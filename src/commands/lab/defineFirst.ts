// Start on a `missing` VM: `virsh start` of an undefined domain can only fail, so offer to apply
// the VM's plan changes (define it, and its missing network) first; the caller then starts it.
import * as vscode from 'vscode';
import { describeChange } from '../../plan';
import { isApplicable } from '../../plan/types';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import type { VmNode } from '../../tree/nodes';
import type { PlanStore } from '../../tree/planStore';
import * as ops from './labOps';
import { runWithProgress } from './runWithProgress';

/** True when the VM is now defined (applied here); false when the user declined or it failed. */
export async function defineFirst(labs: WorkspaceLabs, plans: PlanStore, t: VmNode, confirmed: boolean): Promise<boolean> {
  const entry = labs.get(t.uri);
  const lab = entry?.lab;
  if (!entry || !lab) return false;
  const plan = await plans.plan(t.uri, [t.host]);
  const host = plan.hosts.find((h) => h.host === t.host);
  const mine = host?.changes.find((c) => c.kind === 'vm-missing' && c.vm === t.vm);
  if (!mine) return true; // defined meanwhile: just start
  if (!isApplicable(mine)) throw new Error(`${t.vm} is not defined on ${t.host} and cannot be applied: ${mine.blockedBy ?? 'not applicable'}.`);
  // Its networks first when they are missing too (a domain on a missing bridge does not start).
  const nets = new Set((lab.current.vms?.[t.vm]?.nics ?? []).map((n) => n.network));
  const changes = [mine, ...(host?.changes ?? []).filter((c) => c.kind === 'network-missing' && nets.has(c.network) && isApplicable(c))];
  if (!confirmed) {
    const button = 'Apply (define) first';
    const answer = await vscode.window.showWarningMessage(`${t.vm} is not defined on ${t.host}: apply it first, then start it?`,
      { modal: true, detail: changes.map((c) => `• ${describeChange(c)}`).join('\n') }, button);
    if (answer !== button) return false;
  }
  const o = await runWithProgress('apply', `Define ${t.vm}`, changes.length, (opts) => ops.applyChanges({ entry, lab, hosts: [t.host] }, plan, changes.map((c) => c.id), opts));
  void plans.plan(t.uri, [t.host]).catch(() => undefined);
  if (o.result.failed.length) throw new Error(`${t.vm} could not be defined on ${t.host}: ${o.result.failed.map((f) => f.message).join('; ')}`);
  return !o.result.cancelled;
}
