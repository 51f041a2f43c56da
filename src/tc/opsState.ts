// The last tc readback per VM (what the kernel had when vsim last applied, cleared or showed), for
// the tree's description/tooltip and the graph. No vscode. One store per Lab (topology file), keyed by VM.
import { Emitter } from '../remote/events';
import { describeIface, describeMatchShort, type IfaceReadback } from './ops';

export interface VmTcState {
  ifaces: IfaceReadback[];
  at: number;
}

export class TcStateStore {
  private readonly byVm = new Map<string, VmTcState>();
  private readonly changed = new Emitter<{ vm: string }>();
  readonly onDidChange = this.changed.event;

  set(vm: string, ifaces: IfaceReadback[], at = Date.now()): void {
    this.byVm.set(vm, { ifaces, at });
    this.changed.fire({ vm });
  }

  get(vm: string): VmTcState | undefined {
    return this.byVm.get(vm);
  }

  /** "tc: constrained", "tc: custom", "tc: none" (several taps: each tap's name, deduplicated). */
  short(vm: string): string | undefined {
    const s = this.get(vm);
    if (!s || !s.ifaces.length) return undefined;
    const names = [...new Set(s.ifaces.map((i) => describeMatchShort(i.match)))];
    return `tc: ${names.join('/')}`;
  }

  /** One line per tap with the kernel's values and counters. */
  lines(vm: string): string[] {
    return this.get(vm)?.ifaces.map(describeIface) ?? [];
  }

  dispose(): void {
    this.changed.dispose();
  }
}
