// The last tc readback per VM (what the kernel had when vsim last applied, cleared or showed), for
// the tree's description/tooltip and the graph. No vscode. One store per Lab (topology file), keyed by VM.
import { Emitter } from '../remote/events';
import type { Shaping } from '../model/types';
import { describeIface, describeMatchShort, type IfaceReadback } from './ops';

export interface VmTcState {
  ifaces: IfaceReadback[];
  at: number;
}

/** A link's live impairment as vsim last set it and the kernel read it back on both ends. */
export interface LinkTcState {
  /** The values asked for (a profile's, or ad-hoc), e.g. "delay 40ms rate 20mbit"; '' when cleared. */
  requested: string;
  /** From the readback, one line per end: "ep1 tap-ep1 from 10.99.0.12: htb+netem rate 20mbit delay 40ms". */
  readback: string[];
  /** The profile the values came from, when they did. */
  profile?: string;
  /** Drop filters on both taps (vsim's last partition/heal of this link said so). */
  partitioned?: boolean;
  at: number;
}

export class TcStateStore {
  private readonly byVm = new Map<string, VmTcState>();
  private readonly byLink = new Map<string, LinkTcState>();
  /** Live per-link values vsim applied (ad-hoc or from links.<name>.profile), by link. */
  readonly linkValues = new Map<string, Shaping>();
  private readonly changed = new Emitter<{ vm?: string; link?: string }>();
  readonly onDidChange = this.changed.event;

  set(vm: string, ifaces: IfaceReadback[], at = Date.now()): void {
    this.byVm.set(vm, { ifaces, at });
    this.changed.fire({ vm });
  }

  setLink(link: string, state: Omit<LinkTcState, 'at'>, at = Date.now()): void {
    this.byLink.set(link, { ...state, at });
    this.changed.fire({ link });
  }

  getLink(link: string): LinkTcState | undefined {
    return this.byLink.get(link);
  }

  links(): ReadonlyMap<string, LinkTcState> {
    return this.byLink;
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
