// Bring-up of the lab the file describes: plan (compare), apply (make the hosts match), up, down,
// destroy. Pure (no vscode): the extension's Lab, the Plan view and `vsim plan` all call these.
// The folder's entry: what callers use, re-exported from the files that implement it.
export type { ApplyEvent, ApplyOptions, ApplyResult, Change, FieldDiff, HostPlan, Plan, PlanDeps, PlanInput } from './types';
export { driftCount, isApplicable } from './types';

// Implemented in planLab.ts / apply.ts / lifecycle.ts (re-exported from here):
//   planLab(input: PlanInput, deps: PlanDeps): Promise<Plan>
//   applyPlan(plan: Plan, ids: readonly string[] | 'all', input: PlanInput, deps: PlanDeps, opts?: ApplyOptions): Promise<ApplyResult>
//   upLab(input: PlanInput, deps: PlanDeps, opts?: ApplyOptions): Promise<ApplyResult>      apply all, then start every declared VM (hosts in parallel; per host file order or `after:`)
//   downLab(input: PlanInput, deps: PlanDeps, opts?: ApplyOptions & { timeoutMs?: number }): Promise<ApplyResult>   graceful shutdown; VMs still running at the timeout listed as failed with offerDestroy
//   destroyLab(input: PlanInput, deps: PlanDeps, opts?: ApplyOptions): Promise<ApplyResult>  stop + deprovision every declared VM, then tear down declared networks; never an undeclared VM
//   describeChange(c: Change): string   one line per change, the same text in the Plan view and `vsim plan`

export { planLab, planHost } from './planLab';
export { applyPlan } from './apply';
export { upLab, downLab, destroyLab, startAll } from './lifecycle';
export { describeChange, describeFields } from './describe';
