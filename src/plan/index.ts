// Bring-up of the lab the file describes: plan (compare), apply (make the hosts match), up, down,
// destroy. Pure (no vscode): the extension's Lab, the Plan view and `vsim plan` all call these.
// Signatures agreed between the plan engine and its callers; implemented in this folder.
import type { CommandRunner, VmBackend } from '../backends/backend';
import type { Backend, Host, Topology } from '../model/types';
import type { Plan } from './types';

export interface PlanDeps {
  /** A runner for the host (pooled SSH in the extension, one connection per host in the CLI). */
  runnerFor(hostName: string, host: Host, topology: Topology): Promise<CommandRunner>;
  backends: Partial<Record<Backend, VmBackend>>;
  /** False in an untrusted workspace: nothing remote happens, every host plan says why. */
  trusted(): boolean;
  /** Serialises operations on one VM (the Lab's per-VM queue); default: none. */
  queue?<T>(vm: string, op: string, f: () => Promise<T>): Promise<T>;
}

export interface PlanInput {
  topology: Topology;
  /** Error diagnostics of the file: any → the plan is blocked and applies nothing. */
  blockers?: Plan['blockers'];
  /** Limit to these hosts (default all). */
  hosts?: readonly string[];
  /** Also evaluate microvm flakes for `outdated` (slow; only when the user asks). */
  evaluate?: boolean;
}

export type { ApplyEvent, ApplyOptions, ApplyResult, Change, FieldDiff, HostPlan, Plan } from './types';
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
