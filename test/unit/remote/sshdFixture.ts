// A real OpenSSH sshd on 127.0.0.1 for tests and benchmarks (see ../shared notes, "sshd, isolated"):
// own host key, client key and config in REPO/.sandbox/test-sshd-*, a free port, stopped by its pid
// (and the session processes it forked). Used by sshd.test.ts and bench/ssh-command.bench.ts.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const SSHD = '/usr/sbin/sshd';
export const REPO = path.resolve(__dirname, '../../..');

export function sshdMissingReason(): string | undefined {
  if (!existsSync(SSHD)) return `${SSHD} not found (install openssh-server)`;
  if (process.getuid?.() !== 0) return 'sshd privilege separation needs root here';
  return undefined;
}

export interface KeyPair {
  file: string;
  pub: string;
  blob: Buffer;
  type: string;
}

export function keygen(file: string, passphrase = '', type = 'ed25519'): KeyPair {
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-C', path.basename(file), '-f', file]);
  const pub = readFileSync(`${file}.pub`, 'utf8').trim();
  const [t, b64] = pub.split(' ');
  return { file, pub, blob: Buffer.from(b64 as string, 'base64'), type: t as string };
}

/** Polls a condition with a deadline (no fixed sleeps). */
export async function waitFor(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Polls until the server sends its SSH banner or the deadline passes. */
async function waitForBanner(port: number, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  let last = '';
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.setTimeout(500);
      s.once('data', (d) => { s.destroy(); resolve(d.toString().startsWith('SSH-')); });
      s.once('error', (e) => { last = e.message; resolve(false); });
      s.once('timeout', () => { s.destroy(); resolve(false); });
    });
    if (ok) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`sshd on port ${port} did not answer in ${deadlineMs} ms (${last})`);
}

function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(d));
      children.set(ppid, list);
    } catch {
      // process gone
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

export class TestSshd {
  readonly dir: string;
  readonly hostKey: KeyPair;
  readonly clientKey: KeyPair;
  readonly user = os.userInfo().username;
  port = 0;
  private proc: ChildProcess | undefined;
  private stderr = '';

  /**
   * `loginShell`: the login user's shell (e.g. /usr/bin/tcsh), set WITHOUT touching the host's
   * /etc/passwd: sshd runs in a private mount namespace of its own (`unshare -m`) where a copy of
   * /etc/passwd with that shell (and this fixture's directory as home, for rc files) is bind-mounted
   * over the real one; the mount goes away with sshd's last process. `maxSessions`: sshd's
   * MaxSessions (channels per connection; default 32).
   */
  constructor(prefix = 'test-sshd-', private readonly opts: { loginShell?: string; maxSessions?: number } = {}) {
    mkdirSync(path.join(REPO, '.sandbox'), { recursive: true });
    this.dir = mkdtempSync(path.join(REPO, '.sandbox', prefix));
    this.hostKey = keygen(path.join(this.dir, 'ssh_host_ed25519_key'));
    this.clientKey = keygen(path.join(this.dir, 'id_client'));
    writeFileSync(path.join(this.dir, 'authorized_keys'), `${this.clientKey.pub}\n`);
  }

  /** Extra keys the server accepts (e.g. an encrypted one). */
  authorize(key: KeyPair): void {
    writeFileSync(path.join(this.dir, 'authorized_keys'), `${this.clientKey.pub}\n${key.pub}\n`);
  }

  async start(port?: number): Promise<void> {
    this.port = port ?? await freePort();
    mkdirSync('/run/sshd', { recursive: true });
    const cfg = path.join(this.dir, 'sshd_config');
    writeFileSync(cfg, [
      'ListenAddress 127.0.0.1',
      `Port ${this.port}`,
      `HostKey ${this.hostKey.file}`,
      `AuthorizedKeysFile ${path.join(this.dir, 'authorized_keys')}`,
      `PidFile ${path.join(this.dir, 'sshd.pid')}`,
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'AllowTcpForwarding yes',
      `MaxSessions ${this.opts.maxSessions ?? 32}`,
      'LogLevel ERROR',
      '',
    ].join('\n'));
    this.stderr = '';
    const argv = [SSHD, '-D', '-e', '-f', cfg];
    const proc = this.opts.loginShell
      ? spawn('unshare', ['-m', '--propagation', 'private', '--', 'sh', '-c', 'mount --bind "$1" /etc/passwd && shift && exec "$@"', 'sh', this.passwdCopy(this.opts.loginShell), ...argv], { stdio: ['ignore', 'ignore', 'pipe'] })
      : spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'] });
    proc.stderr?.on('data', (d: Buffer) => { this.stderr += d.toString(); });
    this.proc = proc;
    const exited = new Promise<never>((_, reject) => proc.once('exit', (c) => reject(new Error(`sshd exited (${c}): ${this.stderr}`))));
    await Promise.race([waitForBanner(this.port, 10_000), exited]);
  }

  /** The home of the login user in a `loginShell` sshd (rc files go here). */
  get home(): string {
    return path.join(this.dir, 'home');
  }

  /** A copy of /etc/passwd in which this user's shell is `shell` and home is this.home. */
  private passwdCopy(shell: string): string {
    mkdirSync(this.home, { recursive: true });
    const lines = readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => {
      const f = l.split(':');
      if (f[0] !== this.user || f.length < 7) return l;
      f[5] = this.home;
      f[6] = shell;
      return f.join(':');
    });
    const file = path.join(this.dir, 'passwd');
    writeFileSync(file, lines.join('\n'));
    return file;
  }

  /** Kills our sshd and every session process it forked (SIGKILL: like a crash). */
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p?.pid || p.exitCode !== null) return;
    const pids = [p.pid, ...descendants(p.pid)];
    const gone = new Promise((r) => p.once('exit', r));
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await gone;
    this.proc = undefined;
  }

  /** An ssh_config for OpenSSH clients (benchmarks, cross-checks). */
  writeClientConfig(alias: string, knownHosts: string): string {
    const file = path.join(this.dir, 'ssh_config');
    writeFileSync(file, [
      `Host ${alias}`,
      '  HostName 127.0.0.1',
      `  Port ${this.port}`,
      `  User ${this.user}`,
      `  IdentityFile ${this.clientKey.file}`,
      '  IdentitiesOnly yes',
      `  UserKnownHostsFile ${knownHosts}`,
      '  StrictHostKeyChecking yes',
      '  IdentityAgent none',
      '',
    ].join('\n'));
    return file;
  }

  /** `DIR/NAME` pinning this sshd's key (what a client that trusts it reads); its path. */
  writeKnownHosts(name = 'known_hosts'): string {
    const file = path.join(this.dir, name);
    writeFileSync(file, `${this.knownHostsLine()}\n`);
    return file;
  }

  knownHostsLine(): string {
    return `[127.0.0.1]:${this.port} ${this.hostKey.type} ${this.hostKey.blob.toString('base64')}`;
  }

  async stop(): Promise<void> {
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
