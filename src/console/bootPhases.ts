// Where a boot is, read from the serial text: firmware → kernel → init → ready (a login prompt or
// the user's pattern), then reachable (its SSH port answered: reachable.ts). Phases may be skipped
// (a direct kernel boot prints no firmware banner); a later phase never goes back. lastBoot() cuts an appended log (QEMU logappend=on) to its last boot.
// Pure (no vscode).

export type BootPhase = 'started' | 'firmware' | 'kernel' | 'init' | 'ready' | 'reachable';

export const PHASES: readonly BootPhase[] = ['started', 'firmware', 'kernel', 'init', 'ready', 'reachable'];

export const PHASE_TITLE: Record<BootPhase, string> = {
  started: 'started',
  firmware: 'firmware',
  kernel: 'kernel booting',
  init: 'userspace (init)',
  ready: 'login prompt',
  reachable: 'SSH reachable',
};

const FIRMWARE = /SeaBIOS \(version|U-Boot \d|EDK II|UEFI firmware|BdsDxe:|iPXE \(|Booting from (ROM|Hard Disk|DVD)|OpenSBI v/;
const KERNEL = /Linux version \d|Booting Linux on physical CPU|\bEFI stub: Booting Linux Kernel/;
const INIT = /Run \S+ as init process|systemd\[1\]: |Welcome to .+!|^\s*init started|Freeing unused kernel (image )?memory/;
/** The default ready pattern (vsim.boot.readyPattern overrides it): a login prompt, or systemd's multi-user target. */
export const DEFAULT_READY = 'login:\\s*$|Reached target .*(Multi-User|Graphical|Login Prompts)';

/** The ready pattern of a setting value; an invalid one falls back to the default with the reason. */
export function readyPattern(setting: string | undefined): { re: RegExp; error?: string } {
  const src = setting?.trim() ? setting : DEFAULT_READY;
  try {
    return { re: new RegExp(src) };
  } catch (e) {
    return { re: new RegExp(DEFAULT_READY), error: `vsim.boot.readyPattern ${JSON.stringify(setting)} is not a regular expression (${(e as Error).message}); using the default` };
  }
}

/** Console text without its ANSI CSI codes and carriage returns (what phases, messages and recent lines read). */
export function plainText(text: string): string {
  return text.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '');
}

/** The phase a line says the boot reached, or undefined (ANSI codes and CRs do not count). */
export function phaseOf(line: string, ready: RegExp): BootPhase | undefined {
  const l = plainText(line);
  if (ready.test(l)) return 'ready';
  if (INIT.test(l)) return 'init';
  if (KERNEL.test(l)) return 'kernel';
  if (FIRMWARE.test(l)) return 'firmware';
  return undefined;
}

export interface PhaseMark {
  phase: BootPhase;
  /** ms since the tracker started. */
  atMs: number;
  /** The line that marked it (trimmed to 120 characters). */
  line: string;
}

/** Follows the lines of one boot: which phases were reached, when, and the last lines for a timeout message. */
export class BootTracker {
  readonly marks: PhaseMark[] = [{ phase: 'started', atMs: 0, line: '' }];
  private readonly recent: string[] = [];

  constructor(private readonly ready: RegExp, private readonly now: () => number, private readonly t0 = now()) {}

  get phase(): BootPhase {
    return this.marks[this.marks.length - 1]!.phase;
  }

  /** The console part of the boot is over (its login prompt, or later the SSH port answered). */
  get done(): boolean {
    return PHASES.indexOf(this.phase) >= PHASES.indexOf('ready');
  }

  /** The last phase, not read from the console: the VM's SSH port answered (`ident`: its identification line). */
  reach(ident: string): PhaseMark | undefined {
    if (this.phase === 'reachable') return undefined;
    const mark = { phase: 'reachable' as const, atMs: Math.round(this.now() - this.t0), line: ident.slice(0, 120) };
    this.marks.push(mark);
    return mark;
  }

  /** The lines seen last (at most 8), for "stuck in PHASE" messages. */
  lastLines(): string[] {
    return [...this.recent];
  }

  /** Takes one line; returns the new mark when it moved the boot forward. */
  push(line: string): PhaseMark | undefined {
    const clean = plainText(line).trimEnd();
    if (clean.trim()) {
      this.recent.push(clean.slice(0, 200));
      if (this.recent.length > 8) this.recent.shift();
    }
    const p = phaseOf(clean, this.ready);
    if (!p || PHASES.indexOf(p) <= PHASES.indexOf(this.phase)) return undefined;
    const mark = { phase: p, atMs: Math.round(this.now() - this.t0), line: clean.trim().slice(0, 120) };
    this.marks.push(mark);
    return mark;
  }
}

/** `kernel booting 1.2 s · userspace (init) 3.4 s`: the phases reached with their times. */
export function phaseSummary(marks: readonly PhaseMark[]): string {
  return marks.filter((m) => m.phase !== 'started').map((m) => `${PHASE_TITLE[m.phase]} ${(m.atMs / 1000).toFixed(1)} s`).join(' · ');
}

/**
 * The last boot of a log that may hold several (an appended chardev log): from the last firmware
 * banner, or without one the last kernel banner, to the end. A log without either is returned whole.
 */
export function lastBoot(text: string): string {
  const lines = text.split('\n');
  const kernels: number[] = [];
  const firmware: number[] = [];
  lines.forEach((l, i) => {
    if (KERNEL.test(l)) kernels.push(i);
    else if (FIRMWARE.test(l)) firmware.push(i);
  });
  const k = kernels.length ? kernels[kernels.length - 1]! : -1;
  const prevK = kernels.length > 1 ? kernels[kernels.length - 2]! : -1;
  // A boot still in its firmware after the last kernel banner starts at its first firmware line;
  // otherwise the last kernel's boot starts at the first firmware line since the kernel before it.
  const after = firmware.find((i) => i > k);
  const from = after ?? firmware.find((i) => i > prevK && i < k) ?? k;
  if (from <= 0) return text;
  return lines.slice(from).join('\n');
}
