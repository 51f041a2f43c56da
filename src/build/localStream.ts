// A build stream on THIS machine (Deploy Lab runs nixos-rebuild from the local checkout): `sh -c`
// with the command line the one quote function builds (src/remote/quote.ts: the line logged is the
// line run, as on a host), in a process group of its own so that Cancel's SIGINT reaches nix and the
// ssh it started as Ctrl-C in a terminal would. Same shape as the SSH stream channel runBuild reads
// (src/build/runner.ts), without a pty. No vscode import.
import { spawn } from 'node:child_process';
import { buildCommand } from '../remote/quote';
import type { BuildChannel, OpenStream } from './runner';

/** Opens local processes with `env` (the caller's environment plus NIX_SSHOPTS and the like). */
export function localOpener(env: NodeJS.ProcessEnv, cwd?: string): OpenStream {
  return async (argv) => {
    const line = buildCommand(argv);
    const child = spawn('sh', ['-c', line], { env, cwd, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
    const signalGroup = (name: NodeJS.Signals): void => {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
      try { process.kill(-child.pid, name); } catch { /* already gone */ }
    };
    const exitListeners: ((code: number | null, signal?: string) => void)[] = [];
    const closeListeners: (() => void)[] = [];
    // sh itself could not start: said as its output, exit 126 (cannot execute).
    child.on('error', (err) => {
      child.stderr.emit('data', Buffer.from(`sh: ${err.message}\n`));
      for (const l of exitListeners) l(126);
      for (const l of closeListeners) l();
    });
    child.on('exit', (code, signal) => { for (const l of exitListeners) l(code, signal ?? undefined); });
    child.on('close', () => { for (const l of closeListeners) l(); });
    child.stdin.on('error', () => undefined);
    const ch: BuildChannel = {
      on(event: 'data' | 'exit' | 'close', listener: never): unknown {
        if (event === 'data') child.stdout.on('data', listener);
        else if (event === 'exit') exitListeners.push(listener);
        else closeListeners.push(listener);
        return ch;
      },
      stderr: { on: (event: 'data', listener: (d: Buffer) => void) => child.stderr.on(event, listener) },
      write: (data: string) => child.stdin.write(data),
      signal: (name: string) => signalGroup(`SIG${name}` as NodeJS.Signals),
      // Hang-up, as a closed SSH channel gives its pty (nix stops as on SIGINT); never SIGKILL.
      close: () => signalGroup('SIGHUP'),
    };
    return ch;
  };
}
