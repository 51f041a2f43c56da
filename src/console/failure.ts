// Why a console session ended, and what the terminal says about it. Pure (no vscode).
import { plainText } from './bootPhases';

export type EndKind =
  | 'closed'      // we closed it (terminal closed / disposed): say nothing
  | 'detached'    // the program ended cleanly (Ctrl-] in virsh, exit in a login shell)
  | 'busy'        // libvirt: another console is attached ("Active console session exists")
  | 'taken-over'  // libvirt: another console took over with --force ("stream had I/O failure")
  | 'not-running' // the domain/unit is not running
  | 'dropped'     // the SSH link to the host was lost
  | 'failed';     // anything else: exit code and output shown

export interface EndInfo {
  /** Exit code of the remote program; null when the channel closed without one. */
  code: number | null;
  signal?: string;
  /** The last output of the session (a few KiB at most), for the reason. */
  tail: string;
  /** What the stream's stderr said (non-pty programs). */
  stderr: string;
  /** We asked for the close (terminal closed). */
  requested: boolean;
  /** The host connection is gone (set by the caller from the connection state). */
  linkLost?: string;
  /** Who holds a busy console, one line each (the backend's consoleHolders, or the serial script's lines). */
  holders?: string[];
}

/** libvirt's words for a console someone else holds, and the serial attach script's (src/backends/serialSocket.ts). */
export const CONSOLE_BUSY = /Active console session exists|vsim: serial console busy/i;
export const CONSOLE_TAKEN_OVER = /stream had I\/O failure/i;
const NOT_RUNNING = /domain is not running|is not running|no such file or directory.*\.sock|Connection refused|vsim: no serial (socket|pty) /i;

/** The holders the serial attach script named ("vsim: held by …" lines). */
export function holdersIn(text: string): string[] {
  return [...text.replace(/\r/g, '').matchAll(/^vsim: held by (.+)$/gm)].map((m) => m[1]!.trim());
}

export function classifyEnd(e: EndInfo): EndKind {
  if (e.requested) return 'closed';
  const text = `${e.tail}\n${e.stderr}`;
  if (CONSOLE_BUSY.test(text)) return 'busy';
  if (CONSOLE_TAKEN_OVER.test(text)) return 'taken-over';
  if (e.linkLost !== undefined || (e.code === null && !e.signal)) return 'dropped';
  if (e.code === 0) return 'detached';
  if (NOT_RUNNING.test(text)) return 'not-running';
  return 'failed';
}

/** The last meaningful lines of output (ANSI and CRs removed), for a message. */
export function lastLines(text: string, n = 4): string[] {
  return plainText(text).split('\n').map((l) => l.trimEnd()).filter((l) => l.trim() !== '').slice(-n);
}

export interface MessageContext {
  vm: string;
  host: string;
  /** The remote command, as run (for the reason). */
  command: string;
  /** Whether this console can take over with --force. */
  canForce: boolean;
}

const DIM = '\x1b[2m';
const RED = '\x1b[31m';
const YELLOW = '\x1b[33m';
const BOLD = '\x1b[1m';
const RESET = '\x1b[0m';

function lines(...ls: string[]): string {
  return `\r\n${ls.map((l) => `${l}${RESET}`).join('\r\n')}\r\n`;
}

export function connectingMessage(c: MessageContext, force: boolean): string {
  return `${DIM}vsim: ${force ? 'taking over' : 'opening'} the console of ${c.vm} on ${c.host} (${c.command})…${RESET}\r\n`;
}

export function connectedMessage(c: MessageContext, detachHint: string | undefined): string {
  const hint = detachHint ? `${detachHint} or closing this tab detaches; ` : 'closing this tab detaches; ';
  return `${DIM}vsim: connected to ${c.vm} on ${c.host}. ${hint}the VM keeps running. Press Enter for a prompt.${RESET}\r\n`;
}

export function keysHint(canForce: boolean): string {
  return `${BOLD}Press R or Enter to reconnect${canForce ? ', F to take over (--force)' : ''}, Q to close this terminal.`;
}

/** The text the terminal shows when the session ended (empty for 'closed'). */
export function endMessage(kind: EndKind, e: EndInfo, c: MessageContext): string {
  const why = lastLines(`${e.tail}\n${e.stderr}`).map((l) => `${DIM}  ${l}`);
  const where = `${DIM}  host ${c.host}, command: ${c.command}`;
  switch (kind) {
    case 'closed':
      return '';
    case 'detached':
      return lines(`${DIM}vsim: detached from ${c.vm} on ${c.host}; the VM keeps running.`, keysHint(false));
    case 'busy':
      return lines(
        `${YELLOW}vsim: another console session is attached to ${c.vm} on ${c.host} (its console serves one client).`,
        ...(e.holders?.length ? e.holders.map((h) => `${YELLOW}  held by ${h}`) : [`${DIM}  held by a client vsim cannot name (it may be on another machine)`]),
        ...why, where,
        c.canForce ? `${BOLD}Press F to take it over (asks first; the other session is disconnected), R or Enter to try again, Q to close.` : keysHint(false),
      );
    case 'taken-over':
      return lines(`${YELLOW}vsim: another session took over the console of ${c.vm} on ${c.host}.`, ...why, where, keysHint(c.canForce));
    case 'not-running':
      return lines(`${RED}vsim: the console of ${c.vm} on ${c.host} is not available: is the VM running?`, ...why, where, keysHint(false));
    case 'dropped':
      return lines(`${RED}vsim: the link to ${c.host} was lost${e.linkLost ? `: ${e.linkLost}` : ''}.`, ...why, where, keysHint(false));
    case 'failed':
      return lines(
        `${RED}vsim: the console of ${c.vm} on ${c.host} ended with ${e.code !== null ? `exit code ${e.code}` : `signal ${e.signal ?? '?'}`}.`,
        ...why, where, keysHint(c.canForce),
      );
  }
}

export function connectFailedMessage(err: unknown, c: MessageContext): string {
  const msg = err instanceof Error ? err.message : String(err);
  return lines(`${RED}vsim: cannot open the console of ${c.vm} on ${c.host}: ${msg}`, `${DIM}  command: ${c.command}`, keysHint(false));
}
