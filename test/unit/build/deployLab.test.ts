// Deploy Lab's parts without a sandbox: the nixos-rebuild command per host (labDeployPlans), and
// deployLab over REAL local processes (localStream: sh -c, own process group) standing for
// nixos-rebuild: outcome and progress per host, failures naming host and target, Cancel by SIGINT
// to each process group, a program that is not installed. The end-to-end run against the sandbox's
// hosts is test/sandbox-tests/deployLab.test.ts.
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deployLab, describeDeploy } from '../../../src/build/deployLab';
import { localOpener } from '../../../src/build/localStream';
import { labDeployPlans, type LabDeployPlan } from '../../../src/build/plan';
import type { Topology } from '../../../src/model/types';

const topo: Topology = {
  version: 1,
  hosts: {
    hv1: { sshConfigHost: 'lab-hv1' },
    hv2: { address: '10.0.0.2', user: 'deploy' },
    jumpy: { address: '10.0.0.3', proxyJump: 'bastion' },
    nowhere: {},
  },
};

test('one nixos-rebuild per host: --flake <checkout>#<host> --target-host <user>@<alias or address>', () => {
  const plans = labDeployPlans(topo, '/home/me/infra', ['hv1', 'hv2']);
  assert.deepEqual(plans.map((p) => p.argv), [
    ['nixos-rebuild', 'switch', '--flake', '/home/me/infra#hv1', '--target-host', 'root@lab-hv1', '--log-format', 'internal-json', '-v'],
    ['nixos-rebuild', 'switch', '--flake', '/home/me/infra#hv2', '--target-host', 'deploy@10.0.0.2', '--log-format', 'internal-json', '-v'],
  ]);
  assert.deepEqual(plans.map((p) => [p.host, p.target, p.flakeRef]), [['hv1', 'root@lab-hv1', '/home/me/infra#hv1'], ['hv2', 'deploy@10.0.0.2', '/home/me/infra#hv2']]);
  assert.match(plans[0]!.title, /Deploying hv1 \(nixos-rebuild switch --target-host root@lab-hv1\)/);
});

test('hosts nixos-rebuild cannot reach as the topology says, and bad checkouts, are refused with the reason', () => {
  assert.throws(() => labDeployPlans(topo, '/infra', ['jumpy']), /jumpy sets port\/identityFile\/proxyJump without sshConfigHost/);
  assert.throws(() => labDeployPlans(topo, '/infra', ['nowhere']), /nowhere has neither sshConfigHost nor address/);
  assert.throws(() => labDeployPlans(topo, '/infra', ['ghost']), /No host named ghost/);
  assert.throws(() => labDeployPlans(topo, '/my infra', ['hv1']), /Invalid flake reference/);
  assert.throws(() => labDeployPlans({ version: 1, hosts: { 'a;b': { address: 'x' } } }, '/infra'), /Invalid flake reference/);
});

const plan = (host: string, script: string): LabDeployPlan => ({ host, target: `root@${host}`, argv: ['sh', '-c', script], title: host, flakeRef: `/x#${host}` });
const NIX_PROGRESS = [
  `echo '@nix {"action":"start","id":1,"level":3,"type":104,"text":"","fields":[]}' >&2`,
  `echo '@nix {"action":"result","id":1,"type":105,"fields":[0,1,0,0]}' >&2`,
  `echo '@nix {"action":"result","id":1,"type":105,"fields":[1,1,0,0]}' >&2`,
  `echo '@nix {"action":"stop","id":1}' >&2`,
].join('; ');

test('all hosts at once: each its own outcome, progress and lines; a failure names the host, its target and what it said', async () => {
  const lines: string[] = [];
  const progress: string[] = [];
  const results = await deployLab([
    plan('a', `${NIX_PROGRESS}; echo "activating a"`),
    plan('b', `echo 'error: cannot connect to b' >&2; exit 1`),
  ], localOpener(process.env), { onLine: (h, l) => lines.push(`${h}: ${l}`), onProgress: (h, t) => progress.push(`${h}: ${t}`) });
  assert.deepEqual(results.map((r) => [r.host, r.status, r.code]), [['a', 'succeeded', 0], ['b', 'failed', 1]]);
  assert.ok(lines.includes('a: activating a'), lines.join('\n'));
  assert.ok(progress.includes('a: 1/1 built'), JSON.stringify(progress));
  assert.equal(results[1]!.message, 'b (root@b): nixos-rebuild exited with 1: error: cannot connect to b');
  assert.equal(results[0]!.command, `sh -c '${NIX_PROGRESS.replace(/'/g, `'\\''`)}; echo "activating a"'`, 'the line run, as the quote function writes it');
  assert.equal(describeDeploy(results), 'a deployed, b failed');
});

test('Cancel: SIGINT to every host\'s process group ends them all (children too), cancelled', async () => {
  const abort = new AbortController();
  const started = new Set<string>();
  // The child sleep stands for nix under nixos-rebuild: a signal to the shell alone would not stop it.
  const marker = `61.${process.pid}`;
  const run = deployLab(['a', 'b'].map((h) => plan(h, `echo started; sleep ${marker} & wait`)), localOpener(process.env), {
    signal: abort.signal,
    onLine: (h, l) => { if (l === 'started') started.add(h); },
  });
  for (let i = 0; i < 200 && started.size < 2; i++) await new Promise((r) => setTimeout(r, 25));
  assert.equal(started.size, 2, 'both started');
  abort.abort();
  const results = await run;
  assert.deepEqual(results.map((r) => r.status), ['cancelled', 'cancelled']);
  for (let i = 0; i < 100 && spawnSync('pgrep', ['-f', `sleep ${marker}`]).status === 0; i++) await new Promise((r) => setTimeout(r, 20));
  assert.notEqual(spawnSync('pgrep', ['-f', `sleep ${marker}`]).status, 0, 'the children are gone too');
});

test('nixos-rebuild not installed here: exit 127, said as such', async () => {
  const [r] = await deployLab([{ host: 'a', target: 'root@a', argv: ['vsim-no-such-nixos-rebuild', 'switch'], title: 'a', flakeRef: '/x#a' }], localOpener(process.env));
  assert.deepEqual([r!.status, r!.code], ['failed', 127]);
  assert.equal(r!.message, 'a (root@a): nixos-rebuild exited with 127: vsim-no-such-nixos-rebuild not found on this machine');
});
