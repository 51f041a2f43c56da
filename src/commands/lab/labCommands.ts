// Lab: Plan / Apply Change / Apply All / Up / Down / Destroy. Each changing action confirms once
// (a modal listing every change, VM and network it touches), runs under a cancellable progress
// notification, ends with a summary, then plans again so the Plan view and the badges show the result.
import * as vscode from 'vscode';
import { log } from '../../common/log';
import type { BootWatchResult } from '../../console/bootWatch';
import { describeChange } from '../../plan';
import { startedVms } from '../../plan/lifecycle';
import { isApplicable, type ApplyResult, type Change, type Plan } from '../../plan/types';
import type { PlanStore } from '../../tree/planStore';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import * as ops from './labOps';
import { applyConfirmation, declaredNetworks, declaredVms, destroyConfirmation, downConfirmation, upConfirmation } from './labText';
import { targetCommand } from '../registry';
import type { CommandCall, CommandOptions } from '../targets';
import { labName, labTarget, requireTrust, type LabTarget } from './labTarget';
import { confirmOnce, runWithProgress, showSummary, type RunOutcome } from './runWithProgress';

/** What a changing lab command returns (tests read it): the run and the plan made after it. */
export interface LabRun extends RunOutcome {
  plan?: Plan;
  /** Up: the boot watches it started (one per VM it started whose host keeps a boot log), as they end. */
  boots?: Promise<BootWatchResult[]>;
}

export interface LabCommandDeps {
  labs: WorkspaceLabs;
  plans: PlanStore;
}

type Handler = (...args: unknown[]) => Promise<unknown>;

/** A lab command: refused in an untrusted workspace, then its lab (and hosts) from the registry's typed target. */
function labCommand<T>(d: LabCommandDeps, title: string, run: (t: LabTarget, opts: CommandOptions) => Promise<T>): Handler {
  return targetCommand(async (call: CommandCall) => {
    requireTrust();
    return run(await labTarget(d.labs, call.target, title), call.options);
  });
}

async function planNow(d: LabCommandDeps, t: LabTarget, hosts?: readonly string[]): Promise<Plan> {
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `vsim: planning ${labName(t)}…` },
    () => d.plans.plan(t.entry.uri, hosts));
}

function refuseBlocked(plan: Plan, t: LabTarget): void {
  if (plan.blockers.length) throw new Error(`${labName(t)} is not applied: ${plan.blockers.map((b) => b.message).join('; ')}`);
}

function applicable(plan: Plan, hosts?: readonly string[]): Change[] {
  return plan.hosts.filter((h) => !hosts || hosts.includes(h.host)).flatMap((h) => h.changes.filter(isApplicable));
}

/** After a run: the hosts' listings and the plan again (the Plan view and badges then show the result). */
async function afterRun(d: LabCommandDeps, t: LabTarget, o: RunOutcome, title: string, hosts?: readonly string[]): Promise<LabRun> {
  const touched = hosts ?? t.lab.hostNames();
  await Promise.all(touched.map((h) => t.lab.refresh(h)));
  let plan: Plan | undefined;
  try {
    plan = await d.plans.plan(t.entry.uri);
  } catch (err) {
    log().warn(`plan after ${title}: ${(err as Error).message}`);
  }
  showSummary(title, o, async (vms) => {
    await Promise.all(vms.map((vm) => vscode.commands.executeCommand('vsim.restartVm', { kind: 'vm', name: vm, uri: t.entry.uri })));
  });
  return { ...o, plan };
}

export function planLab(d: LabCommandDeps): Handler {
  return labCommand(d, 'Lab: Plan', async (t, opts) => {
    const plan = await planNow(d, t, opts.hosts ?? t.hosts);
    void vscode.commands.executeCommand('vsim.plan.focus');
    return plan;
  });
}

/** Applies the given changes of a fresh plan (a change no longer in it is already done). */
async function applyIds(d: LabCommandDeps, t: LabTarget, opts: CommandOptions, pick: (plan: Plan) => Change[]): Promise<LabRun | undefined> {
  const hosts = opts.hosts ?? t.hosts;
  const plan = await planNow(d, t, hosts);
  refuseBlocked(plan, t);
  const changes = pick(plan);
  const c = applyConfirmation(labName(t), changes, describeChange);
  if (!(await confirmOnce(c, opts))) return undefined;
  const ids = changes.filter(isApplicable).map((x) => x.id);
  const title = `Apply to ${labName(t)}`;
  const o = await runWithProgress('apply', title, ids.length, (o2) => ops.applyChanges({ ...t, hosts }, plan, ids, o2));
  return afterRun(d, t, o, title, hosts);
}

export function applyChange(d: LabCommandDeps): Handler {
  return labCommand(d, 'Lab: Apply Change', async (t, opts) => {
    const id = t.changeId ?? (await pickChange(d, t));
    return applyIds(d, t, { ...opts, hosts: opts.hosts ?? t.hosts ?? [id.split('/')[0]!] }, (plan) => {
      const found = applicable(plan).filter((c) => c.id === id);
      if (!found.length) void vscode.window.showInformationMessage(`vsim: ${id} is no longer in the plan (already applied, or the file changed).`);
      return found;
    });
  });
}

async function pickChange(d: LabCommandDeps, t: LabTarget): Promise<string> {
  const plan = await planNow(d, t, t.hosts);
  const items = applicable(plan, t.hosts).map((c) => ({ label: describeChange(c), description: c.host, id: c.id }));
  if (!items.length) throw new Error(`${labName(t)} is in sync with its hosts: nothing to apply.`);
  const picked = await vscode.window.showQuickPick(items, { title: 'Lab: Apply Change', placeHolder: 'Choose a change' });
  if (!picked) throw new vscode.CancellationError();
  return picked.id;
}

export function applyAll(d: LabCommandDeps): Handler {
  return labCommand(d, 'Lab: Apply All Changes', async (t, opts) => {
    return applyIds(d, { ...t, changeId: undefined }, opts, (plan) => applicable(plan, opts.hosts ?? t.hosts));
  });
}

export function labUp(d: LabCommandDeps): Handler {
  return labCommand(d, 'Lab: Up', async (t, opts) => {
    const hosts = opts.hosts ?? t.hosts;
    const plan = await planNow(d, t, hosts);
    refuseBlocked(plan, t);
    const c = upConfirmation(labName(t), t.lab.current, plan, describeChange, hosts);
    if (!(await confirmOnce(c, opts))) return undefined;
    const title = `Up ${labName(t)}`;
    const total = applicable(plan, hosts).length + declaredVms(t.lab.current, hosts).length;
    const o = await runWithProgress('up', title, total, (o2) => ops.up({ ...t, hosts }, o2));
    // Each VM Up started boots: its progress as after Start, where its host keeps a boot log (src/commands/console/watchBoot.ts).
    const watches = startedVms(o.result.done).filter(({ vm }) => t.lab.backendOf(vm)?.bootLog).map(({ vm }) =>
      Promise.resolve(vscode.commands.executeCommand<BootWatchResult[] | undefined>('vsim.watchBoot', { kind: 'vm', name: vm, uri: t.entry.uri }, 'afterStart')).then((r) => r ?? []));
    const boots = Promise.all(watches).then((rs) => rs.flat());
    return { ...(await afterRun(d, t, o, title, hosts)), boots };
  });
}

export function labDown(d: LabCommandDeps): Handler {
  return labCommand(d, 'Lab: Down', async (t, opts) => {
    const hosts = opts.hosts ?? t.hosts;
    const c = downConfirmation(labName(t), t.lab.current, hosts);
    if (!(await confirmOnce(c, opts))) return undefined;
    const title = `Down ${labName(t)}`;
    const o = await runWithProgress('down', title, declaredVms(t.lab.current, hosts).length, (o2) => ops.down({ ...t, hosts }, o2));
    offerForceOff(t, o.result);
    return afterRun(d, t, o, title, hosts);
  });
}

/** VMs still running when Down's timeout ran out: offer to force them off. */
function offerForceOff(t: LabTarget, r: ApplyResult): void {
  const vms = r.failed.filter((f) => f.offerDestroy).map((f) => f.id.split('/').pop()!);
  if (!vms.length) return;
  void vscode.window.showWarningMessage(`vsim: ${vms.join(', ')} did not shut down in time.`, `Force Off ${vms.length === 1 ? vms[0] : `${vms.length} VMs`}`).then(async (choice) => {
    if (!choice) return;
    for (const vm of vms) await vscode.commands.executeCommand('vsim.destroyVm', { kind: 'vm', name: vm, uri: t.entry.uri }, undefined, { confirmed: true });
  });
}

export function labDestroy(d: LabCommandDeps): Handler {
  return labCommand(d, 'Lab: Destroy', async (t, opts) => {
    const hosts = opts.hosts ?? t.hosts;
    // The plan names the undeclared VMs the modal says are left alone; Destroy works without it.
    const plan = await planNow(d, t, hosts).catch(() => undefined);
    const c = destroyConfirmation(labName(t), t.lab.current, plan, hosts);
    if (!(await confirmOnce(c, opts))) return undefined;
    const title = `Destroy ${labName(t)}`;
    const total = declaredVms(t.lab.current, hosts).length + declaredNetworks(t.lab.current, hosts).length;
    const o = await runWithProgress('destroy', title, total, (o2) => ops.destroy({ ...t, hosts }, o2));
    return afterRun(d, t, o, title, hosts);
  });
}
