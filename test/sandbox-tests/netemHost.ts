// The netem host (test/sandbox/netem): brings it up with its own up.sh (idempotent), and gives the
// tests an OpenSSH CommandRunner on it, its topology (test/fixtures/netem.vsim.yaml) and ping
// measurements between its endpoints (network namespaces ep1..ep3 inside the guest).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../src/model/analyze';
import type { Topology } from '../../src/model/types';
import { REPO, SshRunner, type SandboxEnv } from './sshRunner';

export const NETEM_HOST = 'vsim-netem';
export const NETEM_DIR = process.env.VSIM_NETEM_DIR ?? join(REPO, '.sandbox', 'netem');

export interface NetemEnv extends SandboxEnv {
  endpoints: Record<string, { tap: string; ip: string; mac: string; netns: string }>;
}

/** Runs up.sh (it returns at once when the host is already up); the env, or why it is not up. */
export function netemUp(): NetemEnv | string {
  const r = spawnSync('bash', [join(REPO, 'test/sandbox/netem/up.sh')], { encoding: 'utf8', timeout: 400_000 });
  if (r.status !== 0) return `test/sandbox/netem/up.sh failed (exit ${r.status ?? r.signal}): ${(r.stderr ?? '').trim().split('\n').slice(-8).join(' | ')}`;
  const f = join(NETEM_DIR, 'env.json');
  if (!existsSync(f)) return `${f} absent after up.sh`;
  return JSON.parse(readFileSync(f, 'utf8')) as NetemEnv;
}

export function netemTopology(): Topology {
  const a = analyze(readFileSync(join(REPO, 'test/fixtures/netem.vsim.yaml'), 'utf8'));
  if (!a.topology) throw new Error('test/fixtures/netem.vsim.yaml does not parse');
  return a.topology;
}

export function netemRunner(env: NetemEnv): SshRunner {
  const run = new SshRunner(env, NETEM_HOST);
  run.master();
  return run;
}

export interface PingStats {
  sent: number;
  received: number;
  /** Round-trip times of the replies (ms), in arrival order. */
  rtts: number[];
}

/** busybox ping's output: "64 bytes from …: seq=0 ttl=64 time=52.265 ms", "N packets transmitted, M packets received". */
export function parsePing(stdout: string): PingStats {
  const rtts = [...stdout.matchAll(/ time=([0-9.]+) ms/g)].map((m) => Number(m[1]));
  const s = /(\d+) packets transmitted, (\d+) packets received/.exec(stdout);
  if (!s) throw new Error(`no ping summary in: ${stdout.slice(-300)}`);
  return { sent: Number(s[1]), received: Number(s[2]), rtts };
}

/** Pings `toIp` from endpoint `from` (inside the guest): `count` echo requests `intervalS` apart. */
export async function ping(run: SshRunner, from: string, toIp: string, count: number, intervalS = 0.1): Promise<PingStats> {
  const r = await run.exec(['ip', 'netns', 'exec', from, 'ping', '-q', '-c', String(count), '-i', String(intervalS), '-W', '2', toIp], { timeoutMs: 120_000 });
  // -q prints only the summary; per-packet times come from a second, small run when needed.
  const stats = parsePing(r.stdout);
  return stats;
}

/** Pings with per-reply times (not -q), for RTT bounds. */
export async function pingTimes(run: SshRunner, from: string, toIp: string, count: number, intervalS = 0.2): Promise<PingStats> {
  const r = await run.exec(['ip', 'netns', 'exec', from, 'ping', '-c', String(count), '-i', String(intervalS), '-W', '2', toIp], { timeoutMs: 120_000 });
  return parsePing(r.stdout);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
