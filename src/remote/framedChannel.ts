// An own exec channel running `sh` with the command written on its stdin (see framing.ts), seen by
// its user as the command's channel: output before the start mark (rc files, the pty's echo of the
// prelude) is dropped, writes wait until the command runs, exit and close pass through.
import { EventEmitter } from 'node:events';
import type { ClientChannel } from 'ssh2';
import { Chunks } from './chunks';
import { channelScript, ptyPrelude, startLine } from './framing';

/** The part of a channel that stream() users need (ssh2's ClientChannel has the same shape). */
export interface RemoteStream {
  on(event: 'data', listener: (data: Buffer) => void): this;
  on(event: 'exit', listener: (code: number | null, signal?: string) => void): this;
  on(event: 'close', listener: (code: number | null) => void): this;
  once(event: 'data', listener: (data: Buffer) => void): this;
  once(event: 'exit', listener: (code: number | null, signal?: string) => void): this;
  once(event: 'close', listener: (code: number | null) => void): this;
  readonly stderr: { on(event: 'data', listener: (data: Buffer) => void): unknown };
  write(data: string | Buffer): boolean;
  end(data?: string | Buffer): void;
  close(): void;
  setWindow(rows: number, cols: number, height: number, width: number): void;
  signal(name: string): void;
}

type Phase = 'prelude' | 'start' | 'body';

/** Output before the start line: searched once per byte, only the bytes that may still hold the mark are kept. */
class BeforeStart {
  readonly chunks = new Chunks();
  private from = 0;
  /** What was dropped (for the message of a channel that never started). */
  private seen = '';

  /** Pushes d; the text after `needle` on its line and the bytes after that line once the line is complete. */
  push(d: Buffer, needle: Buffer): { rest: string; after: Buffer } | undefined {
    this.chunks.push(d);
    if (this.seen.length < 4096) this.seen += d.toString('utf8').slice(0, 4096);
    const i = this.chunks.indexOf(needle, this.from);
    if (i < 0) {
      const keep = this.chunks.resumeFrom(needle.length);
      this.chunks.drop(keep);
      this.from = 0;
      return undefined;
    }
    this.from = i;
    const nl = this.chunks.indexOf(0x0a, i + needle.length);
    if (nl < 0) return undefined;
    const found = { rest: this.chunks.slice(i + needle.length, nl).toString('latin1').trim(), after: this.chunks.slice(nl + 1, this.chunks.length) };
    this.reset();
    return found;
  }

  /** Drops everything up to the end of `needle` (the pty's ready mark needs no newline). */
  takeUntil(d: Buffer, needle: Buffer): Buffer | undefined {
    this.chunks.push(d);
    if (this.seen.length < 4096) this.seen += d.toString('utf8').slice(0, 4096);
    const i = this.chunks.indexOf(needle, this.from);
    if (i < 0) {
      this.chunks.drop(this.chunks.resumeFrom(needle.length));
      this.from = 0;
      return undefined;
    }
    const after = this.chunks.slice(i + needle.length, this.chunks.length);
    this.reset();
    return after;
  }

  text(): string {
    return this.seen;
  }

  private reset(): void {
    this.chunks.clear();
    this.from = 0;
  }
}

export class FramedChannel extends EventEmitter implements RemoteStream {
  readonly stderr = new EventEmitter();
  /** Resolves with the pid of the remote sh once the command runs; rejects if the channel closes first. */
  readonly started: Promise<number>;
  private outPhase: Phase;
  private errPhase: Phase;
  private readonly out = new BeforeStart();
  private readonly err = new BeforeStart();
  private readonly queued: { data?: string | Buffer; end?: boolean }[] = [];
  private readonly needle: Buffer;
  private readonly readyNeedle: Buffer;
  /** Set when the channel closed before the command ran. */
  startError: Error | undefined;
  private resolveStarted!: (pid: number) => void;
  private rejectStarted!: (err: Error) => void;

  constructor(private readonly ch: ClientChannel, command: string, private readonly mark: string, private readonly opts: { pty: boolean; stdin: boolean; group?: boolean }) {
    super();
    this.started = new Promise<number>((resolve, reject) => { this.resolveStarted = resolve; this.rejectStarted = reject; });
    this.started.catch(() => undefined);
    this.needle = Buffer.from(startLine(mark));
    this.readyNeedle = Buffer.from(`${mark}r`);
    this.outPhase = opts.pty ? 'prelude' : 'start';
    this.errPhase = opts.pty ? 'body' : 'start';
    ch.on('data', (d: Buffer) => this.onOut(d, command));
    ch.stderr.on('data', (d: Buffer) => this.onErr(d));
    ch.on('exit', (...args: unknown[]) => this.emit('exit', ...args));
    ch.on('close', (...args: unknown[]) => {
      if (this.outPhase !== 'body') {
        // Never started (no sh, or it failed): what it said is the only news.
        this.startError = new Error(`did not start${this.said()}`);
        this.rejectStarted(this.startError);
        const said = this.out.text();
        if (said) this.emit('data', Buffer.from(said));
      }
      const errSaid = this.errPhase !== 'body' ? this.err.text() : '';
      if (errSaid) this.stderr.emit('data', Buffer.from(errSaid));
      this.emit('close', ...args);
    });
    ch.write(opts.pty ? ptyPrelude(mark) : channelScript(command, mark, { stdin: opts.stdin, group: opts.group ?? false }));
  }

  write(data: string | Buffer): boolean {
    if (this.outPhase !== 'body') {
      this.queued.push({ data });
      return true;
    }
    return this.ch.write(data);
  }

  end(data?: string | Buffer): void {
    if (this.outPhase !== 'body') {
      this.queued.push(data === undefined ? { end: true } : { data, end: true });
      return;
    }
    if (data === undefined) this.ch.end();
    else this.ch.end(data);
  }

  close(): void {
    this.ch.close();
  }

  setWindow(rows: number, cols: number, height: number, width: number): void {
    this.ch.setWindow(rows, cols, height, width);
  }

  signal(name: string): void {
    this.ch.signal(name);
  }

  private said(): string {
    const text = `${this.out.text()}${this.err.text()}`.trim();
    return text ? `: ${text.split('\n').slice(-3).join(' / ')}` : '';
  }

  private onOut(d: Buffer, command: string): void {
    if (this.outPhase === 'body') {
      this.emit('data', d);
      return;
    }
    let data = d;
    if (this.outPhase === 'prelude') {
      const after = this.out.takeUntil(d, this.readyNeedle);
      if (!after) return;
      this.outPhase = 'start';
      this.ch.write(channelScript(command, this.mark, { pty: true, stdin: this.opts.stdin }));
      data = after;
    }
    const found = this.out.push(data, this.needle);
    if (!found) return;
    this.outPhase = 'body';
    this.resolveStarted(Number(found.rest));
    for (const q of this.queued.splice(0)) {
      if (q.end) this.end(q.data);
      else if (q.data !== undefined) this.ch.write(q.data);
    }
    if (found.after.length) this.emit('data', found.after);
  }

  private onErr(d: Buffer): void {
    if (this.errPhase === 'body') {
      this.stderr.emit('data', d);
      return;
    }
    const found = this.err.push(d, this.needle);
    if (!found) return;
    this.errPhase = 'body';
    if (found.after.length) this.stderr.emit('data', found.after);
  }
}
