// One trivial command against a real local sshd, three ways:
//   (a) the control shell (one persistent sh channel), (b) a fresh exec channel on the open ssh2
//   connection, (c) a fresh OpenSSH process `ssh -F cfg host true`.
// Run: node --import tsx bench/ssh-command.bench.ts [iterations]   (root, /usr/sbin/sshd needed)
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { KnownHostsPolicy } from '../src/remote/hostKeyPolicy';
import { SshPool } from '../src/remote/pool';
import { stats, type SummaryRow } from './lib/stats';
import { sshdMissingReason, TestSshd, REPO } from '../test/unit/remote/sshdFixture';

const N = Number(process.argv[2] ?? 50);


async function time(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  await fn(); // warm-up
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn();
    out.push(performance.now() - t0);
  }
  return out;
}

async function main(): Promise<void> {
  const skip = sshdMissingReason();
  if (skip) {
    console.log(`skipped: ${skip}`);
    return;
  }
  const sshd = new TestSshd('bench-sshd-');
  await sshd.start();
  const kh = sshd.writeKnownHosts();
  const cfg = sshd.writeClientConfig('vsim-bench', kh);
  const pool = new SshPool({
    hostKeys: new KnownHostsPolicy({ askTrust: async () => false }),
    askPassphrase: async () => undefined,
    agentSocket: '',
  });
  try {
    const h = pool.get({
      alias: 'vsim-bench', host: '127.0.0.1', port: sshd.port, user: sshd.user, identityFiles: [sshd.clientKey.file],
      knownHostsFiles: [kh], strictHostKeyChecking: 'yes',
    });
    const shell = await time(N, () => h.shell.execOk(['true']));
    const exec = await time(N, async () => {
      const ch = await h.connection.exec('true');
      await new Promise((r) => { ch.once('close', r); ch.resume(); ch.stderr.resume(); ch.end(); });
    });
    const openssh = await time(Math.min(N, 30), () => new Promise<void>((resolve, reject) => {
      const p = spawn('ssh', ['-F', cfg, 'vsim-bench', 'true'], { stdio: 'ignore' });
      p.once('exit', (c) => (c === 0 ? resolve() : reject(new Error(`ssh exited ${c}`))));
    }));
    const rows = [
      ['(a) control shell', stats(shell), shell.length],
      ['(b) exec channel, open conn', stats(exec), exec.length],
      ['(c) OpenSSH ssh -F cfg', stats(openssh), openssh.length],
    ] as const;
    const base = rows[0][1].median;
    console.log(`one trivial command (\`true\`) against a local sshd; handshakes for vsim-bench: ${pool.handshakes('vsim-bench')}`);
    console.log('| way | n | median ms | p10 ms | p90 ms | max ms | × control shell |');
    console.log('|---|---|---|---|---|---|---|');
    for (const [name, s, n] of rows) {
      console.log(`| ${name} | ${n} | ${s.median.toFixed(2)} | ${s.p10.toFixed(2)} | ${s.p90.toFixed(2)} | ${s.max.toFixed(2)} | ${(s.median / base).toFixed(0)}× |`);
    }
    const outDir = path.join(REPO, 'bench', 'results');
    mkdirSync(outDir, { recursive: true });
    const [sh, ex, os] = [rows[0][1], rows[1][1], rows[2][1]];
    const summary: SummaryRow[] = [
      { measure: 'one trivial remote command, control shell', value: sh.median, unit: 'ms', spread: `p10 ${sh.p10.toFixed(2)}–p90 ${sh.p90.toFixed(2)}`,
        goal: '≤ 2 ms', versus: { label: 'exec channel on the open connection', value: ex.median }, ratio: sh.median / ex.median, met: sh.median <= 2 },
      { measure: 'one trivial remote command, fresh OpenSSH `ssh host true`', value: os.median, unit: 'ms', versus: { label: 'control shell', value: sh.median }, ratio: os.median / sh.median },
      { measure: 'SSH handshakes per host per session', value: pool.handshakes('vsim-bench'), unit: '', goal: '1', met: pool.handshakes('vsim-bench') === 1 },
    ];
    writeFileSync(path.join(outDir, 'ssh-command.json'), JSON.stringify({
      date: new Date().toISOString(), handshakes: pool.handshakes('vsim-bench'),
      rows: rows.map(([name, s]) => ({ name, ...s })), summary,
    }, null, 2));
  } finally {
    pool.dispose();
    await sshd.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
