// `vm-state list` (simple-microvm-infra's state manager) → slots, states and snapshots. Pure.
// Layout of its output (ANSI colours on the [INFO] tags):
//   [INFO] States and assignments:
//   SLOT  STATE  RUNNING  ZFS DATASET / ---- rows / slotN  <state>  yes|no  <pool>/…/<state>
//   [INFO] Available states (ZFS datasets):
//   <dataset> lines, then "  <state>  used: 96K  avail: 1.5G" lines, or "  (no states created yet)"
//   [INFO] Snapshots:
//   <dataset>@<snapshot> lines (at most 20)
import { stripAnsi } from '../../nix/parseLog';

export interface SlotAssignment {
  slot: string;
  state: string;
  running: boolean;
  dataset: string;
}

export interface StateInfo {
  name: string;
  dataset?: string;
  used?: string;
  avail?: string;
}

export interface SnapshotInfo {
  /** e.g. microvms/storage/states/slot1 */
  dataset: string;
  state: string;
  snapshot: string;
}

export interface VmStateList {
  slots: SlotAssignment[];
  states: StateInfo[];
  snapshots: SnapshotInfo[];
}

export function vmStateCommand(verb: 'list'): string[];
export function vmStateCommand(verb: 'create' | 'delete', name: string): string[];
export function vmStateCommand(verb: 'snapshot' | 'assign' | 'clone' | 'migrate' | 'restore', a: string, b: string): string[];
/** argv of the seeds' `vm-state` (names checked against the script's own rule). */
export function vmStateCommand(verb: string, ...args: string[]): string[] {
  for (const a of args) {
    if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(a)) throw new Error(`Invalid vm-state argument ${JSON.stringify(a)}: 1-64 of A-Z a-z 0-9 _ . : - starting with a letter or digit`);
  }
  return ['vm-state', verb, ...args];
}

export function parseVmStateList(text: string): VmStateList {
  const out: VmStateList = { slots: [], states: [], snapshots: [] };
  let section: 'slots' | 'states' | 'snapshots' | undefined;
  const datasets = new Map<string, string>();
  for (const raw of stripAnsi(text).split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (/^\[INFO\] States and assignments/.test(line)) section = 'slots';
    else if (/^\[INFO\] Available states/.test(line)) section = 'states';
    else if (/^\[INFO\] Snapshots/.test(line)) section = 'snapshots';
    else if (/^\[(INFO|WARN|OK|ERROR)\]/.test(line) || !line.trim()) continue;
    else if (section === 'slots') {
      const c = line.trim().split(/\s+/);
      if (c.length !== 4 || c[0] === 'SLOT' || /^-+$/.test(c[0] as string)) continue;
      out.slots.push({ slot: c[0] as string, state: c[1] as string, running: c[2] === 'yes', dataset: c[3] as string });
    } else if (section === 'states') {
      const usage = /^\s+(\S+)\s+used:\s*(\S+)\s+avail:\s*(\S+)\s*$/.exec(line);
      if (usage) {
        const name = usage[1] as string;
        const st: StateInfo = { name, used: usage[2] as string, avail: usage[3] as string };
        const ds = datasets.get(name);
        if (ds) st.dataset = ds;
        out.states.push(st);
      } else if (/^\S+\/\S+$/.test(line.trim()) && !line.startsWith(' ')) {
        const ds = line.trim();
        datasets.set(ds.replace(/^.*\//, ''), ds);
      }
    } else if (section === 'snapshots') {
      const m = /^(\S+)@(\S+)$/.exec(line.trim());
      if (m) out.snapshots.push({ dataset: m[1] as string, state: (m[1] as string).replace(/^.*\//, ''), snapshot: m[2] as string });
    }
  }
  // States listed only as datasets (no usage line) are still states.
  for (const [name, dataset] of datasets) if (!out.states.some((s) => s.name === name)) out.states.push({ name, dataset });
  return out;
}
