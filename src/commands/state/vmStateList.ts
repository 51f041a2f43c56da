// `vm-state list` → the shape the vm-state commands pick from (and return). Pure; the parsing is
// the microvm backend's parseVmStateList.
import { parseVmStateList as parse, type SlotAssignment } from '../../backends/microvm/parseVmState';

export interface VmStateListing {
  assignments: SlotAssignment[];
  states: string[];
  snapshots: { state: string; snapshot: string }[];
}

export function parseVmStateList(text: string): VmStateListing {
  const l = parse(text);
  const states = new Set(l.states.map((s) => s.name));
  return {
    assignments: l.slots,
    states: [...states].sort(),
    snapshots: l.snapshots.map((s) => ({ state: s.state, snapshot: s.snapshot })),
  };
}
