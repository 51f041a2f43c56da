// QMP (QEMU Machine Protocol) lines ↔ typed messages, and the command JSON. Pure.
// One JSON object per line. The socket serves ONE client at a time (a second one gets nothing,
// not even the greeting): connect, ask, close — never hold it open.
import { assertPath } from '../../model/names';

export interface QmpVersion {
  major: number;
  minor: number;
  micro: number;
  package: string;
}

export type QmpMessage =
  | { kind: 'greeting'; version: QmpVersion; capabilities: string[] }
  | { kind: 'return'; id?: string; value: unknown }
  | { kind: 'error'; id?: string; errorClass: string; desc: string }
  | { kind: 'event'; event: string; data: Record<string, unknown>; timestamp?: Date }
  | { kind: 'invalid'; text: string };

const rec = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

export function parseQmpLine(line: string): QmpMessage | undefined {
  const t = line.trim();
  if (!t) return undefined;
  let o: Record<string, unknown>;
  try {
    o = rec(JSON.parse(t));
  } catch {
    return { kind: 'invalid', text: t };
  }
  const id = typeof o.id === 'string' ? { id: o.id } : {};
  if ('QMP' in o) {
    const q = rec(o.QMP);
    const v = rec(rec(q.version).qemu);
    return {
      kind: 'greeting',
      version: { major: Number(v.major ?? 0), minor: Number(v.minor ?? 0), micro: Number(v.micro ?? 0), package: String(rec(q.version).package ?? '') },
      capabilities: Array.isArray(q.capabilities) ? q.capabilities.map(String) : [],
    };
  }
  if ('return' in o) return { kind: 'return', ...id, value: o.return };
  if ('error' in o) {
    const e = rec(o.error);
    return { kind: 'error', ...id, errorClass: String(e.class ?? 'GenericError'), desc: String(e.desc ?? '') };
  }
  if (typeof o.event === 'string') {
    const ts = rec(o.timestamp);
    const msg: QmpMessage = { kind: 'event', event: o.event, data: rec(o.data) };
    if (typeof ts.seconds === 'number') msg.timestamp = new Date(ts.seconds * 1000 + Math.floor(Number(ts.microseconds ?? 0) / 1000));
    return msg;
  }
  return { kind: 'invalid', text: t };
}

export type QmpCommandName = 'qmp_capabilities' | 'query-status' | 'stop' | 'cont' | 'system_powerdown' | 'system_reset' | 'quit' | 'query-version';

/** One command as a line of JSON (with its newline). */
export function qmpCommand(execute: QmpCommandName, args?: Record<string, unknown>, id?: string): string {
  return `${JSON.stringify({ execute, ...(args ? { arguments: args } : {}), ...(id ? { id } : {}) })}\n`;
}

export const capabilities = (id?: string): string => qmpCommand('qmp_capabilities', undefined, id);
export const queryStatus = (id?: string): string => qmpCommand('query-status', undefined, id);
export const stop = (id?: string): string => qmpCommand('stop', undefined, id);
export const cont = (id?: string): string => qmpCommand('cont', undefined, id);
/** ACPI power button: completes only when the guest handles ACPI (acpid). */
export const systemPowerdown = (id?: string): string => qmpCommand('system_powerdown', undefined, id);
export const quit = (id?: string): string => qmpCommand('quit', undefined, id);

/** QEMU's RunState values as query-status reports them. */
export type QemuRunState =
  | 'running' | 'paused' | 'shutdown' | 'prelaunch' | 'inmigrate' | 'postmigrate' | 'finish-migrate' | 'io-error'
  | 'internal-error' | 'restore-vm' | 'save-vm' | 'suspended' | 'watchdog' | 'guest-panicked' | 'colo' | 'debug';

export interface QemuStatus {
  status: QemuRunState | string;
  running: boolean;
}

export function parseQueryStatus(value: unknown): QemuStatus {
  const v = rec(value);
  return { status: String(v.status ?? 'unknown'), running: v.running === true };
}

/** A readable message for a QMP error. */
export function qmpErrorMessage(e: { errorClass: string; desc: string }, command?: string): string {
  if (e.errorClass === 'CommandNotFound' && /qmp_capabilities|capabilities negotiation/i.test(e.desc)) {
    return 'QMP: capabilities not negotiated (send qmp_capabilities first)';
  }
  return `QMP${command ? ` ${command}` : ''} failed: ${e.desc || e.errorClass} (${e.errorClass})`;
}

/**
 * The text to send for one ask: capabilities then the commands, each with an id "vsim-N"
 * (N = 1 for capabilities, 2… for the commands), so replies are matched by id.
 */
export function qmpScript(commands: readonly QmpCommandName[]): string {
  return [capabilities('vsim-1'), ...commands.map((c, i) => qmpCommand(c, undefined, `vsim-${i + 2}`))].join('');
}

export interface QmpTranscript {
  greeting?: Extract<QmpMessage, { kind: 'greeting' }>;
  /** Replies to the script's commands, in order (undefined when missing: the socket closed or is busy). */
  replies: (Extract<QmpMessage, { kind: 'return' | 'error' }> | undefined)[];
  events: Extract<QmpMessage, { kind: 'event' }>[];
  complete: boolean;
}

/** Reads what came back for qmpScript(commands). */
export function parseQmpTranscript(text: string, commandCount: number): QmpTranscript {
  const t: QmpTranscript = { replies: new Array(commandCount).fill(undefined), events: [], complete: false };
  for (const line of text.split('\n')) {
    const m = parseQmpLine(line);
    if (!m) continue;
    if (m.kind === 'greeting') t.greeting = m;
    else if (m.kind === 'event') t.events.push(m);
    else if ((m.kind === 'return' || m.kind === 'error') && m.id) {
      const n = /^vsim-(\d+)$/.exec(m.id);
      const i = n ? Number(n[1]) - 2 : -1;
      if (i >= 0 && i < commandCount) t.replies[i] = m;
    }
  }
  t.complete = !!t.greeting && t.replies.every((r) => r !== undefined);
  return t;
}

/**
 * argv that talks to a unix socket over SSH: stdin goes to the socket, the socket's output to
 * stdout; socat gives up `timeoutS` after stdin ends (a busy socket never answers).
 */
export function socketCommand(socket: string, timeoutS = 2): string[] {
  return ['socat', '-t', String(timeoutS), '-', `UNIX-CONNECT:${assertPath(socket, 'socket path')}`];
}

export function qmpBusyMessage(vm: string, socket: string): string {
  return `${vm}: no answer on the QMP socket ${socket} (another client is connected, or QEMU is not running)`;
}
