// "Show Log" of a host's unit: `journalctl -u UNIT -f -n N` followed on its own channel (the
// runner's streamRaw: it ends with the channel, so stopping kills the remote journalctl), decoded
// and cleaned here. Memory is bounded whatever the journal: only the last MAX_KEPT lines are kept,
// a line is cut at MAX_LINE characters, bytes that are not UTF-8 become U+FFFD and control
// characters other than tab and colour escapes are shown as `^X`. Pure (no vscode).
import { StringDecoder } from 'node:string_decoder';
import type { CommandRunner } from '../backends/backend';
import { assertUnit } from '../model/services';

export const DEFAULT_LINES = 200;
export const MAX_LINES = 10_000;
export const MAX_KEPT = 2_000;
export const MAX_LINE = 8_192;

/** journalctl's own `[N blob data]` replaces fields with unprintable bytes (no `--all`), which this view keeps. */
export function journalArgv(unit: string, lines = DEFAULT_LINES): string[] {
  if (!Number.isInteger(lines) || lines < 0 || lines > MAX_LINES) throw new Error(`Invalid number of journal lines ${lines}: 0 to ${MAX_LINES}.`);
  return ['journalctl', '-u', assertUnit(unit), '-f', '-n', String(lines), '--no-pager', '--no-hostname'];
}

/** SGR colour sequences pass; every other C0 control (and DEL) but tab is shown as ^X. */
export function cleanLine(s: string): string {
  let out = s.replace(/\x1b(?!\[[0-9;]*m)/g, '^[');
  out = out.replace(/[\x00-\x08\x0b-\x1a\x1c-\x1f\x7f]/g, (c) => (c === '\x7f' ? '^?' : `^${String.fromCharCode(c.charCodeAt(0) + 64)}`));
  if (out.length > MAX_LINE) out = `${out.slice(0, MAX_LINE)}… [line cut at ${MAX_LINE} characters]`;
  return out;
}

export interface FollowSink {
  /** Complete, cleaned lines (no newline). */
  onLines(lines: string[]): void;
  /** The follow ended: journalctl's exit code (-1: the channel closed without one), and what it said on stderr. */
  onEnd(code: number, stderr: string): void;
}

/** One followed journal: what arrives, cleaned, to `sink`, the last MAX_KEPT lines kept; dispose() stops it (and the remote journalctl). */
export class JournalFollow {
  private readonly out = new StringDecoder('utf8');
  private readonly err = new StringDecoder('utf8');
  private partial = '';
  private errText = '';
  private readonly kept: string[] = [];
  private stream: { done: Promise<number>; dispose(): void } | undefined;
  private stopped = false;
  /** Lines received in all (kept or not). */
  received = 0;
  readonly done: Promise<number>;

  constructor(run: CommandRunner, readonly argv: readonly string[], private readonly sink: FollowSink) {
    if (!run.streamRaw) throw new Error('This connection cannot stream a command (no streamRaw).');
    this.stream = run.streamRaw(argv, {
      onStdout: (b) => this.push(this.out.write(b)),
      onStderr: (b) => { if (this.errText.length < 4096) this.errText += this.err.write(b); },
    });
    this.done = this.stream.done.then((code) => this.end(code), (e: unknown) => {
      this.errText += (e as Error).message;
      return this.end(-1);
    });
  }

  private push(text: string): void {
    const parts = (this.partial + text).split('\n');
    this.partial = parts.pop() ?? '';
    // A line without an end yet is kept short: a journal that never sends '\n' cannot grow it.
    if (this.partial.length > MAX_LINE) {
      parts.push(this.partial);
      this.partial = '';
    }
    if (!parts.length) return;
    const lines = parts.map((l) => cleanLine(l.replace(/\r$/, '')));
    this.received += lines.length;
    this.kept.push(...lines);
    if (this.kept.length > MAX_KEPT) this.kept.splice(0, this.kept.length - MAX_KEPT);
    this.sink.onLines(lines);
  }

  private end(code: number): number {
    const rest = this.partial + this.out.end();
    this.partial = '';
    if (rest) this.push(`${rest}\n`);
    this.sink.onEnd(this.stopped ? 0 : code, (this.errText + this.err.end()).trim());
    return code;
  }

  /** The last lines received (at most MAX_KEPT). */
  lines(): readonly string[] {
    return this.kept;
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** Stops following: the channel closes and the remote journalctl ends with it. */
  dispose(): void {
    this.stopped = true;
    this.stream?.dispose();
    this.stream = undefined;
  }
}
