// Scripted CommandRunners for unit tests: fakeRunner records argv and answers from a function;
// localRunner runs argv for real on this machine (spawn, no shell of ours), for the composed scripts.
import { spawn } from 'node:child_process';
import type { BackendContext, CommandRunner, ExecResult } from '../../../src/backends/backend';
import type { Topology } from '../../../src/model/types';
import { batchParts, formatBatch } from '../../../src/backends/batch';

export type Answer = Partial<ExecResult>;

const ANNOUNCED = /^echo (@@vsim\.[0-9a-f]{32})\n/;

/** The run's own mark, when argv or stdin is a marked script (src/backends/script.ts markedScript). */
export function runMarkOf(argv: readonly string[], stdin?: string): string | undefined {
  for (const text of [...argv, stdin ?? '']) {
    const m = ANNOUNCED.exec(text);
    if (m) return m[1];
  }
  return undefined;
}

/** Output written with plain `@@vsim KIND` lines, as the marked script would print it: the announcement, then its own mark. */
export function asMarked(stdout: string, mark: string | undefined): string {
  return mark ? `${mark}\n${stdout.replace(/^@@vsim /gm, `${mark} `)}` : stdout;
}

/** The script as written in the source: what markedScript made of it, undone (for comparing argv). */
export function unmarked(script: string | undefined): string | undefined {
  return script?.replace(ANNOUNCED, '').replace(/@@vsim\.[0-9a-f]{32} /g, '@@vsim ');
}

/**
 * A batchArgv() argv (src/backends/batch.ts) answered part by part as its script would run them, each
 * by `one` (STEPS_SCRIPT: nothing after a part that failed); undefined for any other argv.
 */
export function answerBatch(argv: readonly string[], one: (command: readonly string[]) => ExecResult): ExecResult | undefined {
  const batch = batchParts(argv);
  if (!batch) return undefined;
  const parts: ExecResult[] = [];
  for (const c of batch.commands) {
    const part = one(c);
    parts.push(part);
    if (batch.stopOnFailure && part.code !== 0) break;
  }
  return { stdout: formatBatch(batch.mark, parts), stderr: '', code: 0, durationMs: 1 };
}

/**
 * Records argv and answers from a function. A refresh's batch (src/backends/batch.ts) is answered
 * part by part, as its script would run them: `calls` gets each part, `trips` counts round trips.
 */
export function fakeRunner(answer: (argv: readonly string[], stdin?: string) => Answer): CommandRunner & { calls: string[][]; stdins: (string | undefined)[]; trips: number } {
  const calls: string[][] = [];
  const stdins: (string | undefined)[] = [];
  const one = (argv: readonly string[], stdin?: string): ExecResult => {
    calls.push([...argv]);
    stdins.push(stdin);
    const a = answer(argv, stdin);
    return { stdout: '', stderr: '', code: 0, durationMs: 1, ...a, ...(a.stdout !== undefined ? { stdout: asMarked(a.stdout, runMarkOf(argv, stdin)) } : {}) };
  };
  const r = {
    calls,
    stdins,
    trips: 0,
    async exec(argv: readonly string[], opts?: { stdin?: string }): Promise<ExecResult> {
      r.trips++;
      return answerBatch(argv, one) ?? one(argv, opts?.stdin);
    },
  };
  return r;
}

export function localRunner(env: NodeJS.ProcessEnv = {}): CommandRunner & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    calls,
    exec(argv, opts) {
      calls.push([...argv]);
      const t0 = Date.now();
      return new Promise((resolve, reject) => {
        const p = spawn(argv[0] as string, argv.slice(1), { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
        let stdout = '';
        let stderr = '';
        p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
        p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        p.on('error', reject);
        p.on('close', (code) => resolve({ stdout, stderr, code: code ?? -1, durationMs: Date.now() - t0 }));
        // A program that exits before reading stdin closes the pipe: not an error of the test.
        p.stdin.on('error', () => undefined);
        p.stdin.end(opts?.stdin ?? '');
      });
    },
  };
}

export function ctxFor(topology: Topology, hostName: string, run: CommandRunner): BackendContext {
  const host = topology.hosts[hostName];
  if (!host) throw new Error(`no host ${hostName}`);
  return { hostName, host, topology, run };
}
