// One live console stream (an ssh2 channel) turned into text for a terminal: a StringDecoder keeps
// multi-byte characters whole across chunks, the startup noise is filtered once, and after that each
// chunk is passed through as it came (no per-byte work in JS; a non-pty stream only gets \n → \r\n,
// by a native string replace). Ends with the exit code and the last output (kept as references to
// the last chunks, no per-chunk copying), for the reason. Pure (no vscode): the extension's terminal
// and bench/console-throughput.bench.ts run exactly this code.
import { StringDecoder } from 'node:string_decoder';
import { Emitter, type Event } from '../remote/events';
import type { EndInfo } from './failure';
import { StartupNoiseFilter } from './noise';

/** The part of an ssh2 ClientChannel a console uses. */
export interface ConsoleChannel {
  write(data: string | Buffer): boolean;
  close(): void;
  end(): void;
  setWindow(rows: number, cols: number, height: number, width: number): void;
  signal?(name: string): unknown;
  /** Stop / restart reading (ssh2: the channel's window closes, the remote writer blocks). */
  pause?(): unknown;
  resume?(): unknown;
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  once(event: 'exit', listener: (code: number | null, signal?: string) => void): unknown;
  once(event: 'close', listener: () => void): unknown;
  stderr: { on(event: 'data', listener: (data: Buffer) => void): unknown };
}

export interface SessionOptions {
  /** The stream has a remote pty (it does its own \n → \r\n); otherwise lone \n become \r\n. */
  pty: boolean;
  /** Bytes that detach the console program before the channel closes. */
  detach?: string;
  /** Filter the known startup noise (virsh/polkit). Default true. */
  filterNoise?: boolean;
  /**
   * A startup line that says the program is attached (virsh prints its banner right before it puts
   * the tty in raw mode with TCSAFLUSH, which discards input typed earlier). Until then the session
   * is not `ready` and its owner holds input back. Without it the session is ready at once.
   */
  readyLine?: RegExp;
}

const TAIL_CHARS = 4096;

/**
 * Lone \n → \r\n for a terminal (a stream without a pty). afterCr: the previous chunk ended with \r,
 * so a \n at the start completes a \r\n split between chunks. A chunk without \r (bulk output) needs
 * no regex: a plain replaceAll does it.
 */
export function toCrlf(s: string, afterCr: boolean): string {
  const out = s.indexOf('\r') < 0 ? s.replaceAll('\n', '\r\n') : s.replace(/\r?\n/g, '\r\n');
  return afterCr && s.charCodeAt(0) === 10 ? out.slice(1) : out;
}

/** The last TAIL_CHARS (at least) of a stream of chunks, held as references: no copy per chunk. */
export class TailBuffer {
  private chunks: string[] = [];
  private head = 0;
  private length = 0;

  constructor(private readonly max = TAIL_CHARS) {}

  push(s: string): void {
    if (!s) return;
    if (s.length >= this.max) {
      this.chunks = [s];
      this.head = 0;
      this.length = s.length;
      return;
    }
    this.chunks.push(s);
    this.length += s.length;
    // Drop whole chunks from the front while the rest still holds max characters.
    while (this.length - this.chunks[this.head]!.length >= this.max) {
      this.length -= this.chunks[this.head]!.length;
      this.head++;
    }
    if (this.head > 64) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
  }

  /** The last max characters. */
  text(): string {
    return this.chunks.slice(this.head).join('').slice(-this.max);
  }
}

export class ConsoleSession {
  private readonly decoder = new StringDecoder('utf8');
  private readonly errDecoder = new StringDecoder('utf8');
  private readonly noise: StartupNoiseFilter | undefined;
  private readonly tail = new TailBuffer();
  /** The last raw chunk of stdout [0] / stderr [1] ended with \r (non-pty CRLF across chunks). */
  private readonly afterCr = [false, false];
  private stderrText = '';
  private code: number | null = null;
  private signal: string | undefined;
  private requested = false;
  private ended = false;
  private _ready: boolean;
  private readonly readyEmitter = new Emitter<void>();
  /** Fires once when the program is attached (see SessionOptions.readyLine). */
  readonly onReady: Event<void> = this.readyEmitter.event;
  private readonly dataEmitter = new Emitter<string>();
  private readonly endEmitter = new Emitter<EndInfo>();
  /** Decoded output, chunk by chunk. */
  readonly onData: Event<string> = this.dataEmitter.event;
  /** Fires once when the channel closed. */
  readonly onEnd: Event<EndInfo> = this.endEmitter.event;
  /** Bytes received (for figures). */
  bytes = 0;
  /** Output was not UTF-8 text (shown as U+FFFD): said once, by onJunk. */
  private junkSeen = false;
  private readonly junkEmitter = new Emitter<void>();
  /** Fires once, the first time the stream carries bytes that are not UTF-8 (a wrong baud rate, a binary dump). */
  readonly onJunk: Event<void> = this.junkEmitter.event;

  constructor(private readonly channel: ConsoleChannel, private readonly opts: SessionOptions) {
    this.noise = opts.filterNoise === false ? undefined : new StartupNoiseFilter(opts.readyLine);
    this._ready = !opts.readyLine || !this.noise;
    channel.on('data', (d) => this.onChunk(d));
    channel.stderr.on('data', (d) => {
      const s = this.errDecoder.write(d);
      this.stderrText = (this.stderrText + s).slice(-TAIL_CHARS);
      // Without a pty, stderr is the program's own messages: show them too.
      if (!opts.pty) this.emit(s, 1);
    });
    channel.once('exit', (code, signal) => {
      this.code = code ?? null;
      this.signal = signal;
    });
    channel.once('close', () => this.finish());
  }

  get ready(): boolean {
    return this._ready;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  private onChunk(d: Buffer): void {
    this.bytes += d.length;
    let s = this.decoder.write(d);
    if (!this.junkSeen && s.indexOf('\uFFFD') >= 0) {
      this.junkSeen = true;
      this.junkEmitter.fire();
    }
    if (this.noise && !this.noise.done) {
      s = this.noise.push(s);
      this.emit(s);
      if (!this._ready && this.noise.ready) {
        this._ready = true;
        this.readyEmitter.fire();
      }
      return;
    }
    this.emit(s);
  }

  private emit(s: string, stream: 0 | 1 = 0): void {
    if (!s) return;
    if (!this.opts.pty) {
      const raw = s;
      s = toCrlf(raw, this.afterCr[stream]!);
      this.afterCr[stream] = raw.charCodeAt(raw.length - 1) === 13;
    }
    this.tail.push(s);
    this.dataEmitter.fire(s);
  }

  write(data: string): void {
    if (!this.ended) this.channel.write(data);
  }

  /** Flow control for the terminal's pacer (pacer.ts). */
  pause(): void {
    if (!this.ended) this.channel.pause?.();
  }

  resume(): void {
    if (!this.ended) this.channel.resume?.();
  }

  resize(cols: number, rows: number): void {
    if (this.ended) return;
    try {
      this.channel.setWindow(rows, cols, 0, 0);
    } catch {
      // channel closing
    }
  }

  /** Detaches (detach bytes, then close): the console program ends, the VM keeps running. Safe twice. */
  close(): void {
    if (this.ended || this.requested) return;
    this.requested = true;
    try {
      if (this.opts.detach) this.channel.write(this.opts.detach);
      // Without a pty nothing hangs up the remote program (journalctl -f would linger): signal it.
      else if (!this.opts.pty) this.channel.signal?.('TERM');
      this.channel.end();
      this.channel.close();
    } catch {
      // already closed
    }
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    const last = this.decoder.end();
    this.emit(this.noise && !this.noise.done ? this.noise.push(last) + this.noise.flush() : last);
    this.endEmitter.fire({
      code: this.code,
      ...(this.signal ? { signal: this.signal } : {}),
      tail: this.tail.text(),
      stderr: this.stderrText + this.errDecoder.end(),
      requested: this.requested,
    });
    this.dataEmitter.dispose();
    this.endEmitter.dispose();
    this.readyEmitter.dispose();
    this.junkEmitter.dispose();
  }
}
