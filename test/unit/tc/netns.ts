// A throwaway network namespace for real tc tests: `unshare -n sleep` holds it, `nsenter` runs
// commands in it; close() kills the holder (by its pid), which frees the namespace and its devices.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

export class Netns {
  private constructor(private readonly holder: ChildProcess, readonly pid: number) {}

  /** undefined (with the reason) when namespaces cannot be created here. */
  static open(): Netns | string {
    const userns = process.getuid?.() === 0 ? [] : ['-r'];
    const probe = spawnSync('unshare', [...userns, '-n', 'true'], { encoding: 'utf8' });
    if (probe.status !== 0) return `cannot create a network namespace: ${probe.stderr.trim() || probe.error?.message}`;
    const holder = spawn('unshare', [...userns, '-n', 'sleep', '120'], { stdio: 'ignore' });
    if (!holder.pid) return 'unshare did not start';
    return new Netns(holder, holder.pid);
  }

  /**
   * A namespace for a test file's real tests: open, ready, and `setup` run in it (each command asserted
   * to exit 0; the namespace is closed when one fails); the reason when namespaces cannot be created here.
   */
  static openWith(setup: readonly (readonly string[])[] = []): Netns | string {
    const ns = Netns.open();
    if (typeof ns === 'string') return ns;
    try {
      assert.ok(ns.ready(), 'namespace ready');
      for (const argv of setup) {
        const r = ns.run(argv);
        assert.equal(r.status, 0, `${argv.join(' ')}: ${r.stderr}`);
      }
      return ns;
    } catch (err) {
      ns.close();
      throw err;
    }
  }

  run(argv: readonly string[], input?: string): RunResult {
    const userns = process.getuid?.() === 0 ? [] : ['-U', '--preserve-credentials'];
    const r = spawnSync('nsenter', ['-t', String(this.pid), ...userns, '-n', '--', ...argv], { encoding: 'utf8', input });
    return { status: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }

  /** Waits (with a deadline) until the holder's namespace differs from ours. */
  ready(deadlineMs = 2000): boolean {
    const end = Date.now() + deadlineMs;
    const own = spawnSync('readlink', ['/proc/self/ns/net'], { encoding: 'utf8' }).stdout.trim();
    while (Date.now() < end) {
      const r = spawnSync('readlink', [`/proc/${this.pid}/ns/net`], { encoding: 'utf8' }).stdout.trim();
      if (r && r !== own) return true;
    }
    return false;
  }

  close(): void {
    this.holder.kill('SIGKILL');
  }
}
