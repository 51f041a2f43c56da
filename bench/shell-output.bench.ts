// Reading a large output (issue 20 item 8) against a real local sshd, side by side in one run:
//   (a) the control shell, (b) an own channel of vsim (exec fallback), (c) a bare ssh2 exec channel
//   on the same connection collecting chunks (the linear floor), (d) OpenSSH `ssh host CMD`.
// Linearity: time per MiB at 32 MiB vs at 4 MiB (1.0 = linear; the O(n²) reader was ~6.5×).
// Run: node --import tsx bench/shell-output.bench.ts [repeats]   (root, /usr/sbin/sshd needed)
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { KnownHostsPolicy } from '../src/remote/hostKeyPolicy';
import { SshPool } from '../src/remote/pool';
import { measure, type SummaryRow } from './lib/stats';
import { sshdMissingReason, TestSshd, REPO } from '../test/unit/remote/sshdFixture';

const REPEATS = Number(process.argv[2] ?? 3);
const MiB = 1024 * 1024;
const cmd = (mib: number): string[] => ['head', '-c', String(mib * MiB), '/dev/zero'];

async function main(): Promise<void> {
  const skip = sshdMissingReason();
  if (skip) {
    console.log(`skipped: ${skip}`);
    return;
  }
  const sshd = new TestSshd('bench-sshd-out-');
  await sshd.start();
  const kh = sshd.writeKnownHosts();
  const cfg = sshd.writeClientConfig('vsim-bench-out', kh);
  const pool = new SshPool({ hostKeys: new KnownHostsPolicy({ askTrust: async () => false }), askPassphrase: async () => undefined, agentSocket: '' });
  try {
    const h = pool.get({ alias: 'vsim-bench-out', host: '127.0.0.1', port: sshd.port, user: sshd.user, identityFiles: [sshd.clientKey.file], knownHostsFiles: [kh], strictHostKeyChecking: 'yes' });
    const check = (n: number, mib: number): void => { if (n !== mib * MiB) throw new Error(`read ${n} bytes, expected ${mib * MiB}`); };
    const ways = {
      shell: (mib: number) => async () => check(Buffer.byteLength((await h.shell.execOk(cmd(mib), { timeoutMs: 300_000 })).stdout), mib),
      channel: (mib: number) => async () => check(Buffer.byteLength((await h.shell.execOk(cmd(mib), { channel: true, timeoutMs: 300_000 })).stdout), mib),
      bare: (mib: number) => async () => {
        const ch = await h.connection.exec(cmd(mib).join(' '));
        const parts: Buffer[] = [];
        ch.on('data', (d: Buffer) => parts.push(d));
        ch.stderr.resume();
        await new Promise((r) => ch.once('close', r));
        check(Buffer.byteLength(Buffer.concat(parts).toString('utf8')), mib);
      },
      openssh: (mib: number) => () => new Promise<void>((resolve, reject) => {
        const p = spawn('ssh', ['-F', cfg, 'vsim-bench-out', cmd(mib).join(' ')], { stdio: ['ignore', 'pipe', 'ignore'] });
        let n = 0;
        p.stdout.on('data', (d: Buffer) => { n += d.length; });
        p.once('exit', (c) => (c === 0 && n === mib * MiB ? resolve() : reject(new Error(`ssh exited ${c} after ${n} bytes`))));
      }),
    };
    const res: Record<string, Record<number, number>> = {};
    console.log('| way | 4 MiB ms | 16 MiB ms | 32 MiB ms | per MiB at 32 / at 4 |');
    console.log('|---|---|---|---|---|');
    for (const [name, way] of Object.entries(ways)) {
      res[name] = {};
      for (const mib of [4, 16, 32]) res[name][mib] = (await measure(REPEATS, way(mib), 1)).median;
      const r = res[name];
      console.log(`| ${name} | ${r[4]?.toFixed(0)} | ${r[16]?.toFixed(0)} | ${r[32]?.toFixed(0)} | ${((r[32] as number) / 32 / ((r[4] as number) / 4)).toFixed(2)} |`);
    }
    const s = res.shell as Record<number, number>;
    const linear = (s[32] as number) / 32 / ((s[4] as number) / 4);
    const summary: SummaryRow[] = [
      { measure: 'read 32 MiB of output, control shell', value: s[32] as number, unit: 'ms', goal: '≤ 2× a bare exec channel', versus: { label: 'bare ssh2 exec channel, same connection', value: res.bare?.[32] as number },
        ratio: (s[32] as number) / (res.bare?.[32] as number), met: (s[32] as number) <= 2 * (res.bare?.[32] as number) },
      { measure: 'read 32 MiB of output, vsim own channel', value: res.channel?.[32] as number, unit: 'ms', versus: { label: 'OpenSSH ssh host CMD', value: res.openssh?.[32] as number },
        ratio: (res.channel?.[32] as number) / (res.openssh?.[32] as number) },
      { measure: 'control shell output: time per MiB at 32 MiB / at 4 MiB', value: linear, unit: '×', goal: '≤ 1.5 (linear)', met: linear <= 1.5 },
    ];
    const outDir = path.join(REPO, 'bench', 'results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path.join(outDir, 'shell-output.json'), JSON.stringify({ date: new Date().toISOString(), medians: res, summary }, null, 2));
  } finally {
    pool.dispose();
    await sshd.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
