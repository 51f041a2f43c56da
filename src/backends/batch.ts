// Several probes of one host (probe.ts) in ONE round trip: `sh -c BATCH_SCRIPT vsim MARK N1 W… N2
// W…`, each probe's argv passed as its word count and its words, so the script is CONSTANT and the
// runner quotes every word (src/remote/quote.ts); the script runs each command in turn (eval sees
// only `"${K}"` references, never a word) and prints, around each, lines made of the run's random
// mark: `MARK out I`, the command's stdout as it was, `MARK err I RC`, its stderr. splitBatch()
// gives each probe its own stdout, stderr and exit code back: a command that fails, or a parser that
// throws, spoils only its own probe, and a missing section names the probe it belongs to. Pure.
import { randomBytes } from 'node:crypto';
import type { BackendContext, ExecResult } from './backend';
import { NOTHING_ASKED, type Probe } from './probe';

/** The batch's script; `stop`: it stops at the first command exiting non-zero (its sections printed, then the end mark). */
function batchScript(stop: boolean): string {
  return [
    'm=$1; shift; i=0',
    'while [ $# -gt 0 ]; do',
    '  n=$1; shift; c=; j=1',
    '  while [ "$j" -le "$n" ]; do c="$c \\"\\${$j}\\""; j=$((j + 1)); done',
    "  printf '\\n%s out %s\\n' \"$m\" \"$i\"",
    '  { e=$(eval "$c" 2>&1 1>&3 3>&-); rc=$?; } 3>&1',
    "  printf '\\n%s err %s %s\\n%s' \"$m\" \"$i\" \"$rc\" \"$e\"",
    ...(stop ? ['  [ "$rc" -eq 0 ] || break'] : []),
    '  shift "$n"; i=$((i + 1))',
    'done',
    "printf '\\n%s end\\n' \"$m\"",
  ].join('\n');
}

export const BATCH_SCRIPT = batchScript(false);

/** BATCH_SCRIPT that runs nothing after a command that failed: a sequence of steps in one round trip (src/plan/apply.ts runSteps). */
export const STEPS_SCRIPT = batchScript(true);

const MARK_RE = /^vsim-batch\.[0-9a-f]{32}$/;

/** The argv running these commands in one `sh -c`, with a mark of its own. */
export function batchArgv(commands: readonly (readonly string[])[], mark = `vsim-batch.${randomBytes(16).toString('hex')}`, opts: { stopOnFailure?: boolean } = {}): string[] {
  if (!MARK_RE.test(mark)) throw new Error(`batchArgv: bad mark ${mark}`);
  for (const c of commands) if (c.length === 0) throw new Error('batchArgv: empty command');
  return ['sh', '-c', opts.stopOnFailure ? STEPS_SCRIPT : BATCH_SCRIPT, 'vsim', mark, ...commands.flatMap((c) => [String(c.length), ...c])];
}

/** The mark and the commands of a batchArgv() argv (`stopOnFailure`: STEPS_SCRIPT's); undefined for any other argv (test runners answer the parts). */
export function batchParts(argv: readonly string[]): { mark: string; commands: string[][]; stopOnFailure: boolean } | undefined {
  if (argv[0] !== 'sh' || argv[1] !== '-c' || (argv[2] !== BATCH_SCRIPT && argv[2] !== STEPS_SCRIPT) || !MARK_RE.test(argv[4] ?? '')) return undefined;
  const commands: string[][] = [];
  for (let at = 5; at < argv.length;) {
    const n = Number(argv[at]);
    commands.push(argv.slice(at + 1, at + 1 + n));
    at += 1 + n;
  }
  return { mark: argv[4]!, commands, stopOnFailure: argv[2] === STEPS_SCRIPT };
}

export type PartResult = Omit<ExecResult, 'durationMs'>;

/**
 * The batch's stdout → each command's result, by index; undefined for a command whose sections are
 * not all there (the batch was cut short). A command's stdout is exact (the newline before each
 * mark line is the script's); its stderr loses trailing newlines.
 */
export function splitBatch(stdout: string, mark: string, count: number): (PartResult | undefined)[] {
  const out: (PartResult | undefined)[] = Array.from({ length: count }, () => undefined);
  const line = new RegExp(`\\n${mark.replace('.', '\\.')} (out (\\d+)|err (\\d+) (\\d+)|end)\\n`, 'g');
  let open: { i: number; from: number } | undefined;
  let err: { i: number; code: number; from: number } | undefined;
  let stdoutOf: string | undefined;
  for (let m = line.exec(stdout); m; m = line.exec(stdout)) {
    if (err && err.i < count && stdoutOf !== undefined) out[err.i] = { stdout: stdoutOf, stderr: stdout.slice(err.from, m.index), code: err.code };
    err = undefined;
    stdoutOf = undefined;
    if (m[2] !== undefined) {
      open = { i: Number(m[2]), from: m.index + m[0].length };
    } else if (m[3] !== undefined && open && open.i === Number(m[3])) {
      stdoutOf = stdout.slice(open.from, m.index);
      err = { i: open.i, code: Number(m[4]), from: m.index + m[0].length };
      open = undefined;
    } else {
      open = undefined;
    }
  }
  return out;
}

/**
 * What BATCH_SCRIPT prints for these results (the inverse of splitBatch): how a runner that runs
 * the commands some other way — a test's scripted host, the benchmark's one-exec-per-command
 * baseline — answers a batch.
 */
export function formatBatch(mark: string, parts: readonly PartResult[]): string {
  return `${parts.map((p, i) => `\n${mark} out ${i}\n${p.stdout}\n${mark} err ${i} ${p.code}\n${p.stderr.replace(/\n+$/, '')}`).join('')}\n${mark} end\n`;
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: Error };

function settle<T>(p: Probe<T>, r: ExecResult): Settled<T> {
  try {
    return { ok: true, value: p.parse(r) };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err : new Error(String(err)) };
  }
}

/** How long the batch may take: its commands run one after the other. */
const DEFAULT_TIMEOUT_MS = 30_000;

/**
 * Asks every probe of one host in ONE round trip (none for probes without a command) and gives
 * each its own answer or error. The round trip failing as a whole (the connection) fails every
 * probe that had a command, with that error.
 */
export async function runBatch(ctx: BackendContext, probes: readonly Probe<unknown>[]): Promise<Settled<unknown>[]> {
  const asked = probes.filter((p) => p.argv);
  const results = new Map<Probe<unknown>, Settled<unknown>>();
  if (asked.length) {
    const argv = batchArgv(asked.map((p) => p.argv!));
    const timeoutMs = asked.reduce((t, p) => t + (p.timeoutMs ?? DEFAULT_TIMEOUT_MS), 0);
    let r: ExecResult | undefined;
    let failed: Error | undefined;
    try {
      r = await ctx.run.exec(argv, { timeoutMs });
    } catch (err) {
      failed = err as Error;
    }
    const parts = r ? splitBatch(r.stdout, argv[4]!, asked.length) : [];
    asked.forEach((p, i) => {
      const part = parts[i];
      if (part) results.set(p, settle(p, { ...part, durationMs: r!.durationMs }));
      else if (failed) results.set(p, { ok: false, error: failed });
      else {
        const said = r!.stderr.trim().split('\n').slice(-2).join(' / ');
        results.set(p, { ok: false, error: new Error(`${p.label} on ${ctx.hostName}: no answer in the refresh's round trip (it exited ${r!.code}${said ? `: ${said}` : ''})`) });
      }
    });
  }
  return probes.map((p) => results.get(p) ?? settle(p, NOTHING_ASKED));
}
