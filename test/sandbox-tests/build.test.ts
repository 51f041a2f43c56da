// "Build image" against REAL programs: the build runner (src/build/runner.ts) over a REAL ssh2 exec
// channel (the extension's SshPool + ControlShell.stream) to the sandbox's hv1 (OpenSSH 9.2), which
// runs the REAL `nix build` (Nix 2.8) of nix/examples/tiny-image and test/fixtures/slow-flake.
// hv1 is a network namespace on this machine, so /nix and the repo are the same files there.
// Skips with the reason when the sandbox is not up (.sandbox/env.json absent).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeFailure, runBuild, type BuildOutcome, type OpenStream } from '../../src/build/runner';
import { nixBuildCommand } from '../../src/nix/commands';
import type { BuildProgress } from '../../src/nix/progress';
import { KnownHostsPolicy } from '../../src/remote/hostKeyPolicy';
import { SshPool, type PooledHost } from '../../src/remote/pool';
import { STAGE_ENV_ARGV, stagedPath } from '../../src/remote/secretEnv';
import { resolveSshDestination } from '../../src/remote/sshConfig';
import { REPO, SANDBOX, sandboxEnv, until } from './sshRunner';

const env = sandboxEnv();
const skip = typeof env === 'string' ? env : false;
if (skip) console.log(`# skipping build sandbox tests: ${skip}`);

const STATE = join(SANDBOX, 'nix-build');
/** The sandbox note's Nix configuration; Nix's caches under .sandbox, not root's home. */
const NIX_ENV = {
  NIX_CONFIG: ['build-users-group =', 'sandbox = false', 'substituters =', 'experimental-features = nix-command flakes'].join('\n'),
  XDG_CACHE_HOME: join(STATE, 'cache'),
  // Builders' temp dirs (nix-build-*) here, not in the machine's /tmp.
  TMPDIR: join(STATE, 'tmp'),
};
const TINY = `path:${join(REPO, 'nix/examples/tiny-image')}`;
const SLOW = `path:${join(REPO, 'test/fixtures/slow-flake')}#default`;
// '[s]' so that pgrep does not find the sh that runs it (its argv holds the pattern).
const SLOW_SLEEP = '[s]leep 86399.25';
const figures: Record<string, unknown> = {};

let pool: SshPool;
let hv1: PooledHost;
let open: OpenStream;

before(async () => {
  if (skip || typeof env === 'string') return;
  pool = new SshPool({ hostKeys: new KnownHostsPolicy({ askTrust: async () => false }), askPassphrase: async () => undefined, agentSocket: '', readyTimeoutMs: 15_000 });
  hv1 = pool.get(resolveSshDestination('vsim-hv1', readFileSync(env.sshConfig, 'utf8')));
  open = (argv, opts) => hv1.shell.stream(argv, opts);
  mkdirSync(NIX_ENV.TMPDIR, { recursive: true });
});

after(() => {
  pool?.dispose();
  if (Object.keys(figures).length) {
    mkdirSync(join(REPO, 'test-results'), { recursive: true });
    writeFileSync(join(REPO, 'test-results', 'sandbox-build.json'), `${JSON.stringify(figures, null, 2)}\n`);
  }
});

async function sh(script: string, ...args: string[]): Promise<{ stdout: string; code: number }> {
  return hv1.shell.exec(['sh', '-c', script, 'sh', ...args], { timeoutMs: 60_000 });
}

const envArgs = (): string[] => Object.entries(NIX_ENV).map(([k, v]) => `${k}=${v}`);

/** The extension's staging (src/commands/build/buildUi.ts): the environment on stdin into a private file. */
const stageEnv = async (script: string): Promise<string> => stagedPath((await hv1.shell.execOk(STAGE_ENV_ARGV, { stdin: script })).stdout);

function build(flakeRef: string, opts: { signal?: AbortSignal; onProgress?: (p: BuildProgress) => void; onLine?: (l: string) => void } = {}): Promise<BuildOutcome> {
  return runBuild({ argv: nixBuildCommand(flakeRef, { offline: true }), env: NIX_ENV, open, stageEnv, ...opts });
}

test('the build environment reaches the command but no command line on hv1 (ps), and its staged file is gone', { skip }, async () => {
  const secret = 'access-tokens = example.invalid=vsim_s3cr3t_token';
  const lines: string[] = [];
  // While the command runs, every process's argv on hv1 (hv1 shares this machine's pid namespace).
  const probe = 'env | grep -c "^NIX_CONFIG=access-tokens" ; ps -eo args | grep -c "[v]sim_s3cr3t" ; ls "$TMPDIR" | grep -c "^vsim-env\\." ; true';
  const o = await runBuild({ argv: ['sh', '-c', probe], env: { NIX_CONFIG: secret }, open, stageEnv, onLine: (l) => lines.push(l) });
  assert.equal(o.code, 0, o.tail.join('\n'));
  assert.deepEqual(lines, ['1', '0', '0'], 'NIX_CONFIG set in the command; no argv holds the token; the staged file was deleted');
});

test('ssh vsim-hv1 nix --version', { skip }, async () => {
  const r = await hv1.shell.exec(['nix', '--version']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /^nix \(Nix\) 2\.\d+/);
  figures.nixVersion = r.stdout.trim();
});

test('tiny-image#default: real build over the ssh2 channel, progress 0/1 → 1/1, current build, store path', { skip }, async () => {
  // Make sure it really builds: delete a previous output (no GC root: --no-link).
  const ev = await sh('env "$@" nix eval --raw "$0#default.outPath"'.replace('$0', TINY), ...envArgs());
  assert.equal(ev.code, 0, ev.stdout);
  const outPath = ev.stdout.trim();
  await sh('env "$@" nix store delete "$P" >/dev/null 2>&1; true'.replace('$P', outPath), ...envArgs());

  const events: { built: number; total: number; current: string[] }[] = [];
  const lines: string[] = [];
  const o = await build(`${TINY}#default`, { onProgress: (p) => events.push({ built: p.built, total: p.total, current: [...p.current] }), onLine: (l) => lines.push(l) });
  assert.equal(o.status, 'succeeded', o.tail.join('\n'));
  assert.deepEqual(o.outPaths, [outPath]);
  assert.ok(events.some((e) => e.total === 1 && e.built === 0), 'saw 0/1');
  assert.ok(events.some((e) => e.current.includes('vsim-tiny-image')), 'saw the derivation being built');
  assert.deepEqual([o.progress.built, o.progress.total], [1, 1]);
  assert.deepEqual(o.progress.logLines.map((l) => l.line), ['vsim tiny image: step 1/2, writing image', 'vsim tiny image: step 2/2, done']);
  assert.ok(lines.some((l) => l.startsWith('@nix {')), 'the full log has the @nix lines');
  const cat = await hv1.shell.exec(['cat', `${outPath}/image.txt`]);
  assert.equal(cat.stdout, 'vsim tiny image\n');
  figures.tinyBuildMs = Math.round(o.durationMs);
  figures.tinyProgressEvents = events.length;

  // Built already: a second build has nothing to do, and still returns the path.
  const again = await build(`${TINY}#default`);
  assert.equal(again.status, 'succeeded');
  assert.deepEqual(again.outPaths, [outPath]);
  figures.tinyCachedMs = Math.round(again.durationMs);
});

test('tiny-image#failing: the failing derivation and its last log lines', { skip }, async () => {
  const o = await build(`${TINY}#failing`);
  assert.equal(o.status, 'failed');
  assert.equal(o.code, 1);
  assert.equal(o.progress.failed?.drv, 'vsim-tiny-image-failing');
  const f = describeFailure(o, 'vsim-hv1');
  assert.equal(f.summary, 'build of vsim-tiny-image-failing failed on vsim-hv1');
  assert.ok(f.lastLines.includes("vsim tiny image: this build fails on purpose (package 'failing')"), f.detail);
  assert.match(f.detail, /failed with exit code 1/);
});

async function slowBuilderPids(): Promise<string[]> {
  const r = await sh('pgrep -f "$1" || true', SLOW_SLEEP);
  return r.stdout.split('\n').filter(Boolean);
}

test('cancel a slow build: Ctrl-C on the pty, nix exits, the builder and its temp dir are gone', { skip }, async () => {
  assert.deepEqual(await slowBuilderPids(), [], 'no slow builder left over from an earlier run');
  const ac = new AbortController();
  let sleeping = false;
  const p = build(SLOW, { signal: ac.signal, onLine: (l) => { if (l.includes('this takes a day')) sleeping = true; } });
  let dirs: { stdout: string };
  try {
    await until('the slow derivation to be building', 60_000, async () => sleeping, 20);
    // The builder prints its line, then starts sleep.
    // Its sh and the sleep (both have the pattern in their argv).
    await until('the builder (sleep) to run on hv1', 5_000, async () => (await slowBuilderPids()).length >= 1, 20);
    dirs = await sh('ls -d "$1"/nix-build-vsim-slow-build.drv-* 2>/dev/null || true', NIX_ENV.TMPDIR);
    assert.notEqual(dirs.stdout.trim(), '', 'the builder has its temp dir under .sandbox/nix-build/tmp');
  } finally {
    ac.abort();
  }
  const o = await p;
  assert.equal(o.status, 'cancelled');
  assert.equal(o.cancelledBy, 'ctrl-c');
  assert.equal(o.code, 1);
  assert.ok(o.progress.current.length === 0 || o.progress.current.includes('vsim-slow-build'));
  await until('the builder to be gone', 5_000, async () => (await slowBuilderPids()).length === 0, 20);
  const nixLeft = await sh('pgrep -f "$1" || true', '[s]low-flake#default');
  assert.equal(nixLeft.stdout.trim(), '', 'no nix process left');
  for (const d of dirs.stdout.split('\n').filter(Boolean)) {
    const left = await sh('test -e "$1" && echo left || true', d);
    assert.equal(left.stdout.trim(), '', `temp dir ${d} removed`);
  }
  figures.cancelLatencyMs = Math.round(o.cancelLatencyMs ?? -1);
});

test('proof: OpenSSH refuses the SSH signal request for root sessions (why Cancel uses Ctrl-C on a pty)', { skip }, async () => {
  // Without a pty, the build's pid is printed first so that the test can clean up by pid.
  const ch = await hv1.shell.stream(['sh', '-c', 'echo "PID $$"; exec env "$@"', 'sh', ...envArgs(), ...nixBuildCommand(SLOW, { offline: true })]);
  let out = '';
  let err = '';
  let exited = false;
  ch.on('data', (d: Buffer) => { out += d.toString(); });
  ch.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  ch.on('exit', () => { exited = true; });
  try {
    await until('the slow derivation to be building', 60_000, async () => err.includes('this takes a day'), 20);
    const pid = /PID (\d+)/.exec(out)?.[1];
    assert.ok(pid);
    ch.signal('INT');
    // Give sshd ample time to act on it (a delivered SIGINT ends nix within ~100 ms).
    const t0 = Date.now();
    await until('1.5 s to pass with nix still running', 5_000, async () => Date.now() - t0 > 1500, 50);
    assert.equal(exited, false, 'the signal request had no effect');
    const alive = await sh('kill -0 "$1" && echo alive', pid);
    assert.equal(alive.stdout.trim(), 'alive');
    figures.signalRequestRefusedForRoot = true;
    // Clean up exactly that process, as the note says: SIGINT (never SIGKILL).
    await sh('kill -INT "$1"', pid);
    await until('nix to exit after a direct SIGINT', 5_000, async () => exited, 20);
    await until('the builder to be gone', 5_000, async () => (await slowBuilderPids()).length === 0, 20);
  } finally {
    ch.close();
  }
});
