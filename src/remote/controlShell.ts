// Frequent small commands over persistent `sh` channels ("control shells") per host, so a command
// does not open a channel of its own. Each command is written as (framing.ts)
//   $setsid sh -c 'printf MARKs $$; printf MARKs >&2; eval "$1"' sh CMD </dev/null; rc=$?; printf '%s %03d\n' MARKe "$rc"; printf '%s\n' MARKe >&2
// with a fresh random MARK: stdout is everything between the "MARKs <pid>" line and "MARKe <rc>\n" on
// the channel's stdout, stderr everything between "MARKs\n" and "MARKe\n" on its stderr, so output
// without a trailing newline stays exact, and what came before the start (a login shell's rc files,
// a background job of an earlier command) is not part of the result.
//
// Concurrency: up to `maxConcurrent` (8) commands of a host run at once, each on a shell of its own
// (started when none is idle; IDLE_SHELLS stay open) or on its own exec channel (`channel`, or a
// timeout over LONG_MS): a long command never holds up the others. Callers serialize what must not
// overlap (the per-VM queue, src/lab/queue.ts). A command's timeout counts from exec(), waiting
// included; a command that times out is killed with its process group (it leads one, `setsid`),
// through a channel of its own, before the caller hears of it. If a shell cannot be started, a fresh
// exec channel runs the command; a shell that dies or times out is replaced next time.
// Long-running or interactive work uses stream(): its own exec channel.
import type { ClientChannel } from 'ssh2';
import type { SshConnection } from './connection';
import type { Disposable } from './events';
import { FramedChannel, type RemoteStream } from './framedChannel';
import { execForm, killScript, newMark, SETSID_PROBE, SH_EXEC, SH_EXEC_PTY, shellScript } from './framing';
import { formatBytes, Framed, MAX_OUTPUT_BYTES } from './chunks';
import { nullLog, type CommandLog } from './log';
import { buildCommand } from './quote';

export interface ExecOptions {
  /** Default: the shell's defaultTimeoutMs (30 s). Counts from the call: time waiting for a free slot is included. */
  timeoutMs?: number;
  /** Text for the command's stdin (no NUL bytes through the shell; larger input goes through an exec channel). */
  stdin?: string;
  /** Its own exec channel instead of a control shell: long commands (virsh start, define). */
  channel?: boolean;
}

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number;
  durationMs: number;
  via: 'shell' | 'exec';
}

export interface StreamOptions {
  pty?: { cols: number; rows: number; term?: string };
}

/** A remote command that failed or did not finish: names the host, the command and what it said. */
export class RemoteCommandError extends Error {
  constructor(
    message: string,
    readonly host: string,
    readonly argv: readonly string[],
    readonly result?: Partial<ExecResult>,
  ) {
    super(message);
    this.name = 'RemoteCommandError';
  }

  /** The error for a command that ran and exited non-zero: the last lines of stderr (or stdout) in the message. */
  static fromResult(host: string, argv: readonly string[], result: Pick<ExecResult, 'stdout' | 'stderr' | 'code'> & Partial<ExecResult>): RemoteCommandError {
    const said = (result.stderr || result.stdout).trim().split('\n').slice(-3).join(' / ');
    return new RemoteCommandError(`${buildCommand(argv)} on ${host} failed (exit ${result.code})${said ? `: ${said}` : ''}`, host, argv, result);
  }
}

interface Pending {
  out: Framed;
  err: Framed;
  resolve(r: { stdout: Buffer; stderr: Buffer; code: number }): void;
  reject(err: Error): void;
}

interface Shell {
  ch: ClientChannel;
  pending?: Pending;
  alive: boolean;
}

type Raw = { stdout: Buffer; stderr: Buffer; code: number };

const MAX_SHELL_STDIN = 64 * 1024;
/** Commands of one host in flight at once (sshd's MaxSessions is 10 per connection by default; event streams, consoles and builds take some). */
export const MAX_CONCURRENT = 8;
/** Control shells kept open while idle. */
const IDLE_SHELLS = 2;
/** Commands allowed longer than this run on their own exec channel. */
const LONG_MS = 60_000;
/** Waits between tries when sshd refuses a channel (MaxSessions reached; channels that are closing still count);
 * the last one repeats until the command's deadline. */
const REFUSED_BACKOFF_MS = [50, 100, 200, 400, 800, 1600];
/** How long killing a timed-out command may take before the caller is told anyway. */
const KILL_WAIT_MS = 5_000;

export interface ControlShellOptions {
  log?: CommandLog;
  defaultTimeoutMs?: number;
  /** A command whose stdout and stderr together exceed this is stopped and fails (default MAX_OUTPUT_BYTES, 64 MiB). */
  maxOutputBytes?: number;
  /** Commands in flight at once on this host (default MAX_CONCURRENT, 8). */
  maxConcurrent?: number;
}

export class ControlShell implements Disposable {
  private readonly shells = new Set<Shell>();
  private readonly idle: Shell[] = [];
  /** Commands waiting for one of the maxConcurrent slots. */
  private readonly slotWaiters: (() => void)[] = [];
  /** Commands waiting for a busy shell (sshd refused one more channel). */
  private readonly shellWaiters: ((s: Shell) => void)[] = [];
  private inFlight = 0;
  private disposed = false;
  private readonly log: CommandLog;
  private readonly defaultTimeoutMs: number;
  private readonly maxOutputBytes: number;
  private readonly maxConcurrent: number;
  /** Commands run through the shells and through exec channels, shells started, the most in flight at once (for benchmarks and tests). */
  readonly stats = { shellCommands: 0, execCommands: 0, shellsStarted: 0, commandsStarted: 0, maxInFlight: 0, killed: 0 };

  constructor(private readonly conn: SshConnection, opts: ControlShellOptions = {}) {
    this.log = opts.log ?? nullLog;
    this.defaultTimeoutMs = opts.defaultTimeoutMs ?? 30_000;
    this.maxOutputBytes = opts.maxOutputBytes ?? MAX_OUTPUT_BYTES;
    this.maxConcurrent = Math.max(1, opts.maxConcurrent ?? MAX_CONCURRENT);
  }

  private get host(): string {
    return this.conn.endpoint.alias;
  }

  /** Runs argv; resolves with its output and exit code (non-zero is not an error), rejects on timeout or a lost connection. */
  exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const command = buildCommand(argv); // validates argv before queueing
    return this.run(argv, command, opts);
  }

  /** Like exec, but a non-zero exit is an error naming the host, the command and stderr. */
  async execOk(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const r = await this.exec(argv, opts);
    if (r.code !== 0) {
      const detail = r.stderr.trim() || r.stdout.trim() || '(no output)';
      throw new RemoteCommandError(`${buildCommand(argv)} failed on ${this.host} with exit code ${r.code}: ${detail}`, this.host, argv, r);
    }
    return r;
  }

  /**
   * Opens its own exec channel (consoles, builds, event streams); with `pty` for interactive
   * programs. The channel runs `sh` and gets the command on its stdin; the program's stdin is what
   * the caller writes once it runs.
   */
  async stream(argv: readonly string[], opts: StreamOptions = {}): Promise<RemoteStream> {
    const t0 = performance.now();
    const command = buildCommand(argv);
    const pty = opts.pty ? { cols: opts.pty.cols, rows: opts.pty.rows, term: opts.pty.term ?? 'xterm-256color' } : undefined;
    const ch = new FramedChannel(await this.conn.exec(pty ? SH_EXEC_PTY : SH_EXEC, pty ? { pty } : {}), execForm(argv, command), newMark(), { pty: !!pty, stdin: true });
    let code: number | null = null;
    ch.once('exit', (c: number | null) => { code = c; });
    ch.once('close', () => this.log.command({ host: this.host, argv, code, durationMs: performance.now() - t0, via: 'stream' }));
    return ch;
  }

  dispose(): void {
    this.disposed = true;
    for (const shell of [...this.shells]) this.killShell(new Error(`Control shell on ${this.host} closed`), shell);
  }

  private async run(argv: readonly string[], command: string, opts: ExecOptions): Promise<ExecResult> {
    const t0 = performance.now();
    this.stats.commandsStarted++;
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    const deadline = t0 + timeoutMs;
    const release = this.conn.hold();
    let via: 'shell' | 'exec' = 'shell';
    let connected = false;
    let slot = false;
    try {
      let raw: Raw;
      const smallStdin = opts.stdin === undefined || (Buffer.byteLength(opts.stdin) <= MAX_SHELL_STDIN && !opts.stdin.includes('\0'));
      const own = opts.channel === true || timeoutMs > LONG_MS || !smallStdin;
      await this.conn.client(); // connection errors (host key, auth, refused) are final, not a reason to fall back
      connected = true;
      await this.takeSlot(deadline, timeoutMs);
      slot = true;
      const shell = own ? undefined : await this.takeShell().catch(() => undefined);
      if (shell) {
        raw = await this.runOnShell(shell, command, opts.stdin, deadline, timeoutMs);
        this.stats.shellCommands++;
      } else {
        via = 'exec';
        try {
          raw = await this.runOnExec(command, opts.stdin, deadline, timeoutMs, smallStdin && this.shells.size > 0);
        } catch (err) {
          // sshd refused one more channel: a control shell runs it after all.
          if (!/Channel open failure/.test((err as Error).message) || !smallStdin || !this.shells.size) throw err;
          via = 'shell';
          raw = await this.runOnShell(await this.takeShell(), command, opts.stdin, deadline, timeoutMs);
        }
        if (via === 'exec') this.stats.execCommands++;
        else this.stats.shellCommands++;
      }
      const result: ExecResult = {
        stdout: raw.stdout.toString('utf8'),
        stderr: raw.stderr.toString('utf8'),
        code: raw.code,
        durationMs: performance.now() - t0,
        via,
      };
      this.log.command({ host: this.host, argv, code: result.code, durationMs: result.durationMs, via });
      return result;
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.log.command({ host: this.host, argv, code: null, durationMs: performance.now() - t0, via, error: message });
      // Not connected: the reason is the news (the command, often a long script, is in the log).
      throw new RemoteCommandError(connected ? `${command} on ${this.host}: ${message}` : message, this.host, argv);
    } finally {
      if (slot) this.releaseSlot();
      release();
    }
  }

  /** Waits for one of the maxConcurrent slots; the command's deadline runs meanwhile. */
  private async takeSlot(deadline: number, timeoutMs: number): Promise<void> {
    const waitStart = performance.now();
    while (this.inFlight >= this.maxConcurrent) {
      const left = deadline - performance.now();
      if (left <= 0) throw new Error(this.timedOut(timeoutMs, performance.now() - waitStart));
      await new Promise<void>((resolve, reject) => {
        const wake = (): void => { clearTimeout(timer); resolve(); };
        const timer = setTimeout(() => {
          const i = this.slotWaiters.indexOf(wake);
          if (i >= 0) this.slotWaiters.splice(i, 1);
          reject(new Error(this.timedOut(timeoutMs, performance.now() - waitStart)));
        }, left);
        this.slotWaiters.push(wake);
      });
    }
    this.inFlight++;
    this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.inFlight);
  }

  private releaseSlot(): void {
    this.inFlight--;
    this.slotWaiters.shift()?.();
  }

  private timedOut(timeoutMs: number, waitedMs: number): string {
    const waited = Math.round(waitedMs);
    return `timed out after ${timeoutMs} ms${waited > 0 ? ` (${waited} ms of it waiting for one of the ${this.maxConcurrent} command slots of ${this.host})` : ''}`;
  }

  /** An idle shell, a new one, or (when sshd refuses another channel while shells are busy) the next that becomes idle. */
  private async takeShell(): Promise<Shell> {
    for (let s = this.idle.pop(); s; s = this.idle.pop()) if (s.alive) return s;
    try {
      return await this.startShell();
    } catch (err) {
      if (!/Channel open failure/.test((err as Error).message) || !this.shells.size) throw err;
      return new Promise<Shell>((resolve) => this.shellWaiters.push(resolve));
    }
  }

  /** A shell whose command finished: to the next waiter, kept idle, or closed when enough are idle. */
  private giveBack(shell: Shell): void {
    if (!shell.alive) return;
    const waiter = this.shellWaiters.shift();
    if (waiter) {
      waiter(shell);
    } else if (this.idle.length < IDLE_SHELLS && !this.disposed) {
      this.idle.push(shell);
    } else {
      shell.alive = false;
      this.shells.delete(shell);
      shell.ch.end();
    }
  }

  /**
   * A new session channel. sshd refuses one over its MaxSessions, and channels just closed still
   * count until the close completes. Unless the caller has a control shell to fall back on
   * (`fallback`), a refusal is retried with a growing wait while the command's deadline allows.
   */
  private async openChannel(opts: { holdsConnection?: boolean }, deadline: number, fallback: boolean): Promise<ClientChannel> {
    for (let i = 0; ; i++) {
      try {
        return await this.conn.exec(SH_EXEC, opts);
      } catch (err) {
        const wait = REFUSED_BACKOFF_MS[Math.min(i, REFUSED_BACKOFF_MS.length - 1)]!;
        if (fallback || !/Channel open failure/.test((err as Error).message) || performance.now() + wait >= deadline || this.disposed) throw err;
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  private async startShell(deadline = performance.now() + 5_000): Promise<Shell> {
    const ch = await this.openChannel({ holdsConnection: false }, deadline, this.shells.size > 0);
    const shell: Shell = { ch, alive: true };
    // Between commands nothing is kept: only output after a command's start mark is its own.
    ch.on('data', (d: Buffer) => { if (shell.pending) { shell.pending.out.push(d); this.check(shell); } });
    ch.stderr.on('data', (d: Buffer) => { if (shell.pending) { shell.pending.err.push(d); this.check(shell); } });
    ch.once('close', () => {
      shell.alive = false;
      this.forget(shell);
      const lost = this.conn.state === 'ready' ? 'the control shell ended' : 'the connection was lost';
      shell.pending?.reject(new Error(`did not finish: ${lost}`));
      shell.pending = undefined;
    });
    ch.write(`${SETSID_PROBE}\n`);
    this.shells.add(shell);
    this.stats.shellsStarted++;
    if (this.disposed) this.killShell(new Error(`Control shell on ${this.host} closed`), shell);
    return shell;
  }

  private forget(shell: Shell): void {
    this.shells.delete(shell);
    const i = this.idle.indexOf(shell);
    if (i >= 0) this.idle.splice(i, 1);
  }

  private runOnShell(shell: Shell, command: string, stdin: string | undefined, deadline: number, timeoutMs: number): Promise<Raw> {
    return new Promise<Raw>((resolve, reject) => {
      const mark = newMark();
      const start = Buffer.from(`${mark}s`);
      const out = new Framed(start, Buffer.from(`${mark}e `), 4); // "%03d\n"
      const timer = setTimeout(() => {
        shell.pending = undefined;
        const pid = Number(out.startInfo);
        this.killShell(new Error('timed out'), shell);
        void this.killGroup(pid).then(() => reject(new Error(`timed out after ${timeoutMs} ms`)));
      }, Math.max(0, deadline - performance.now()));
      shell.pending = {
        out,
        err: new Framed(start, Buffer.from(`${mark}e\n`)),
        resolve: (r) => { clearTimeout(timer); this.giveBack(shell); resolve(r); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      };
      shell.ch.write(shellScript(command, mark, stdin));
    });
  }

  /**
   * Kills a timed-out command's process group through a channel of its own (the command's own
   * shell or channel is blocked on it), and waits (at most KILL_WAIT_MS) for that to be done.
   */
  private async killGroup(pid: number): Promise<void> {
    if (!Number.isInteger(pid) || pid <= 1) return; // never started
    try {
      const ch = await this.conn.exec(SH_EXEC, { holdsConnection: false });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { ch.close(); resolve(); }, KILL_WAIT_MS);
        ch.resume();
        ch.stderr.resume();
        ch.once('close', () => { clearTimeout(timer); resolve(); });
        ch.end(killScript(pid));
      });
      this.stats.killed++;
    } catch (err) {
      this.log.info(this.host, `could not kill the timed-out command (pid ${pid}): ${(err as Error).message}`);
    }
  }

  /** Completes the pending command once both of its end marks have arrived; stops it when its output exceeds the bound. */
  private check(shell: Shell): void {
    const p = shell.pending;
    if (!p) return;
    if (p.out.size + p.err.size > this.maxOutputBytes) {
      const pid = Number(p.out.startInfo);
      shell.pending = undefined;
      this.killShell(new Error('output bound'), shell);
      void this.killGroup(pid).then(() => p.reject(new Error(this.tooMuch())));
      return;
    }
    if (!p.out.done || !p.err.done) return;
    shell.pending = undefined;
    p.resolve({ stdout: p.out.output(), stderr: p.err.output(), code: Number(p.out.trailer()) });
  }

  private tooMuch(): string {
    return `output exceeded ${formatBytes(this.maxOutputBytes)} (the bound of one command's output); the command was stopped`;
  }

  private killShell(reason: Error, which: Shell): void {
    which.alive = false;
    this.forget(which);
    which.pending?.reject(reason);
    which.pending = undefined;
    try {
      which.ch.signal('KILL');
    } catch {
      // channel already gone
    }
    which.ch.close();
  }

  private async runOnExec(command: string, stdin: string | undefined, deadline: number, timeoutMs: number, fallback: boolean): Promise<Raw> {
    const ch = new FramedChannel(await this.openChannel({}, deadline, fallback), command, newMark(), { pty: false, stdin: stdin !== undefined, group: true });
    let pid = 0;
    ch.started.then((p) => { pid = p; }, () => undefined);
    return new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let code: number | null = null;
      let signal: string | undefined;
      let failed = false;
      const stop = (message: string): void => {
        failed = true;
        clearTimeout(timer);
        void this.killGroup(pid).then(() => {
          ch.close();
          reject(new Error(message));
        });
      };
      const timer = setTimeout(() => stop(`timed out after ${timeoutMs} ms`), Math.max(0, deadline - performance.now()));
      let size = 0;
      const add = (list: Buffer[], d: Buffer): void => {
        if (failed) return;
        size += d.length;
        if (size > this.maxOutputBytes) stop(this.tooMuch());
        else list.push(d);
      };
      ch.on('data', (d: Buffer) => add(out, d));
      ch.stderr.on('data', (d: Buffer) => add(err, d));
      ch.once('exit', (c: number | null, sig?: string) => { code = c; signal = sig; });
      ch.once('close', () => {
        if (failed) return;
        clearTimeout(timer);
        if (ch.startError) {
          reject(ch.startError);
        } else if (code === null) {
          const lost = this.conn.state === 'ready' ? `ended without an exit code${signal ? ` (signal ${signal})` : ''}` : 'did not finish: the connection was lost';
          reject(new Error(lost));
        } else {
          resolve({ stdout: Buffer.concat(out), stderr: Buffer.concat(err), code });
        }
      });
      if (stdin !== undefined) ch.end(stdin);
      else ch.end();
    });
  }
}
