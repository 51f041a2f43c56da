// A real CommandRunner over OpenSSH for the sandbox tests: `ssh -F .sandbox/ssh/config HOST --
// <buildCommand(argv)>` (the extension's one quoting function). Two ways to use it:
//  - new SshRunner(env, host): a ControlMaster per host (socket under .sandbox/tmp) keeps the
//    connection open between commands, as the extension's pooled ssh2 connection does;
//    { fresh: true } opens a new connection per command;
//  - sshRunner(env, host): one fresh connection per exec until master() opens a ControlMaster.
// follow() uses `-tt` so that the remote command gets SIGHUP when the stream is disposed.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { CommandRunner, ExecResult } from '../../src/backends/backend';
import { buildCommand } from '../../src/remote/quote';

export const REPO = resolve(__dirname, '../..');
export const SANDBOX = join(REPO, '.sandbox');

export interface SandboxEnv {
  sshConfig: string;
  hosts: Record<string, { address: string; port: number; user: string; netns?: string; proxyJump?: string }>;
  libvirtUri?: string;
  domains?: string[];
}

/** The sandbox's env.json, or the reason it cannot be used (tests skip with it). */
export function sandboxEnv(): SandboxEnv | string {
  const f = join(SANDBOX, 'env.json');
  if (!existsSync(f)) return 'sandbox not up (.sandbox/env.json absent): run `bash test/sandbox/sandbox.sh up`';
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as SandboxEnv;
  } catch (e) {
    return `unreadable .sandbox/env.json: ${(e as Error).message}`;
  }
}

export class SshRunner implements CommandRunner {
  readonly calls: string[][] = [];
  private readonly children = new Set<ChildProcess>();
  private readonly control: string;
  private mux: string[];

  constructor(private readonly env: SandboxEnv, private readonly host: string, opts: { fresh?: boolean } = {}) {
    const dir = join(SANDBOX, 'tc-work');
    mkdirSync(dir, { recursive: true });
    this.control = join(dir, `cm-${host}-${process.pid}`);
    this.mux = opts.fresh ? ['-o', 'ControlMaster=no', '-o', 'ControlPath=none']
      : ['-o', 'ControlMaster=auto', '-o', `ControlPath=${this.control}`, '-o', 'ControlPersist=30'];
  }

  private args(extra: string[] = []): string[] {
    return ['-F', this.env.sshConfig, ...this.mux, '-o', 'BatchMode=yes', ...extra, this.host, '--'];
  }

  /** Opens a ControlMaster (persistent connection) so later execs reuse it. */
  master(): void {
    const r = spawnSync('ssh', ['-F', this.env.sshConfig, '-o', 'ControlMaster=yes', '-o', `ControlPath=${this.control}`, '-o', 'ControlPersist=60', '-fN', this.host], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ssh master to ${this.host}: ${r.stderr}`);
    this.mux = ['-o', 'ControlMaster=no', '-o', `ControlPath=${this.control}`];
  }

  exec(argv: readonly string[], opts: { timeoutMs?: number; stdin?: string } = {}): Promise<ExecResult> {
    this.calls.push([...argv]);
    const t0 = Date.now();
    return new Promise((res, rej) => {
      const p = spawn('ssh', [...this.args(), buildCommand(argv)], { stdio: ['pipe', 'pipe', 'pipe'] });
      this.children.add(p);
      let stdout = '';
      let stderr = '';
      const timer = opts.timeoutMs ? setTimeout(() => p.kill('SIGTERM'), opts.timeoutMs) : undefined;
      p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      p.on('error', rej);
      p.on('close', (code) => {
        if (timer) clearTimeout(timer);
        this.children.delete(p);
        res({ stdout, stderr, code: code ?? -1, durationMs: Date.now() - t0 });
      });
      p.stdin.on('error', () => undefined); // ssh may exit (connection refused) before reading stdin
      p.stdin.end(opts.stdin ?? '');
    });
  }

  follow(argv: readonly string[], onLine: (line: string) => void): { done: Promise<number>; dispose(): void } {
    this.calls.push([...argv]);
    const p = spawn('ssh', [...this.args(['-tt']), buildCommand(argv)], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.children.add(p);
    createInterface({ input: p.stdout }).on('line', (l) => onLine(l.replace(/\r$/, '')));
    const done = new Promise<number>((r) => p.on('close', (code) => {
      this.children.delete(p);
      r(code ?? -1);
    }));
    return { done, dispose: () => p.kill('SIGTERM') };
  }

  streamRaw(argv: readonly string[], sinks: { onStdout(chunk: Buffer): void; onStderr(chunk: Buffer): void }): { done: Promise<number>; dispose(): void } {
    this.calls.push([...argv]);
    const p = spawn('ssh', [...this.args(), buildCommand(argv)], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.children.add(p);
    p.stdout.on('data', (d: Buffer) => sinks.onStdout(d));
    p.stderr.on('data', (d: Buffer) => sinks.onStderr(d));
    const done = new Promise<number>((r) => p.on('close', (code) => {
      this.children.delete(p);
      r(code ?? -1);
    }));
    return { done, dispose: () => p.kill('SIGTERM') };
  }

  /** Kills only the ssh processes this runner started, and closes its master connection. */
  close(): void {
    for (const c of this.children) c.kill('SIGTERM');
    spawnSync('ssh', ['-F', this.env.sshConfig, '-o', `ControlPath=${this.control}`, '-O', 'exit', this.host], { stdio: 'ignore' });
  }
}

/** One fresh connection per exec until master() is called. */
export function sshRunner(env: SandboxEnv, host: string): SshRunner {
  return new SshRunner(env, host, { fresh: true });
}

/** Polls `f` until it returns a truthy value or the deadline passes (no fixed sleeps). */
export async function until<T>(what: string, deadlineMs: number, f: () => Promise<T | undefined | false>, everyMs = 100): Promise<T> {
  const end = Date.now() + deadlineMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await f();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timeout after ${deadlineMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
