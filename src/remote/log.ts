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

export interface CommandLog {
  command(entry: CommandLogEntry): void;
  /** Connection events: connecting, ready, dropped, reconnecting, trusted a new host key. */
  info(host: string, message: string): void;
}

export const nullLog: CommandLog = {
  command: () => undefined,
  info: () => undefined,
};
