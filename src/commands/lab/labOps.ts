// The one place the lab commands call the Lab's bring-up (Lab.plan/apply/up/down/destroy, which
// run src/plan with the Lab's runners, backends, trust and per-VM queue).
import type { Lab } from '../../lab/lab';
import type { ApplyOptions, ApplyResult, Plan } from '../../plan/types';
import { blockersOf } from '../../tree/planStore';
import type { LabEntry } from '../../workspace/workspaceLabs';

export interface Scope {
  entry: LabEntry;
  lab: Lab;
  hosts?: readonly string[];
}

const input = (s: Scope) => ({ blockers: blockersOf(s.entry), ...(s.hosts ? { hosts: s.hosts } : {}) });

export function applyChanges(s: Scope, plan: Plan, ids: readonly string[], opts: ApplyOptions): Promise<ApplyResult> {
  return s.lab.apply(plan, ids, input(s), opts);
}

export function up(s: Scope, opts: ApplyOptions): Promise<ApplyResult> {
  return s.lab.up(input(s), opts);
}

export function down(s: Scope, opts: ApplyOptions): Promise<ApplyResult> {
  return s.lab.down(input(s), opts);
}

export function destroy(s: Scope, opts: ApplyOptions): Promise<ApplyResult> {
  return s.lab.destroy(input(s), opts);
}
