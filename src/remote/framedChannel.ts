// An own exec channel running `sh` with the command written on its stdin (see framing.ts), seen by
// its user as the command's channel: output before the start mark (rc files, the pty's echo of the
// prelude) is dropped, writes wait until the command runs, exit and close pass through.
import { EventEmitter } from 'node:events';
import type { ClientChannel } from 'ssh2';
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

/** Finds `${mark}${suffix}…\n` in `buf`: the text between the mark and the newline, and the index after the newline. */
function findLine(buf: Buffer, needle: Buffer): { rest: string; end: number } | undefined {
  const i = buf.indexOf(needle);
  if (i < 0) return undefined;
  const nl = buf.indexOf(0x0a, i + needle.length);
  if (nl < 0) return undefined;
  return { rest: buf.subarray(i + needle.length, nl).toString('latin1').trim(), end: nl + 1 };
}

export class FramedChannel extends EventEmitter implements RemoteStream {
  readonly stderr = new EventEmitter();
  /** Resolves with the pid of the remote sh once the command runs; rejects if the channel closes first. */
  readonly started: Promise<number>;
  private outPhase: Phase;
  private errPhase: Phase;
  private out = Buffer.alloc(0);
  private err = Buffer.alloc(0);
  private readonly queued: { data?: string | Buffer; end?: boolean }[] = [];
  private readonly needle: Buffer;
  private readonly readyNeedle: Buffer;
  /** Set when the channel closed before the command ran. */
  startError: Error | undefined;
  private resolveStarted!: (pid: number) => void;
  private rejectStarted!: (err: Error) => void;

  constructor(private readonly ch: ClientChannel, command: string, private readonly mark: string, private readonly opts: { pty: boolean; stdin: boolean }) {
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
        if (this.out.length) this.emit('data', this.out);
      }
      if (this.errPhase !== 'body' && this.err.length) this.stderr.emit('data', this.err);
      this.emit('close', ...args);
    });
    ch.write(opts.pty ? ptyPrelude(mark) : channelScript(command, mark, { stdin: opts.stdin }));
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
    const text = Buffer.concat([this.out, this.err]).toString('utf8').trim();
    return text ? `: ${text.split('\n').slice(-3).join(' / ')}` : '';
  }

  private onOut(d: Buffer, command: string): void {
    if (this.outPhase === 'body') {
      this.emit('data', d);
      return;
    }
    this.out = Buffer.concat([this.out, d]);
    if (this.outPhase === 'prelude') {
      const i = this.out.indexOf(this.readyNeedle);
      if (i < 0) return;
      this.out = this.out.subarray(i + this.readyNeedle.length);
      this.outPhase = 'start';
      this.ch.write(channelScript(command, this.mark, { pty: true, stdin: this.opts.stdin }));
    }
    const found = findLine(this.out, this.needle);
    if (!found) return;
    const rest = this.out.subarray(found.end);
    this.out = Buffer.alloc(0);
    this.outPhase = 'body';
    this.resolveStarted(Number(found.rest));
    for (const q of this.queued.splice(0)) {
      if (q.end) this.end(q.data);
      else if (q.data !== undefined) this.ch.write(q.data);
    }
    if (rest.length) this.emit('data', rest);
  }

  private onErr(d: Buffer): void {
    if (this.errPhase === 'body') {
      this.stderr.emit('data', d);
      return;
    }
    this.err = Buffer.concat([this.err, d]);
    const found = findLine(this.err, this.needle);
    if (!found) return;
    const rest = this.err.subarray(found.end);
    this.err = Buffer.alloc(0);
    this.errPhase = 'body';
    if (rest.length) this.stderr.emit('data', rest);
  }
}
