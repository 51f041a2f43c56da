// Scripted CommandRunners for unit tests: fakeRunner records argv and answers from a function;
// localRunner runs argv for real on this machine (spawn, no shell of ours), for the composed scripts.
import { spawn } from 'node:child_process';
import type { BackendContext, CommandRunner, ExecResult } from '../../../src/backends/backend';
import type { Topology } from '../../../src/model/types';

export type Answer = Partial<ExecResult>;

export function fakeRunner(answer: (argv: readonly string[], stdin?: string) => Answer): CommandRunner & { calls: string[][]; stdins: (string | undefined)[] } {
  const calls: string[][] = [];
  const stdins: (string | undefined)[] = [];
  return {
    calls,
    stdins,
    async exec(argv, opts) {
      calls.push([...argv]);
      stdins.push(opts?.stdin);
      return { stdout: '', stderr: '', code: 0, durationMs: 1, ...answer(argv, opts?.stdin) };
    },
  };
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
