// The last tc readback per VM (what the kernel had when vsim last applied, cleared or showed), for
// the tree's description/tooltip and the graph. No vscode. Keyed by topology file and VM name.
import { Emitter } from '../remote/events';
import { describeIface, describeMatchShort, type IfaceReadback } from './ops';

export interface VmTcState {
  ifaces: IfaceReadback[];
  at: number;
}

export class TcStateStore {
  private readonly byVm = new Map<string, VmTcState>();
  private readonly changed = new Emitter<{ file: string; vm: string }>();
  readonly onDidChange = this.changed.event;

  set(file: string, vm: string, ifaces: IfaceReadback[], at = Date.now()): void {
    this.byVm.set(`${file}#${vm}`, { ifaces, at });
    this.changed.fire({ file, vm });
  }

  get(file: string, vm: string): VmTcState | undefined {
    return this.byVm.get(`${file}#${vm}`);
  }

  /** "tc: constrained", "tc: custom", "tc: none" (several taps: each tap's name, deduplicated). */
  short(file: string, vm: string): string | undefined {
    const s = this.get(file, vm);
    if (!s || !s.ifaces.length) return undefined;
    const names = [...new Set(s.ifaces.map((i) => describeMatchShort(i.match)))];
    return `tc: ${names.join('/')}`;
  }

  /** One line per tap with the kernel's values and counters. */
  lines(file: string, vm: string): string[] {
    return this.get(file, vm)?.ifaces.map(describeIface) ?? [];
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The extension's one store (the tree reads it; the tc commands write it). */
export const tcState = new TcStateStore();
