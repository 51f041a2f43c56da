// Console throughput: vsim's console data path (the pooled ssh2 connection, shell.stream with a pty,
// ConsoleSession: StringDecoder + startup noise filter + pass-through chunks — exactly what a console
// terminal runs, minus VS Code's renderer) against raw OpenSSH on the same sandbox host, same run.
// Payload: `head -c SIZE /dev/zero | base64` on vsim-hv1 (base64 lines, like a chatty console).
// Rows: OpenSSH without and with a pty (`ssh -tt`), piped to `wc -c`; vsim with a pty (the console
// path) and without one. OpenSSH times include its handshake; "net" subtracts the median time of
// `ssh host true`. vsim's connection is opened before timing (a console reuses the pooled one).
// Run (sandbox up: bash test/sandbox/sandbox.sh up):
//   node --import tsx bench/console-throughput.bench.ts [MiB=50] [runs=3]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConsoleSession } from '../src/console/session';
import { KnownHostsPolicy } from '../src/remote/hostKeyPolicy';
import { SshPool } from '../src/remote/pool';
import { resolveEndpoint } from '../src/remote/sshConfig';

const REPO = path.resolve(__dirname, '..');
const CFG = path.join(REPO, '.sandbox', 'ssh', 'config');
const HOST = 'vsim-hv1';
const MIB = Number(process.argv[2] ?? 50);
const RUNS = Number(process.argv[3] ?? 3);
const PAYLOAD = `head -c ${MIB * 1024 * 1024} /dev/zero | base64`;

interface Sample { ms: number; bytes: number }

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function openssh(args: string[], countOutput: boolean): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const cmd = `ssh -F ${CFG} ${args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')} </dev/null${countOutput ? ' | wc -c' : ' >/dev/null'}`;
    const p = spawn('sh', ['-c', cmd], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.once('exit', (code) => {
      const ms = performance.now() - t0;
      if (code !== 0) reject(new Error(`${cmd} exited ${code}`));
      else resolve({ ms, bytes: countOutput ? Number(out.trim()) : 0 });
    });
  });
}

async function main(): Promise<void> {
  if (!existsSync(CFG)) {
    console.log('skipped: no sandbox (.sandbox/ssh/config); run bash test/sandbox/sandbox.sh up as root');
    return;
  }
  const pool = new SshPool({
    hostKeys: new KnownHostsPolicy({ askTrust: async () => false }),
    askPassphrase: async () => undefined,
    agentSocket: '',
  });
  const host = pool.get(resolveEndpoint({ name: HOST, sshConfigHost: HOST }, () => undefined, readFileSync(CFG, 'utf8')));
  await host.shell.execOk(['true']); // connect before timing

  /** The same ssh2 channel read with no console code at all: what ConsoleSession adds is the difference. */
  async function bare(pty: boolean): Promise<Sample> {
    const t0 = performance.now();
    const ch = await host.shell.stream(['sh', '-c', PAYLOAD], pty ? { pty: { cols: 120, rows: 40 } } : {});
    let bytes = 0;
    ch.on('data', (d: Buffer) => { bytes += d.length; });
    await new Promise<void>((resolve) => ch.once('close', () => resolve()));
    return { ms: performance.now() - t0, bytes };
  }

  async function vsim(pty: boolean): Promise<Sample> {
    const t0 = performance.now();
    const ch = await host.shell.stream(['sh', '-c', PAYLOAD], pty ? { pty: { cols: 120, rows: 40 } } : {});
    const s = new ConsoleSession(ch, { pty });
    let chars = 0;
    s.onData((d) => { chars += d.length; });
    await new Promise<void>((resolve) => s.onEnd(() => resolve()));
    if (chars === 0) throw new Error('no output');
    return { ms: performance.now() - t0, bytes: s.bytes };
  }

  const handshake: number[] = [];
  for (let i = 0; i < 5; i++) handshake.push((await openssh([HOST, 'true'], false)).ms);
  const hs = median(handshake);

  const ways: [string, () => Promise<Sample>, boolean][] = [
    ['OpenSSH, no pty (ssh host CMD, piped to wc -c)', () => openssh([HOST, PAYLOAD], true), true],
    ['OpenSSH, pty (ssh -tt host CMD, piped to wc -c)', () => openssh(['-tt', HOST, PAYLOAD], true), true],
    ['vsim console path, pty (shell.stream + ConsoleSession)', () => vsim(true), false],
    ['ssh2 channel alone, pty (shell.stream, bytes counted)', () => bare(true), false],
    ['vsim stream, no pty (shell.stream + ConsoleSession)', () => vsim(false), false],
    ['ssh2 channel alone, no pty', () => bare(false), false],
  ];
  const rows: { name: string; runs: number; bytes: number; medianMs: number; netMs: number; mbPerS: number }[] = [];
  try {
    // Interleaved runs, so load changes on the machine hit every way alike.
    const samples = new Map<string, Sample[]>(ways.map(([n]) => [n, []]));
    for (let r = 0; r < RUNS; r++) {
      for (const [name, fn] of ways) samples.get(name)!.push(await fn());
    }
    for (const [name, , includesHandshake] of ways) {
      const s = samples.get(name)!;
      const ms = median(s.map((x) => x.ms));
      const net = includesHandshake ? Math.max(1, ms - hs) : ms;
      const bytes = median(s.map((x) => x.bytes));
      rows.push({ name, runs: s.length, bytes, medianMs: ms, netMs: net, mbPerS: bytes / 1e6 / (net / 1000) });
    }
  } finally {
    pool.dispose();
  }
  const ref = rows[1]!.mbPerS; // OpenSSH with a pty: the fair reference for a console
  const raw = rows[0]!.mbPerS;
  console.log(`payload: ${PAYLOAD} on ${HOST}; ${RUNS} runs each (median); OpenSSH handshake+exec (ssh host true): ${hs.toFixed(0)} ms, subtracted ("net")`);
  console.log('| way | bytes | median ms | net ms | MB/s | × OpenSSH no pty | × OpenSSH pty |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    console.log(`| ${r.name} | ${r.bytes} | ${r.medianMs.toFixed(0)} | ${r.netMs.toFixed(0)} | ${r.mbPerS.toFixed(1)} | ${(r.mbPerS / raw).toFixed(2)} | ${(r.mbPerS / ref).toFixed(2)} |`);
  }
  const outDir = path.join(REPO, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  // The table's rows (bench/run.mjs): vsim beside OpenSSH, same payload, same run.
  const by = (prefix: string) => rows.find((r) => r.name.startsWith(prefix));
  const summary = ([['vsim console path, pty', 'OpenSSH, pty', 'console throughput, pty (serial console path)', 'ssh -tt HOST cat-like'],
    ['vsim stream, no pty', 'OpenSSH, no pty', 'console throughput, no pty', 'ssh HOST cat-like']] as const).flatMap(([mine, theirs, measure, label]) => {
    const a = by(mine);
    const b = by(theirs);
    return a && b ? [{ measure, value: a.mbPerS, unit: 'MB/s', goal: '≥ 90% of raw ssh', versus: { label: `OpenSSH ${label}`, value: b.mbPerS }, ratio: a.mbPerS / b.mbPerS, met: a.mbPerS / b.mbPerS >= 0.9 }] : [];
  });
  writeFileSync(path.join(outDir, 'console-throughput.json'), `${JSON.stringify({ date: new Date().toISOString(), payload: PAYLOAD, host: HOST, handshakeMs: hs, rows, summary }, null, 2)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
