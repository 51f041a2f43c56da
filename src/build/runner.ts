// Runs `nix build` / `nixos-rebuild` on a host over ONE stream channel (an ssh2 exec channel in the
// extension, a fake in unit tests) and turns Nix's `--log-format internal-json` into BuildProgress.
// Pure: no vscode import.
//
// Cancel. The build runs under a pty and Cancel writes Ctrl-C (\x03): the pty's line discipline
// sends SIGINT to the foreground process group, i.e. `nix`, which stops its builders (their
// process group) and exits 1. The SSH "signal" channel request (ssh2's `channel.signal('INT')`) is
// refused by OpenSSH for root logins ("session signalling requires privilege separation"), and
// hypervisors are reached as root. So Ctrl-C on a pty is the primary path; if the process has not
// exited after `cancelGraceMs`, the runner also sends the signal request (works for non-root
// logins) and closes the channel, which hangs up the pty (SIGHUP: Nix handles it like SIGINT). Never SIGKILL: that leaves builders and temp dirs behind.
//
// With a pty, stdout and stderr arrive merged, with CRLF line ends and a few terminal escapes
// (`\r\e[0m\e[K` before the first lines): lines are cleaned, `@nix {…}` lines go to the progress
// tracker, the `--json` result line (`[{"drvPath":…}]`) is recognized by its shape, everything else
// is build log text.
import { parseNixBuildJson, type BuildResult } from '../nix/commands';
import { LineSplitter } from '../remote/chunks';
import { envScript, hasEnv, withEnvFile } from '../remote/secretEnv';
import { stripAnsi } from '../nix/parseLog';
import { BuildProgressTracker, type BuildProgress } from '../nix/progress';

/** What the runner needs of a channel; ssh2's ClientChannel has all of it. */
export interface BuildChannel {
  on(event: 'data', listener: (data: Buffer) => void): unknown;
  on(event: 'exit', listener: (code: number | null, signal?: string) => void): unknown;
  on(event: 'close', listener: () => void): unknown;
  stderr: { on(event: 'data', listener: (data: Buffer) => void): unknown };
  write(data: string): unknown;
  /** SSH "signal" channel request (refused by OpenSSH for root logins, see above). */
  signal?(name: string): unknown;
  close(): unknown;
}

export type OpenStream = (argv: readonly string[], opts: { pty?: { cols: number; rows: number; term?: string } }) => Promise<BuildChannel>;

export interface RunBuildOptions {
  /** The command (nixBuildCommand / nixosRebuildCommand output). */
  argv: readonly string[];
  /** Environment for the remote command (e.g. NIX_CONFIG): staged through `stageEnv`, never in the argv. */
  env?: Record<string, string>;
  open: OpenStream;
  /** Writes an `export K='v'` script to a private file on the host (stdin, not argv) and returns its path. */
  stageEnv?(script: string): Promise<string>;
  /** Called when the progress changed (the caller throttles what it shows). */
  onProgress?(p: BuildProgress): void;
  /** Every cleaned output line, for the full log. */
  onLine?(line: string): void;
  /** Abort = Cancel. */
  signal?: AbortSignal;
  /** After Ctrl-C, how long to wait before the signal request + hang-up. Default 3000 ms. */
  cancelGraceMs?: number;
  /** false: no pty (stdout/stderr stay apart; cancel can then only hang up / signal). Default true. */
  pty?: boolean;
}

export type BuildStatus = 'succeeded' | 'failed' | 'cancelled';

export interface BuildOutcome {
  status: BuildStatus;
  /** Exit code of the remote command (null: ended by a signal or the connection). */
  code: number | null;
  /** Parsed `--json` output (nix build): derivations and their output paths. */
  results: BuildResult[];
  /** The output paths, flattened (`out` first). */
  outPaths: string[];
  progress: BuildProgress;
  durationMs: number;
  /** Time from Cancel to the remote command's exit. */
  cancelLatencyMs?: number;
  /** How the cancel ended the build: 'ctrl-c' (pty) or 'hangup' (signal request + channel close). */
  cancelledBy?: 'ctrl-c' | 'hangup';
  /** The program was not found on the host (exit 127). */
  missingProgram?: string;
  /** Last lines of output (all sources), for failure messages. */
  tail: string[];
}

const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/g;

/** A pty line → plain text: CR, terminal escapes and other control characters removed. */
export function cleanLine(raw: string): string {
  return stripAnsi(raw).replace(CONTROL, '');
}

function isResultJson(line: string): boolean {
  return line === '[]' || (line.startsWith('[{"drvPath":') && line.endsWith(']'));
}

export async function runBuild(opts: RunBuildOptions): Promise<BuildOutcome> {
  const t0 = performance.now();
  const tracker = new BuildProgressTracker(200);
  const tail: string[] = [];
  const results: BuildResult[] = [];
  const usePty = opts.pty ?? true;
  const graceMs = opts.cancelGraceMs ?? 3000;

  if (opts.signal?.aborted) {
    return { status: 'cancelled', code: null, results, outPaths: [], progress: tracker.progress, durationMs: 0, tail, cancelLatencyMs: 0 };
  }
  const argv = await commandWithEnv(opts);
  const ch = await opts.open(argv, usePty ? { pty: { cols: 200, rows: 50, term: 'dumb' } } : {});

  const line = (raw: string): void => {
    const l = cleanLine(raw);
    if (!l.trim() || l === '^C') return;
    opts.onLine?.(l);
    if (isResultJson(l)) {
      try {
        results.push(...parseNixBuildJson(l));
        return;
      } catch {
        // not the result after all: log text
      }
    }
    tail.push(l);
    if (tail.length > 40) tail.shift();
    if (tracker.push(`${l}\n`)) opts.onProgress?.(tracker.progress);
  };
  const outLines = new LineSplitter(line);
  const errLines = new LineSplitter(line);

  let cancelAt: number | undefined;
  let cancelledBy: BuildOutcome['cancelledBy'];
  let exitCode: number | null = null;
  let exitAt: number | undefined;
  let escalation: ReturnType<typeof setTimeout> | undefined;

  const onAbort = (): void => {
    if (exitAt !== undefined || cancelAt !== undefined) return;
    cancelAt = performance.now();
    cancelledBy = usePty ? 'ctrl-c' : 'hangup';
    if (usePty) ch.write('\x03');
    escalation = setTimeout(() => {
      if (exitAt !== undefined) return;
      cancelledBy = 'hangup';
      try { ch.signal?.('INT'); } catch { /* refused or gone */ }
      ch.close();
    }, usePty ? graceMs : 0);
  };

  const done = new Promise<void>((resolve) => {
    ch.on('data', (d: Buffer) => outLines.push(d));
    ch.stderr.on('data', (d: Buffer) => errLines.push(d));
    ch.on('exit', (code) => {
      exitCode = code;
      exitAt ??= performance.now();
    });
    ch.on('close', () => {
      exitAt ??= performance.now();
      resolve();
    });
  });
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    await done;
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (escalation) clearTimeout(escalation);
  }
  outLines.push(Buffer.from('\n'));
  errLines.push(Buffer.from('\n'));
  if (tracker.end()) opts.onProgress?.(tracker.progress);

  const outPaths = results.flatMap((r) => Object.entries(r.outputs).sort(([a], [b]) => (a === 'out' ? -1 : b === 'out' ? 1 : a.localeCompare(b))).map(([, p]) => p));
  const status: BuildStatus = cancelAt !== undefined && exitCode !== 0 ? 'cancelled' : exitCode === 0 ? 'succeeded' : 'failed';
  const outcome: BuildOutcome = { status, code: exitCode, results, outPaths, progress: tracker.progress, durationMs: performance.now() - t0, tail };
  if (cancelAt !== undefined && exitAt !== undefined) {
    outcome.cancelLatencyMs = exitAt - cancelAt;
    if (cancelledBy) outcome.cancelledBy = cancelledBy;
  }
  if (exitCode === 127) outcome.missingProgram = missingProgram(opts.argv, tail);
  return outcome;
}

/** The program that was not found: from `env: 'X': No such file…` / `sh: 1: exec: X: not found` / `sh: 1: X: not found` / `sh: X: not found`, else the command's first word. */
function missingProgram(argv: readonly string[], tail: readonly string[]): string {
  for (const l of tail) {
    const m = /env: '([^']+)': No such file/.exec(l) ?? /exec: ([^:\s]+): not found/.exec(l) ?? /(?:sh|bash): (?:line )?(?:\d+: )?([^:\s]+): (?:command )?not found/.exec(l);
    if (m) return m[1] as string;
  }
  return argv[0] ?? '';
}

/** The argv to open: the command itself, or a wrapper that reads the staged environment first. */
async function commandWithEnv(opts: RunBuildOptions): Promise<readonly string[]> {
  if (!hasEnv(opts.env)) return opts.argv;
  if (!opts.stageEnv) throw new Error('runBuild: an environment needs stageEnv (values never go into the command line)');
  return withEnvFile(opts.argv, await opts.stageEnv(envScript(opts.env)));
}

/** The failure in words: the failing derivation, its message and its last log lines. */
export function describeFailure(o: BuildOutcome, hostName: string, lines = 10): { summary: string; detail: string; lastLines: string[] } {
  if (o.missingProgram) {
    return { summary: `${o.missingProgram} not found on ${hostName}`, detail: `The command exited with 127 on ${hostName}: ${o.missingProgram} is not installed or not on PATH.`, lastLines: [] };
  }
  const f = o.progress.failed;
  const drv = f?.drv;
  const own = drv ? o.progress.logLines.filter((l) => l.drv === drv).map((l) => l.line) : [];
  const last = (own.length ? own : o.progress.logLines.map((l) => l.line)).slice(-lines);
  const lastText = last.length ? last : o.tail.filter((l) => !l.startsWith('@nix ')).slice(-lines);
  const summary = drv ? `build of ${drv} failed on ${hostName}` : `${f?.message.split('\n')[0] ?? `exit code ${o.code ?? 'none'}`} (on ${hostName})`;
  const msg = (f?.message ?? o.progress.errors.at(-1) ?? '').split('\n').slice(0, 6).join('\n');
  return { summary, detail: [msg, lastText.length ? `Last log lines:\n${lastText.join('\n')}` : ''].filter(Boolean).join('\n\n'), lastLines: lastText };
}
