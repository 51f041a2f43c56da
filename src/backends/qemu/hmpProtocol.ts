// HMP (QEMU's human monitor, `-monitor unix:…` / `-mon mode=readline`) as text: the command line
// vsim sends for each of its monitor commands, and what came back. QEMU greets a client with
// `QEMU 7.2.22 monitor - type 'help' for more information` and a `(qemu) ` prompt; each command is
// echoed through readline (with cursor escapes), its output follows, then the next prompt. `quit`
// closes the connection without a reply. Pure (no vscode).
import type { VmState, VmStatus } from '../backend';

/** The QMP command names vsim uses, as HMP command lines (same effect). */
export const HMP_COMMANDS: Readonly<Record<string, string>> = {
  'query-status': 'info status',
  system_powerdown: 'system_powerdown',
  system_reset: 'system_reset',
  quit: 'quit',
  stop: 'stop',
  cont: 'cont',
};

export const HMP_PROMPT = '(qemu) ';

export interface HmpTranscript {
  /** The monitor's banner or first prompt arrived (the socket was ours). */
  greeted: boolean;
  /** Output of each command sent, in order (escapes and CRs removed, trimmed). */
  replies: string[];
  /** Lines that came before any prompt and are not the banner (socat's complaints). */
  other: string[];
}

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** Reads an HMP session's output: banner, then per prompt the echoed command and its output. */
export function parseHmpTranscript(text: string): HmpTranscript {
  const clean = text.replace(ANSI, '').replace(/\r/g, '');
  const parts = clean.split('(qemu)');
  const head = parts[0] ?? '';
  const greeted = parts.length > 1 || /QEMU [\d.]+ monitor/.test(head);
  const other = head.split('\n').map((l) => l.trim()).filter((l) => l && !/^QEMU [\d.]+.* monitor/.test(l));
  // parts[1..]: " <echo>\n<output>" — the segment after the last prompt is what was typed but not answered (quit).
  const replies = parts.slice(1, -1).map((p) => {
    const nl = p.indexOf('\n');
    return nl < 0 ? '' : p.slice(nl + 1).trim();
  });
  return { greeted, replies, other };
}

// RunState (as HMP prints it in parentheses) → portable state.
const RUN_STATES: Record<string, VmState> = {
  prelaunch: 'starting', inmigrate: 'starting', 'restore-vm': 'starting',
  debug: 'paused', 'finish-migrate': 'paused', postmigrate: 'paused', 'save-vm': 'paused', watchdog: 'paused',
  'io-error': 'paused', suspended: 'paused', colo: 'running',
  shutdown: 'stopped', 'guest-panicked': 'crashed', 'internal-error': 'crashed',
};

/**
 * `info status` → state. QEMU prints `VM status: running` (optionally ` (single step mode)`), or
 * `VM status: paused` with the RunState in parentheses when it is not plain `paused`.
 */
export function hmpInfoStatus(reply: string): VmStatus | undefined {
  const m = /VM status: (running|paused)(?: \(single step mode\))?(?: \(([a-z-]+)\))?/.exec(reply);
  if (!m) return undefined;
  if (m[1] === 'running') return { state: 'running', detail: 'running' };
  const rs = m[2];
  return rs ? { state: RUN_STATES[rs] ?? 'paused', detail: rs } : { state: 'paused', detail: 'paused' };
}

/** What one HMP socket's answer to `info status` says about its VM. */
export function hmpStatus(kind: 'absent' | 'answered', text: string): VmStatus {
  if (kind === 'absent') return { state: 'stopped', detail: 'no HMP monitor socket (QEMU not running)' };
  const t = parseHmpTranscript(text);
  if (!t.greeted) {
    if (t.other.some((l) => /refused|no such file/i.test(l))) return { state: 'stopped', detail: 'HMP monitor socket stale (QEMU not running)' };
    return { state: 'unknown', detail: 'HMP monitor socket busy (another client is connected; the monitor serves one at a time)' };
  }
  const reply = t.replies[0];
  if (reply === undefined) return { state: 'unknown', detail: 'no answer to info status' };
  return hmpInfoStatus(reply) ?? { state: 'unknown', detail: `HMP info status said: ${reply.split('\n')[0] ?? ''}` };
}
