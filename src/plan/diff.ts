// The field diff of a VM: the file's VmSpec (provisioner.declared) against the host's
// (provisioner.inspect). Only fields the file states are compared (a MAC or tap name left to the
// backend is not); list lengths (`nics`, `disks`) catch entries the host has in excess. Pure.
import type { VmSpec } from '../backends/backend';
import type { FieldDiff } from './types';

/** The fields whose values differ, in the declared spec's key order (stable for the Plan view and tests). */
export function diffSpec(declared: VmSpec, inspected: VmSpec): FieldDiff[] {
  const out: FieldDiff[] = [];
  for (const field of Object.keys(declared)) {
    const want = declared[field] ?? '';
    const have = inspected[field] ?? '';
    if (want !== have) out.push({ field, want, have });
  }
  return out;
}
