// N commands on ONE host at once (issue 20 item 7: multi-select Start/Destroy of many VMs), against
// a real local sshd, side by side in one run:
//   (a) vsim, control shells (Promise.all of N exec)   (b) vsim, own channels (`channel: true`, as virsh start/destroy)
//   (c) OpenSSH: `xargs -P 8 ssh -F cfg host CMD`      (d) vsim bounded to 1 command at a time (what one serialized control shell did)
// CMD is `sleep 0.25` (a virsh start takes 0.4–0.9 s on the sandbox). Goal: (a) ≤ 1.2× (c).
// Run: node --import tsx bench/host-concurrency.bench.ts [N] [repeats]   (root, /usr/sbin/sshd needed)
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { KnownHostsPolicy } from '../src/remote/hostKeyPolicy';
import { SshPool } from '../src/remote/pool';
import { measure, type SummaryRow } from './lib/stats';
import { sshdMissingReason, TestSshd, REPO } from '../test/unit/remote/sshdFixture';

const N = Number(process.argv[2] ?? 32);
const REPEATS = Number(process.argv[3] ?? 3);
const CMD = ['sleep', '0.25'];

async function main(): Promise<void> {
  const skip = sshdMissingReason();
  if (skip) {
    console.log(`skipped: ${skip}`);
    return;
  }
  const sshd = new TestSshd('bench-sshd-conc-');
  await sshd.start();
  const kh = sshd.writeKnownHosts();
  const cfg = sshd.writeClientConfig('vsim-bench-conc', kh);
  const pools: SshPool[] = [];
  const host = (maxConcurrentCommands?: number) => {
    const pool = new SshPool({ hostKeys: new KnownHostsPolicy({ askTrust: async () => false }), askPassphrase: async () => undefined, agentSocket: '', ...(maxConcurrentCommands ? { maxConcurrentCommands } : {}) });
    pools.push(pool);
    return pool.get({ alias: 'vsim-bench-conc', host: '127.0.0.1', port: sshd.port, user: sshd.user, identityFiles: [sshd.clientKey.file], knownHostsFiles: [kh], strictHostKeyChecking: 'yes' });
  };
  try {
    const h = host();
    const serial = host(1);
    const all = (f: () => Promise<unknown>) => async () => { await Promise.all(Array.from({ length: N }, f)); };
    const shells = await measure(REPEATS, all(() => h.shell.execOk(CMD)), 1);
    const channels = await measure(REPEATS, all(() => h.shell.execOk(CMD, { channel: true })), 1);
    const openssh = await measure(REPEATS, () => new Promise<void>((resolve, reject) => {
      const p = spawn('xargs', ['-P', '8', '-n', '1', 'ssh', '-F', cfg, 'vsim-bench-conc'], { stdio: ['pipe', 'ignore', 'inherit'] });
      p.once('exit', (c) => (c === 0 ? resolve() : reject(new Error(`xargs exited ${c}`))));
      p.stdin.end(`${Array.from({ length: N }, () => `'${CMD.join(' ')}'`).join('\n')}\n`);
    }), 1);
    const one = await measure(1, all(() => serial.shell.execOk(CMD, { timeoutMs: 600_000 })), 0);
    console.log(`${N} × \`${CMD.join(' ')}\` on one host; vsim in flight at most ${h.shell.stats.maxInFlight}, ${h.shell.stats.shellsStarted} shells started`);
    console.log('| way | median ms | p10 | p90 | × OpenSSH xargs -P 8 |');
    console.log('|---|---|---|---|---|');
    for (const [name, s] of [['(a) vsim, control shells', shells], ['(b) vsim, own channels', channels], ['(c) OpenSSH xargs -P 8', openssh], ['(d) vsim, one at a time', one]] as const) {
      console.log(`| ${name} | ${s.median.toFixed(0)} | ${s.p10.toFixed(0)} | ${s.p90.toFixed(0)} | ${(s.median / openssh.median).toFixed(2)} |`);
    }
    const summary: SummaryRow[] = [
      { measure: `${N} commands on one host at once, vsim control shells`, value: shells.median, unit: 'ms', spread: `p10 ${shells.p10.toFixed(0)}–p90 ${shells.p90.toFixed(0)}`, goal: '≤ 1.2× xargs -P 8 OpenSSH',
        versus: { label: 'xargs -P 8 ssh, same sshd', value: openssh.median }, ratio: shells.median / openssh.median, met: shells.median <= 1.2 * openssh.median },
      { measure: `${N} commands on one host at once, vsim own channels`, value: channels.median, unit: 'ms', goal: '≤ 1.2× xargs -P 8 OpenSSH',
        versus: { label: 'xargs -P 8 ssh, same sshd', value: openssh.median }, ratio: channels.median / openssh.median, met: channels.median <= 1.2 * openssh.median },
      { measure: `${N} commands on one host, one at a time (the serialized shell)`, value: one.median, unit: 'ms', versus: { label: 'vsim control shells, 8 at once', value: shells.median }, ratio: one.median / shells.median },
    ];
    const outDir = path.join(REPO, 'bench', 'results');
    mkdirSync(outDir, { recursive: true });
    writeFileSync(path.join(outDir, 'host-concurrency.json'), JSON.stringify({ date: new Date().toISOString(), n: N, shells, channels, openssh, one, summary }, null, 2));
  } finally {
    for (const p of pools) p.dispose();
    await sshd.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
