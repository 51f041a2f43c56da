// Frequent small commands over ONE persistent `sh` channel per host, so a command does not open a
// channel of its own. Each command is written as (framing.ts)
//   printf MARKs; printf MARKs >&2; ( CMD ) </dev/null; rc=$?; printf '%s %03d\n' MARKe "$rc"; printf '%s\n' MARKe >&2
// with a fresh random MARK: stdout is everything between "MARKs\n" and "MARKe <rc>\n" on the channel's
// stdout, stderr everything between "MARKs\n" and "MARKe\n" on its stderr, so output without a trailing
// newline stays exact, and what came before the start (a login shell's rc files, a background job of
// an earlier command) is not part of the result.
// The subshell keeps `exit`/`cd` from touching the control shell; </dev/null (or a printf pipe for
// stdin) keeps the command from eating the next commands. Commands are serialized. If the shell cannot
// be started, a fresh exec channel runs the command; a shell that dies or times out is replaced next time.
// Long-running or interactive work uses stream(): its own exec channel.
import type { ClientChannel } from 'ssh2';
import type { SshConnection } from './connection';
import type { Disposable } from './events';
import { FramedChannel, type RemoteStream } from './framedChannel';
import { newMark, SH_EXEC, SH_EXEC_PTY, shellScript } from './framing';
import { formatBytes, Framed, MAX_OUTPUT_BYTES } from './chunks';
import { nullLog, type CommandLog } from './log';
import { buildCommand, shellQuote } from './quote';

export interface ExecOptions {
  /** Default: the shell's defaultTimeoutMs (30 s). */
  timeoutMs?: number;
  /** Text for the command's stdin (no NUL bytes through the shell; larger input goes through an exec channel). */
  stdin?: string;
  /** Its own exec channel, not queued behind the shell's commands: long commands side by side (virsh start, define). */
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

const MAX_SHELL_STDIN = 64 * 1024;
/** Own-channel commands in flight per connection (exec's `channel` option). */
const MAX_CHANNELS = 6;

export class ControlShell implements Disposable {
  private shell: Shell | undefined;
  private starting: Promise<Shell> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private channels = 0;
  private readonly channelWaiters: (() => void)[] = [];
  private readonly log: CommandLog;
  private readonly defaultTimeoutMs: number;
  private readonly maxOutputBytes: number;
  /** Commands run through the shell and through exec fallbacks, and shells started (for benchmarks and tests). */
  readonly stats = { shellCommands: 0, execCommands: 0, shellsStarted: 0, commandsStarted: 0 };

  /** `maxOutputBytes`: a command whose stdout and stderr together exceed it is stopped and fails (default MAX_OUTPUT_BYTES, 64 MiB). */
  constructor(private readonly conn: SshConnection, opts: { log?: CommandLog; defaultTimeoutMs?: number; maxOutputBytes?: number } = {}) {
    this.log = opts.log ?? nullLog;
    this.defaultTimeoutMs = opts.defaultTimeoutMs ?? 30_000;
    this.maxOutputBytes = opts.maxOutputBytes ?? MAX_OUTPUT_BYTES;
  }

  private get host(): string {
    return this.conn.endpoint.alias;
  }

  /** Runs argv; resolves with its output and exit code (non-zero is not an error), rejects on timeout or a lost connection. */
  exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const command = buildCommand(argv); // validates argv before queueing
    if (opts.channel) return this.runOnOwnChannel(argv, command, opts);
    const run = this.queue.then(() => this.run(argv, command, opts));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * At most MAX_CHANNELS commands on their own channels at once (sshd's MaxSessions is 10 per
   * connection by default, and the shell and event streams take some); a refused channel open runs
   * the command on the shell instead.
   */
  private async runOnOwnChannel(argv: readonly string[], command: string, opts: ExecOptions): Promise<ExecResult> {
    while (this.channels >= MAX_CHANNELS) await new Promise<void>((resolve) => this.channelWaiters.push(resolve));
    this.channels++;
    try {
      return await this.run(argv, command, opts);
    } catch (err) {
      if (!/Channel open failure/.test((err as Error).message)) throw err;
      const onShell = { ...opts, channel: false };
      const run = this.queue.then(() => this.run(argv, command, onShell));
      this.queue = run.catch(() => undefined);
      return run;
    } finally {
      this.channels--;
      this.channelWaiters.shift()?.();
    }
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
    const ch = new FramedChannel(await this.conn.exec(pty ? SH_EXEC_PTY : SH_EXEC, pty ? { pty } : {}), command, newMark(), { pty: !!pty, stdin: true });
    let code: number | null = null;
    ch.once('exit', (c: number | null) => { code = c; });
    ch.once('close', () => this.log.command({ host: this.host, argv, code, durationMs: performance.now() - t0, via: 'stream' }));
    return ch;
  }

  dispose(): void {
    this.killShell(new Error(`Control shell on ${this.host} closed`));
  }

  private async run(argv: readonly string[], command: string, opts: ExecOptions): Promise<ExecResult> {
    const t0 = performance.now();
    this.stats.commandsStarted++;
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    const release = this.conn.hold();
    let via: 'shell' | 'exec' = 'shell';
    let connected = false;
    try {
      let raw: { stdout: Buffer; stderr: Buffer; code: number };
      const useShell = !opts.channel && (opts.stdin === undefined || (Buffer.byteLength(opts.stdin) <= MAX_SHELL_STDIN && !opts.stdin.includes('\0')));
      await this.conn.client(); // connection errors (host key, auth, refused) are final, not a reason to fall back
      connected = true;
      const shell = useShell ? await this.ensureShell().catch(() => undefined) : undefined;
      if (shell) {
        raw = await this.runOnShell(shell, command, opts.stdin, timeoutMs);
        this.stats.shellCommands++;
      } else {
        via = 'exec';
        raw = await this.runOnExec(command, opts.stdin, timeoutMs);
        this.stats.execCommands++;
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
      release();
    }
  }

  private ensureShell(): Promise<Shell> {
    if (this.shell?.alive) return Promise.resolve(this.shell);
    if (this.starting) return this.starting;
    this.starting = this.conn.exec(SH_EXEC, { holdsConnection: false }).then(
      (ch) => {
        this.starting = undefined;
        const shell: Shell = { ch, alive: true };
        // Between commands nothing is kept: only output after a command's start mark is its own.
        ch.on('data', (d: Buffer) => { if (shell.pending) { shell.pending.out.push(d); this.check(shell); } });
        ch.stderr.on('data', (d: Buffer) => { if (shell.pending) { shell.pending.err.push(d); this.check(shell); } });
        ch.once('close', () => {
          shell.alive = false;
          if (this.shell === shell) this.shell = undefined;
          const lost = this.conn.state === 'ready' ? 'the control shell ended' : 'the connection was lost';
          shell.pending?.reject(new Error(`did not finish: ${lost}`));
          shell.pending = undefined;
        });
        this.shell = shell;
        this.stats.shellsStarted++;
        return shell;
      },
      (err: Error) => {
        this.starting = undefined;
        throw err;
      },
    );
    return this.starting;
  }

  private runOnShell(shell: Shell, command: string, stdin: string | undefined, timeoutMs: number): Promise<{ stdout: Buffer; stderr: Buffer; code: number }> {
    return new Promise((resolve, reject) => {
      const mark = newMark();
      const script = shellScript(command, mark, stdin, shellQuote);
      const timer = setTimeout(() => {
        shell.pending = undefined;
        this.killShell(new Error('timed out'), shell);
        reject(new Error(`timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      const start = Buffer.from(`${mark}s\n`);
      shell.pending = {
        out: new Framed(start, Buffer.from(`${mark}e `), 4), // "%03d\n"
        err: new Framed(start, Buffer.from(`${mark}e\n`)),
        resolve: (r) => { clearTimeout(timer); resolve(r); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      };
      shell.ch.write(script);
    });
  }

  /** Completes the pending command once both of its end marks have arrived; stops it when its output exceeds the bound. */
  private check(shell: Shell): void {
    const p = shell.pending;
    if (!p) return;
    if (p.out.size + p.err.size > this.maxOutputBytes) {
      this.killShell(new Error(this.tooMuch()), shell);
      return;
    }
    if (!p.out.done || !p.err.done) return;
    shell.pending = undefined;
    p.resolve({ stdout: p.out.output(), stderr: p.err.output(), code: Number(p.out.trailer()) });
  }

  private tooMuch(): string {
    return `output exceeded ${formatBytes(this.maxOutputBytes)} (the bound of one command's output); the command was stopped`;
  }

  private killShell(reason: Error, which: Shell | undefined = this.shell): void {
    if (!which) return;
    which.alive = false;
    if (this.shell === which) this.shell = undefined;
    which.pending?.reject(reason);
    which.pending = undefined;
    try {
      which.ch.signal('KILL');
    } catch {
      // channel already gone
    }
    which.ch.close();
  }

  private async runOnExec(command: string, stdin: string | undefined, timeoutMs: number): Promise<{ stdout: Buffer; stderr: Buffer; code: number }> {
    const ch = new FramedChannel(await this.conn.exec(SH_EXEC), command, newMark(), { pty: false, stdin: stdin !== undefined });
    return new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let code: number | null = null;
      let signal: string | undefined;
      const timer = setTimeout(() => {
        try { ch.signal('KILL'); } catch { /* gone */ }
        ch.close();
        reject(new Error(`timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      let size = 0;
      let failed = false;
      const add = (list: Buffer[], d: Buffer): void => {
        if (failed) return;
        size += d.length;
        if (size > this.maxOutputBytes) {
          failed = true;
          clearTimeout(timer);
          ch.close();
          reject(new Error(this.tooMuch()));
          return;
        }
        list.push(d);
      };
      ch.on('data', (d: Buffer) => add(out, d));
      ch.stderr.on('data', (d: Buffer) => add(err, d));
      ch.once('exit', (c: number | null, sig?: string) => { code = c; signal = sig; });
      ch.once('close', () => {
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
