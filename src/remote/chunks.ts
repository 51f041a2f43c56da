// A command's output as it arrives: chunks kept in a list (no copy per chunk) and a search that
// only looks at data it has not searched yet, so reading n bytes costs O(n), not O(n²).
// Also the line splitter of streams, with a StringDecoder so a character split across chunks stays whole.
import { StringDecoder } from 'node:string_decoder';

/** Default bound of one command's output (stdout and stderr together) read by the control shell. */
export const MAX_OUTPUT_BYTES = 64 * 1024 * 1024;

/** Sizes in messages: `64 MiB`, `512 KiB`, `100 bytes`. */
export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 && n % (1024 * 1024) === 0) return `${n / (1024 * 1024)} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}

export class Chunks {
  private list: Buffer[] = [];
  private size = 0;

  get length(): number {
    return this.size;
  }

  push(d: Buffer): void {
    if (!d.length) return;
    this.list.push(d);
    this.size += d.length;
  }

  /**
   * Index of `needle` at or after `from`, or -1. Copies only the bytes from `from` on: callers
   * that resume where the last search stopped (`resumeFrom`) search each byte about once.
   */
  indexOf(needle: Buffer | number, from: number): number {
    if (from >= this.size) return -1;
    const window = this.slice(from, this.size);
    const i = window.indexOf(needle);
    return i < 0 ? -1 : from + i;
  }

  /** Where the next search for a needle of this length resumes after one that found nothing. */
  resumeFrom(needleLength: number): number {
    return Math.max(0, this.size - needleLength + 1);
  }

  /** Bytes [from, to) as one Buffer (a view when they lie in one chunk). */
  slice(from: number, to: number): Buffer {
    const parts: Buffer[] = [];
    // Walk back from the end: searches look at the newest data.
    let end = this.size;
    for (let k = this.list.length - 1; k >= 0 && end > from; k--) {
      const c = this.list[k] as Buffer;
      const start = end - c.length;
      if (start < to) parts.push(c.subarray(Math.max(0, from - start), Math.min(c.length, to - start)));
      end = start;
    }
    parts.reverse();
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
  }

  /** Drops the first n bytes. */
  drop(n: number): void {
    if (n >= this.size) {
      this.clear();
      return;
    }
    let left = n;
    while (left > 0) {
      const c = this.list[0] as Buffer;
      if (c.length <= left) {
        this.list.shift();
        left -= c.length;
      } else {
        this.list[0] = c.subarray(left);
        left = 0;
      }
    }
    this.size -= n;
  }

  clear(): void {
    this.list = [];
    this.size = 0;
  }
}

/**
 * Splits a byte stream into lines (without the `\n` or `\r\n`): `push` each chunk; a multi-byte
 * character split between chunks is decoded whole. A line longer than `maxLine` characters is
 * delivered in pieces of that size, so what is kept stays bounded. A last line without a newline is
 * not delivered.
 */
export class LineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private partial = '';

  constructor(private readonly onLine: (line: string) => void, private readonly maxLine = 1 << 20) {}

  push(d: Buffer): void {
    const lines = (this.partial + this.decoder.write(d)).split(/\r?\n/);
    let rest = lines.pop() ?? '';
    for (const l of lines) this.onLine(l);
    while (rest.length > this.maxLine) {
      this.onLine(rest.slice(0, this.maxLine));
      rest = rest.slice(this.maxLine);
    }
    this.partial = rest;
  }
}

/**
 * One output stream of a framed command: what comes before the line that starts with `start` is
 * dropped as it arrives (the rest of that line is `startInfo`), the output is what lies between that
 * line and `end`, followed by `trailerLength` more bytes (the exit code). Each byte is searched about once.
 */
export class Framed {
  /** The text after the start mark on its line (the command's pid), once started. */
  startInfo: string | undefined;
  private readonly chunks = new Chunks();
  private started = false;
  private from = 0;
  private endAt = -1;

  constructor(private readonly start: Buffer, private readonly end: Buffer, private readonly trailerLength = 0) {}

  push(d: Buffer): void {
    this.chunks.push(d);
    if (!this.started) {
      const i = this.chunks.indexOf(this.start, this.from);
      if (i < 0) {
        this.chunks.drop(this.chunks.resumeFrom(this.start.length));
        this.from = 0;
        return;
      }
      // The start line: the mark, what follows it on its line (a pid), the newline.
      const nl = this.chunks.indexOf(0x0a, i + this.start.length);
      if (nl < 0) {
        this.chunks.drop(i);
        this.from = 0;
        return;
      }
      this.startInfo = this.chunks.slice(i + this.start.length, nl).toString('latin1').trim();
      this.chunks.drop(nl + 1);
      this.started = true;
      this.from = 0;
    }
    if (this.endAt < 0) {
      const i = this.chunks.indexOf(this.end, this.from);
      if (i < 0) {
        this.from = this.chunks.resumeFrom(this.end.length);
        return;
      }
      this.endAt = i;
    }
  }

  /** Output bytes so far (the size bound counts these). */
  get size(): number {
    if (!this.started) return 0;
    return this.endAt >= 0 ? this.endAt : this.chunks.length;
  }

  get done(): boolean {
    return this.endAt >= 0 && this.chunks.length >= this.endAt + this.end.length + this.trailerLength;
  }

  /** The output (once done). */
  output(): Buffer {
    return this.chunks.slice(0, this.endAt);
  }

  /** The bytes after the end mark (once done). */
  trailer(): string {
    const at = this.endAt + this.end.length;
    return this.chunks.slice(at, at + this.trailerLength).toString('latin1');
  }
}
