// What vsim ran remotely. The vscode layer implements CommandLog with a LogOutputChannel "vsim".
// Entries carry argv, never stdin, passphrases or keys; callers must not put secrets in argv.

export interface CommandLogEntry {
  /** Pool alias of the host (topology host name or ssh alias). */
  host: string;
  argv: readonly string[];
  /** Exit code; null when the command did not finish (timeout, connection lost, signal). */
  code: number | null;
  durationMs: number;
  /** How it ran: the persistent control shell, a fresh exec channel, or a stream channel. */
  via: 'shell' | 'exec' | 'stream';
  /** Why it did not finish, if it did not. */
  error?: string;
}

export type LogLevel = 'debug' | 'info' | 'warn';

export interface CommandLog {
  command(entry: CommandLogEntry): void;
  /** Connection events: connecting, ready, dropped, reconnecting, trusted a new host key; `debug` for the ones that repeat. */
  info(host: string, message: string, level?: LogLevel): void;
}

/** Distinct failing commands remembered (a long session keeps at most this many). */
const MAX_REMEMBERED = 500;

/**
 * The level of each remote command's line. What repeats goes at debug: a command that succeeded
 * (the listings of every poll and refresh, the steps of a user's command, whose outcome the command
 * itself reports), a stream's end (a hidden view, a disconnect), and a failure that is the same as
 * the previous failure of the same command on the same host (a host that stays down). A new failure
 * is a warning.
 */
export class CommandLogLevels {
  private readonly failing = new Map<string, string>();

  level(e: CommandLogEntry): LogLevel {
    if (e.via === 'stream') return 'debug';
    const key = `${e.host}\0${e.argv.join('\0')}`;
    if (e.code === 0) {
      this.failing.delete(key);
      return 'debug';
    }
    const how = `${e.code ?? 'unfinished'}\0${e.error ?? ''}`;
    const again = this.failing.get(key) === how;
    if (!again && this.failing.size >= MAX_REMEMBERED) this.failing.clear();
    this.failing.set(key, how);
    return again ? 'debug' : 'warn';
  }
}

export const nullLog: CommandLog = {
  command: () => undefined,
  info: () => undefined,
};
