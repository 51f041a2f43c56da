// "Deploy Lab" for real, minus the NixOS closure: vsim builds `nixos-rebuild switch --flake
// <checkout>#<host> --target-host root@<host>` for every host of the lab (labDeployPlans) and runs
// them at once on this machine (localStream: `sh -c` with the quote function's line), each with its
// own progress; Cancel stops them. nixos-rebuild is the sandbox's STAND-IN
// (test/sandbox/stand-ins/nixos-rebuild: REAL `nix build` of the checkout's
// nixosConfigurations.<host>.config.system.build.toplevel, REAL ssh to the target running that
// build's bin/switch-to-configuration). The checkout is a git repository of its own under .sandbox
// whose configurations are tiny derivations: their activation writes a marker on the target.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deployLab, describeDeploy } from '../../src/build/deployLab';
import { localOpener } from '../../src/build/localStream';
import { labDeployPlans } from '../../src/build/plan';
import type { Topology } from '../../src/model/types';
import { buildCommand } from '../../src/remote/quote';
import { deployFlake } from '../fixtures/deployFlake';
import { REPO, SANDBOX, sandboxEnv, SshRunner, until, type SandboxEnv } from './sshRunner';

type FabricEnv = SandboxEnv & { fabricHosts?: Record<string, unknown> };
const env = sandboxEnv() as FabricEnv | string;
const skip = typeof env === 'string' ? env : !env.fabricHosts?.['vsim-hv3'] ? 'the sandbox has no third host vsim-hv3 (restart it with this test/sandbox/sandbox.sh)' : false;
if (skip) console.log(`# SKIP deploy lab sandbox tests: ${skip}`);

const WORK = join(SANDBOX, 'deploy-lab');
const BIN = join(WORK, 'bin');
const MARKS = '/run/vsim-sandbox/deploy-lab/marks';
const HOSTS = ['vsim-hv1', 'vsim-hv3'] as const;
const runners = new Map<string, SshRunner>();

const topology = (hosts: readonly string[] = HOSTS): Topology => ({
  version: 1, name: 'deploy-lab',
  hosts: Object.fromEntries(hosts.map((h) => [h, { sshConfigHost: h, kvm: false }])),
});

/**
 * A checkout (its own git repository: nix reads a flake in git as a user's checkout is read) whose
 * `nixosConfigurations.<host>` build a toplevel with a bin/switch-to-configuration that records on
 * the target which configuration it activated, the target's hostname and its network namespace.
 * `sleepS`: the build sleeps first (for Cancel). The flake: test/fixtures/deployFlake.ts.
 */
function checkout(name: string, hosts: readonly string[], sleepS = 0): string {
  const dir = join(WORK, name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'flake.nix'), deployFlake({ hosts, marks: MARKS, name: 'vsim-deploy', sleepS }));
  for (const args of [['init', '-q'], ['add', 'flake.nix']]) {
    const r = spawnSync('git', ['-C', dir, ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  }
  return dir;
}

/** This machine's environment for nixos-rebuild: the stand-in first on PATH, the sandbox's ssh config and nix settings. */
function deployEnv(withStandIn = true): NodeJS.ProcessEnv {
  const e = env as FabricEnv;
  return {
    ...process.env,
    PATH: `${withStandIn ? `${BIN}:` : ''}/usr/local/bin:/usr/bin:/bin`,
    NIX_SSHOPTS: `-F ${e.sshConfig}`,
    NIX_CONF_DIR: join(SANDBOX, 'nix'),
    TMPDIR: join(SANDBOX, 'tmp'),
  };
}

async function mark(host: string): Promise<string> {
  const r = await runners.get(host)!.exec(['sh', '-c', `cat ${MARKS}/${host} 2>/dev/null; true`]);
  return r.stdout.trim();
}

async function netnsOf(host: string): Promise<string> {
  return (await runners.get(host)!.exec(['readlink', '/proc/self/ns/net'])).stdout.trim();
}

before(() => {
  if (skip || typeof env === 'string') return;
  rmSync(WORK, { recursive: true, force: true });
  mkdirSync(BIN, { recursive: true });
  mkdirSync(join(SANDBOX, 'tmp'), { recursive: true });
  symlinkSync(join(REPO, 'test/sandbox/stand-ins/nixos-rebuild'), join(BIN, 'nixos-rebuild'));
  for (const h of [...HOSTS, 'vsim-hv2']) runners.set(h, new SshRunner(env, h));
});

after(() => {
  if (skip) return;
  rmSync(WORK, { recursive: true, force: true });
  for (const r of runners.values()) r.close();
});

test('every host of the lab: nixos-rebuild switch --flake <checkout>#<host> --target-host root@<host>, all at once, progress per host; each host activated its own configuration', { skip }, async () => {
  const dir = checkout('lab', HOSTS);
  const plans = labDeployPlans(topology(), dir);
  assert.deepEqual(plans.map((p) => p.argv), HOSTS.map((h) => ['nixos-rebuild', 'switch', '--flake', `${dir}#${h}`, '--target-host', `root@${h}`, '--log-format', 'internal-json', '-v']));
  const progress: string[] = [];
  const lines: string[] = [];
  const done: string[] = [];
  const results = await deployLab(plans, localOpener(deployEnv(), dir), {
    onProgress: (h, text) => progress.push(`${h}: ${text}`),
    onLine: (h, l) => lines.push(`${h}: ${l}`),
    onDone: (r) => done.push(r.host),
  });
  console.log(`# deploy lab: ${describeDeploy(results)}; ${results.map((r) => `${r.host} ${r.durationMs} ms`).join(', ')}; progress ${JSON.stringify(progress)}`);
  assert.deepEqual(results.map((r) => [r.host, r.status, r.code, r.message]), HOSTS.map((h) => [h, 'succeeded', 0, undefined]), lines.join('\n'));
  assert.deepEqual(results.map((r) => r.command), plans.map((p) => buildCommand(p.argv)), 'the line run is the quote function\'s');
  assert.deepEqual(done.sort(), [...HOSTS]);
  for (const h of HOSTS) {
    assert.ok(progress.some((p) => p.startsWith(`${h}: `) && /built/.test(p)), `progress of ${h} from nix's log: ${JSON.stringify(progress)}`);
    assert.ok(lines.includes(`${h}: activated ${h}`), `${h}'s activation output reached us`);
    const [conf, action, , ns] = (await mark(h)).split(' ');
    assert.deepEqual([conf, action, ns], [h, 'switch', await netnsOf(h)], `${h} activated nixosConfigurations.${h} in its own namespace`);
  }
  assert.equal(describeDeploy(results), 'vsim-hv1 deployed, vsim-hv3 deployed');
});

test('a host the checkout has no configuration for fails with nix\'s words and its name; the others deploy', { skip }, async () => {
  const dir = checkout('partial', HOSTS); // no nixosConfigurations.vsim-hv2
  const hosts = [...HOSTS, 'vsim-hv2'];
  const results = await deployLab(labDeployPlans(topology(hosts), dir), localOpener(deployEnv(), dir));
  assert.deepEqual(results.map((r) => r.status), ['succeeded', 'succeeded', 'failed']);
  const bad = results[2]!;
  assert.match(bad.message ?? '', /^vsim-hv2 \(root@vsim-hv2\): nixos-rebuild exited with 1: .*does not provide attribute/, bad.message);
  assert.equal(await mark('vsim-hv2'), '', 'nothing activated on vsim-hv2');
  assert.equal(describeDeploy(results), 'vsim-hv1 deployed, vsim-hv3 deployed, vsim-hv2 failed');
});

test('no nixos-rebuild on this machine: every host says so', { skip }, async () => {
  const dir = checkout('nonix', HOSTS);
  const results = await deployLab(labDeployPlans(topology(), dir), localOpener(deployEnv(false), dir));
  assert.deepEqual(results.map((r) => [r.status, r.code]), [['failed', 127], ['failed', 127]]);
  assert.match(results[0]!.message ?? '', /^vsim-hv1 \(root@vsim-hv1\): nixos-rebuild exited with 127: nixos-rebuild not found/, results[0]!.message);
});

test('Cancel during the builds stops every host\'s nixos-rebuild (SIGINT to its process group): cancelled, nothing activated, no build left running', { skip }, async () => {
  for (const h of HOSTS) await runners.get(h)!.exec(['rm', '-f', `${MARKS}/${h}`]);
  const dir = checkout('slow', HOSTS, 120);
  const abort = new AbortController();
  const started = new Set<string>();
  const run = deployLab(labDeployPlans(topology(), dir), localOpener(deployEnv(), dir), {
    signal: abort.signal,
    onProgress: (h, text) => { if (/building/.test(text)) started.add(h); },
  });
  await until('both builds running', 120_000, async () => started.size === HOSTS.length, 200);
  abort.abort();
  const results = await run;
  assert.deepEqual(results.map((r) => r.status), ['cancelled', 'cancelled']);
  for (const h of HOSTS) assert.equal(await mark(h), '', `nothing activated on ${h}`);
  await until('the builders to exit', 30_000, async () => spawnSync('pgrep', ['-f', `vsim-deploy-vsim-hv`]).status !== 0, 200);
  assert.equal(describeDeploy(results), 'vsim-hv1 cancelled, vsim-hv3 cancelled');
});
