// OpenSSH on this machine as the oracle of the differential test (openssh.diff.test.ts). ssh takes `~`
// from the passwd entry, not $HOME, so every OpenSSH command runs in a private mount namespace
// (`unshare -m`) where a scratch directory is bind-mounted over that home: the real ~/.ssh is never
// read or written. The script checks a marker file in the scratch home before it runs anything.
// Commands are batched: one namespace, one shell script, many `ssh -G` / `ssh-keygen -F` / handshakes.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IncludeFs } from '../../../src/remote/sshConfigInclude';
import { nodeIncludeFs } from '../../../src/remote/sshConfigInclude';

export const REPO = path.resolve(__dirname, '../../..');
export const SSHD = '/usr/sbin/sshd';
const MARKER = '.vsim-openssh-diff-scratch';

/** Why the differential cannot run here (undefined: it can). */
export function opensshMissingReason(): string | undefined {
  try {
    const v = spawnSync('ssh', ['-V'], { encoding: 'utf8' });
    if (v.status !== 0 || !/OpenSSH/.test(v.stderr + v.stdout)) return 'OpenSSH client not found (`ssh -V` failed)';
  } catch {
    return 'OpenSSH client not found';
  }
  if (process.getuid?.() !== 0) return 'needs root for a private mount namespace (unshare -m) over the passwd home';
  const u = spawnSync('unshare', ['-m', 'true']);
  if (u.status !== 0) return `unshare -m does not work here: ${String(u.stderr).trim()}`;
  return undefined;
}

export function sshVersion(): string {
  return spawnSync('ssh', ['-V'], { encoding: 'utf8' }).stderr.trim();
}

export class Oracle {
  readonly dir: string;
  /** The scratch directory seen as the passwd home inside the namespace. */
  readonly scratchHome: string;
  /** The passwd home (the path every OpenSSH command sees, bound to scratchHome). */
  readonly home = os.userInfo().homedir;
  private n = 0;

  constructor() {
    mkdirSync(path.join(REPO, '.sandbox'), { recursive: true });
    this.dir = mkdtempSync(path.join(REPO, '.sandbox', 'openssh-diff-'));
    this.scratchHome = path.join(this.dir, 'home');
    mkdirSync(path.join(this.scratchHome, '.ssh'), { recursive: true, mode: 0o700 });
    writeFileSync(path.join(this.scratchHome, MARKER), '');
  }

  /** A path as OpenSSH sees it (under the home) → where the test writes it. */
  local(p: string): string {
    return p === this.home || p.startsWith(`${this.home}/`) ? this.scratchHome + p.slice(this.home.length) : p;
  }

  /** Include files as vsim's parser reads them outside the namespace: home paths mapped to the scratch home. */
  get fs(): IncludeFs {
    return { read: (f) => nodeIncludeFs.read(this.local(f)), list: (d) => nodeIncludeFs.list(this.local(d)) };
  }

  write(p: string, text: string, mode = 0o644): string {
    const at = this.local(p);
    mkdirSync(path.dirname(at), { recursive: true });
    writeFileSync(at, text, { mode });
    return p;
  }

  /**
   * Runs `commands` (id → argv) in one namespace, in `lanes` shell scripts side by side; returns
   * id → { code, out } (stdout and stderr together).
   */
  run(commands: ReadonlyArray<{ id: string; argv: readonly string[] }>, env: Record<string, string> = {}, lanes = 3): Map<string, { code: number; out: string }> {
    const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
    const batch = this.n++;
    const laneFiles = Array.from({ length: lanes }, (_x, i) => path.join(this.dir, `run-${batch}-${i}`));
    laneFiles.forEach((f, i) => {
      const mine = commands.filter((_c, j) => j % lanes === i);
      writeFileSync(`${f}.sh`, mine.map((c) => `${c.argv.map(q).join(' ')} 2>&1; printf '\\n@@END %s %s\\n' ${q(c.id)} $?`).join('\n') + '\n');
    });
    const main = [
      `[ -e ${q(path.join(this.home, MARKER))} ] || { echo 'scratch home not mounted' >&2; exit 97; }`,
      'exec </dev/null',
      ...laneFiles.map((f) => `sh ${q(`${f}.sh`)} > ${q(`${f}.out`)} &`),
      'wait',
    ];
    const script = path.join(this.dir, `run-${batch}.sh`);
    writeFileSync(script, `${main.join('\n')}\n`);
    const r = spawnSync('unshare', ['-m', 'sh', '-c', 'mount --bind "$0" "$1" && exec sh "$2"', this.scratchHome, this.home, script], {
      encoding: 'utf8', maxBuffer: 256 << 20, env: { ...process.env, ...env },
    });
    if (r.status !== 0) throw new Error(`OpenSSH batch failed (${r.status}): ${r.stderr}`);
    const out = new Map<string, { code: number; out: string }>();
    for (const f of laneFiles) {
      let buf: string[] = [];
      for (const line of readFileSync(`${f}.out`, 'utf8').split('\n')) {
        const m = /^@@END (\S+) (\d+)$/.exec(line);
        if (m) {
          if (buf.length && buf[buf.length - 1] === '') buf.pop();
          out.set(m[1] as string, { code: Number(m[2]), out: buf.join('\n') });
          buf = [];
        } else buf.push(line);
      }
    }
    return out;
  }

  keygen(name: string, type = 'ed25519'): { file: string; blob: Buffer; type: string; line: string } {
    const file = path.join(this.dir, name);
    execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', name, '-f', file]);
    const line = execFileSync('cat', [`${file}.pub`], { encoding: 'utf8' }).trim();
    const [t, b64] = line.split(' ');
    return { file, blob: Buffer.from(b64 as string, 'base64'), type: t as string, line: `${t} ${b64}` };
  }

  /** An sshd_config for `sshd -i` as a ProxyCommand (no port): its host key and one authorized client key. */
  sshdConfig(hostKey: string, clientPub: string): string | undefined {
    if (!existsSync(SSHD)) return undefined;
    const auth = path.join(this.dir, 'authorized_keys');
    writeFileSync(auth, `${clientPub}\n`, { mode: 0o600 });
    const cfg = path.join(this.dir, 'sshd_config');
    writeFileSync(cfg, [
      `HostKey ${hostKey}`, `AuthorizedKeysFile ${auth}`, 'UsePAM no', 'PasswordAuthentication no',
      'KbdInteractiveAuthentication no', 'StrictModes no', 'PidFile none', 'LogLevel QUIET', 'PermitRootLogin yes', '',
    ].join('\n'));
    return cfg;
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
