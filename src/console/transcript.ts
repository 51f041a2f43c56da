// The local transcript of a console session: what the guest printed while its console terminal was
// open, appended to `ROOT/transcripts/HOST/VM/YYYYMMDD-HHMMSS.log` (the extension's global storage).
// Control sequences are kept out (colours, cursor moves, OSC titles, carriage returns: the file reads
// as text in an editor; the terminal had the raw bytes). Bounded: at most `capBytes` per file (then one
// line says so and the rest is dropped, without further work), at most `keep` files per VM (the oldest
// go when a new one starts), at most `maxQueued` characters waiting for the disk. Writes are
// asynchronous, one at a time, and never throw into the console. Pure Node (no vscode).
import { promises as fs } from 'node:fs';
import { join } from 'node:path';

export const TRANSCRIPT_CAP_BYTES = 4 * 1024 * 1024;
export const TRANSCRIPTS_KEPT = 20;
const MAX_QUEUED = 1024 * 1024;
/** An OSC/DCS string longer than this is taken as junk: the stripper goes back to text. */
const MAX_STRING = 4096;

/** A host or VM name as one path segment: safe names as they are, anything else percent-encoded (never `.`/`..`, never a slash). */
export function pathSegment(name: string): string {
  if (/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name)) return name;
  return encodeURIComponent(name).replace(/^\./, '%2E').replace(/[*!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`) || '%00';
}

export function transcriptDir(root: string, host: string, vm: string): string {
  return join(root, 'transcripts', pathSegment(host), pathSegment(vm));
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** `YYYYMMDD-HHMMSS` in local time (what the user's clock said when the console opened). */
export function transcriptStamp(d: Date): string {
  return `${d.getFullYear()}${pad(d.getMonth() + 1)}${pad(d.getDate())}-${pad(d.getHours())}${pad(d.getMinutes())}${pad(d.getSeconds())}`;
}

const NAME = /^(\d{8})-(\d{6})(?:-(\d+))?\.log$/;

export interface TranscriptFile {
  path: string;
  name: string;
  /** When the session started (from the name, local time). */
  started: Date;
  size: number;
}

function sortKey(name: string): string | undefined {
  const m = NAME.exec(name);
  return m ? `${m[1]}${m[2]}${pad(Number(m[3] ?? 0), 6)}` : undefined;
}

function startedOf(name: string): Date {
  const m = NAME.exec(name)!;
  const [d, t] = [m[1]!, m[2]!];
  return new Date(+d.slice(0, 4), +d.slice(4, 6) - 1, +d.slice(6, 8), +t.slice(0, 2), +t.slice(2, 4), +t.slice(4, 6));
}

/** The VM's transcripts, newest first (files not named as vsim names them are ignored). */
export async function listTranscripts(root: string, host: string, vm: string): Promise<TranscriptFile[]> {
  const dir = transcriptDir(root, host, vm);
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const ours = names.filter((n) => sortKey(n) !== undefined).sort((a, b) => (sortKey(b)! < sortKey(a)! ? -1 : 1));
  const out: TranscriptFile[] = [];
  for (const name of ours) {
    const st = await fs.stat(join(dir, name)).catch(() => undefined);
    if (st?.isFile()) out.push({ path: join(dir, name), name, started: startedOf(name), size: st.size });
  }
  return out;
}

/** Removes the oldest transcripts so that `keep` remain. */
export async function pruneTranscripts(root: string, host: string, vm: string, keep: number): Promise<string[]> {
  const all = await listTranscripts(root, host, vm);
  const gone = all.slice(Math.max(0, keep));
  await Promise.all(gone.map((f) => fs.rm(f.path, { force: true }).catch(() => undefined)));
  return gone.map((f) => f.name);
}

/** Creates the session's file (exclusively: a second session in the same second gets `-1`, `-2`…). */
async function createFile(dir: string, stamp: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  for (let i = 0; ; i++) {
    const path = join(dir, `${stamp}${i ? `-${i}` : ''}.log`);
    try {
      await (await fs.open(path, 'wx', 0o600)).close();
      return path;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || i > 1000) throw e;
    }
  }
}

type StripState = 'text' | 'esc' | 'escInter' | 'csi' | 'string' | 'stringEsc';

/** Removes terminal control sequences (CSI, OSC, DCS…, other ESC sequences, C0/C1 controls but \n and \t) across chunk boundaries. */
export class ControlStripper {
  private state: StripState = 'text';
  private stringLen = 0;

  push(chunk: string): string {
    let out = '';
    let runStart = -1;
    const flushRun = (i: number): void => {
      if (runStart >= 0) out += chunk.slice(runStart, i);
      runStart = -1;
    };
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      switch (this.state) {
        case 'text':
          if (c >= 0x20 && c !== 0x7f && (c < 0x80 || c > 0x9f)) {
            if (runStart < 0) runStart = i;
            continue;
          }
          if (c === 0x0a || c === 0x09) {
            if (runStart < 0) runStart = i;
            continue;
          }
          flushRun(i);
          if (c === 0x1b) this.state = 'esc';
          else if (c === 0x9b) this.state = 'csi';
          else if (c === 0x9d || c === 0x90) this.enterString();
          continue;
        case 'esc':
          if (c === 0x5b) this.state = 'csi';
          else if (c === 0x5d || c === 0x50 || c === 0x58 || c === 0x5e || c === 0x5f) this.enterString();
          else if (c >= 0x20 && c <= 0x2f) this.state = 'escInter';
          else this.state = 'text';
          continue;
        case 'escInter':
          if (c < 0x20 || c > 0x2f) this.state = 'text';
          continue;
        case 'csi':
          if (c < 0x20 || c > 0x3f) this.state = 'text';
          continue;
        case 'string':
          if (c === 0x07 || c === 0x9c || ++this.stringLen > MAX_STRING) this.state = 'text';
          else if (c === 0x1b) this.state = 'stringEsc';
          continue;
        case 'stringEsc':
          this.state = c === 0x5c ? 'text' : 'string';
          continue;
      }
    }
    flushRun(chunk.length);
    return out;
  }

  private enterString(): void {
    this.state = 'string';
    this.stringLen = 0;
  }
}

export interface TranscriptOptions {
  root: string;
  host: string;
  vm: string;
  /** The session's start (names the file). */
  now?: () => Date;
  capBytes?: number;
  keep?: number;
  maxQueued?: number;
  /** A write or create that failed (the transcript stops; the console goes on). */
  onError?: (err: Error) => void;
}

/**
 * One console session's transcript. write() never blocks and never throws: text is stripped,
 * queued and appended in the background; the file is made on the first text (a console that never
 * printed leaves none). flushed() resolves once everything written so far is on disk.
 */
export class ConsoleTranscript {
  private readonly strip = new ControlStripper();
  private readonly cap: number;
  private readonly maxQueued: number;
  private queue: string[] = [];
  private queued = 0;
  private written = 0;
  private dropped = 0;
  private capped = false;
  private failed = false;
  private closed = false;
  private path: Promise<string> | undefined;
  private writing: Promise<void> = Promise.resolve();
  private draining = false;

  constructor(private readonly o: TranscriptOptions) {
    this.cap = o.capBytes ?? TRANSCRIPT_CAP_BYTES;
    this.maxQueued = o.maxQueued ?? MAX_QUEUED;
  }

  /** The file, once the first text made it (undefined before). */
  get file(): Promise<string> | undefined {
    return this.path;
  }

  /** Bytes appended to the file so far. */
  get bytesWritten(): number {
    return this.written;
  }

  /** Guest output as the terminal received it. */
  write(raw: string): void {
    if (this.capped || this.failed || this.closed) return;
    this.enqueue(this.strip.push(raw));
  }

  /** A line of vsim's own (attached, ended), marked as such. */
  note(text: string): void {
    if (this.capped || this.failed || this.closed) return;
    this.enqueue(`\n# vsim: ${text}\n`);
  }

  /** No more text; what is queued is still written. */
  close(): Promise<void> {
    this.closed = true;
    return this.flushed();
  }

  /** Resolves when what was written before this call is on disk (or given up). */
  async flushed(): Promise<void> {
    while (this.draining) await this.writing;
  }

  private enqueue(text: string): void {
    if (!text) return;
    if (this.queued + text.length > this.maxQueued) {
      this.dropped += text.length;
      return;
    }
    this.queue.push(text);
    this.queued += text.length;
    if (!this.draining) {
      this.draining = true;
      this.writing = this.drain();
    }
  }

  private async drain(): Promise<void> {
    try {
      const path = await this.filePath();
      while (this.queue.length) {
        let text = this.queue.join('');
        this.queue = [];
        this.queued = 0;
        if (this.dropped) {
          text = `\n# vsim: ${this.dropped} characters not kept here (the disk was slower than the console)\n${text}`;
          this.dropped = 0;
        }
        let bytes = Buffer.from(text, 'utf8');
        if (this.written + bytes.length > this.cap) {
          const room = Math.max(0, this.cap - this.written);
          const tail = Buffer.from(`\n# vsim: transcript capped at ${this.cap} bytes; later output not kept\n`, 'utf8');
          bytes = Buffer.concat([bytes.subarray(0, Math.max(0, room - tail.length)), tail]);
          this.capped = true;
          this.queue = [];
          this.queued = 0;
        }
        await fs.appendFile(path, bytes);
        this.written += bytes.length;
        if (this.capped) break;
      }
    } catch (e) {
      this.failed = true;
      this.queue = [];
      this.o.onError?.(e as Error);
    } finally {
      this.draining = false;
    }
  }

  private filePath(): Promise<string> {
    if (!this.path) {
      const { root, host, vm } = this.o;
      const started = (this.o.now ?? (() => new Date()))();
      this.path = (async () => {
        const dir = transcriptDir(root, host, vm);
        // Room for this session: the oldest beyond `keep - 1` go first.
        await pruneTranscripts(root, host, vm, Math.max(0, (this.o.keep ?? TRANSCRIPTS_KEPT) - 1));
        const path = await createFile(dir, transcriptStamp(started));
        const header = `# vsim: console of ${vm} on ${host}, opened ${started.toString()} (control sequences removed)\n`;
        await fs.appendFile(path, header);
        this.written += Buffer.byteLength(header);
        return path;
      })();
    }
    return this.path;
  }
}
