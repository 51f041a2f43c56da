// microvm bring-up on the sandbox's hv2 (real systemd, real nix): a slot of our own, `ob-mv1`,
// whose runner is built by the REAL `nix build …#nixosConfigurations.ob-mv1.config.microvm.declaredRunner
// --out-link /var/lib/microvms/ob-mv1/current` from test/fixtures/microvm-runner-flake (a STAND-IN
// for a NixOS host flake: tiny derivations shaped like microvm.nix's runner; it does not boot).
// Drift as microvm -l: not built → built (not booted) → "booted" (the link microvm@'s ExecStartPre
// makes, set by hand here) = current → flake changed: outdated (only with evaluate) → provision again
// → stale (booted ≠ current) → deprovision: `current` removed, the slot directory kept.
// The sandbox's own slots are only read (in the same round trip).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createMicrovmBackend } from '../../src/backends/microvm/backend';
import type { Topology } from '../../src/model/types';
import { context, sandboxTopology, writeFigures } from './lab';
import { REPO, SANDBOX, sandboxEnv } from './sshRunner';

const env = sandboxEnv();
const skip = typeof env === 'string' ? env : false;
if (skip) console.log(`# SKIP ob- microvm provision tests: ${skip}`);

const VM = 'ob-mv1';
const STATE_DIR = '/var/lib/microvms';
const FLAKE_DIR = join(SANDBOX, 'ob', 'microvm-flake');
const NIX = {
  config: ['build-users-group =', 'sandbox = false', 'substituters =', 'experimental-features = nix-command flakes'].join('\n'),
  environment: { XDG_CACHE_HOME: join(SANDBOX, 'ob', 'nix-cache') },
};
const topo: Topology = sandboxTopology();
topo.hosts = { ...topo.hosts, 'vsim-hv2': { ...topo.hosts['vsim-hv2'], flake: `path:${FLAKE_DIR}` } };
topo.vms = { ...topo.vms, [VM]: { host: 'vsim-hv2', backend: 'microvm', accel: 'tcg', memory: 128 } };
const figures: Record<string, unknown> = {};
let ctx: ReturnType<typeof context>;
let notMicrovm: string | false = false;
const b = createMicrovmBackend({ nix: NIX });
const prov = b.provisioner;

function writeFlake(marker: string): void {
  rmSync(FLAKE_DIR, { recursive: true, force: true });
  mkdirSync(FLAKE_DIR, { recursive: true });
  cpSync(join(REPO, 'test/fixtures/microvm-runner-flake/flake.nix'), join(FLAKE_DIR, 'flake.nix'));
  const f = join(FLAKE_DIR, 'flake.nix');
  writeFileSync(f, readFileSync(f, 'utf8').replace('marker = "1";', `marker = "${marker}";`));
}

const sh = (script: string, ...args: string[]) => ctx.run.exec(['sh', '-c', script, 'sh', ...args]);

before(async () => {
  if (typeof env === 'string') return;
  ctx = context(env, topo, 'vsim-hv2');
  const probe = await ctx.run.exec(['systemctl', 'is-system-running']);
  if (/not been booted with systemd|Failed to connect to bus/.test(probe.stderr + probe.stdout)) {
    notMicrovm = 'vsim-hv2 is not the systemd microvm host right now; see test/sandbox/microvm/README.md';
    console.log(`# SKIP ob- microvm provision tests: ${notMicrovm}`);
  }
  mkdirSync(NIX.environment.XDG_CACHE_HOME, { recursive: true });
  await sh('rm -rf "$1"', `${STATE_DIR}/${VM}`);
});
after(async () => {
  if (typeof env === 'string') return;
  await sh('rm -rf "$1"', `${STATE_DIR}/${VM}`).catch(() => undefined);
  ctx.run.close();
  writeFigures('ob-microvm-provision', figures);
});

test('ob-mv: not built → provision (real nix build, out-link current) → booted = current → outdated (evaluate) → provision → stale → deprovision', { skip }, async (t) => {
  if (notMicrovm) return t.skip(notMicrovm);
  assert.ok(prov, 'microvm has a provisioner');
  writeFlake('1');
  let t0 = performance.now();
  const calls = ctx.run.calls.length;
  const first = await prov.inspect(ctx, [VM, 'slot1', 'slot2', 'slot3']);
  figures.inspect4Ms = Math.round(performance.now() - t0);
  assert.equal(ctx.run.calls.length - calls, 1, 'one round trip for four VMs');
  assert.deepEqual([first[VM]?.exists, first[VM]?.running, first[VM]?.drift], [false, false, 'not-built']);
  assert.equal(first.slot1?.exists, true, 'the sandbox slot1 has a runner');
  assert.equal(first.slot1?.running, true, 'slot1 is autostarted');
  assert.equal(first.slot1?.drift, undefined, `slot1 runs its current runner (${JSON.stringify(first.slot1)})`);

  t0 = performance.now();
  await prov.provision(ctx, VM);
  figures.provisionMs = Math.round(performance.now() - t0);
  const built = await prov.inspect(ctx, [VM]);
  assert.deepEqual([built[VM]?.exists, built[VM]?.running, built[VM]?.drift, built[VM]?.detail], [true, false, undefined, `systemctl start microvm@${VM}.service`]);
  const link = (await sh('readlink "$1"', `${STATE_DIR}/${VM}/current`)).stdout.trim();
  assert.match(link, /^\/nix\/store\/[a-z0-9]{32}-microvm-qemu-ob-mv1$/);
  // Idempotent: the same flake builds the same path.
  await prov.provision(ctx, VM);
  assert.equal((await sh('readlink "$1"', `${STATE_DIR}/${VM}/current`)).stdout.trim(), link);

  // What microvm@'s ExecStartPre does on boot: booted → current (the stand-in runner cannot boot).
  await sh('ln -sfn "$(readlink "$1/current")" "$1/booted"', `${STATE_DIR}/${VM}`);
  assert.equal((await prov.inspect(ctx, [VM]))[VM]?.drift, undefined, 'booted = current');

  writeFlake('2');
  assert.equal((await prov.inspect(ctx, [VM]))[VM]?.drift, undefined, 'without evaluate the change is not seen');
  t0 = performance.now();
  const ev = await prov.inspect(ctx, [VM], { evaluate: true });
  figures.inspectEvaluateMs = Math.round(performance.now() - t0);
  assert.equal(ev[VM]?.drift, 'outdated', JSON.stringify(ev[VM]));
  assert.match(ev[VM]?.detail ?? '', /microvm -Ru ob-mv1/);

  await prov.provision(ctx, VM);
  const stale = await prov.inspect(ctx, [VM], { evaluate: true });
  assert.equal(stale[VM]?.drift, 'stale', JSON.stringify(stale[VM]));
  assert.deepEqual([stale[VM]?.spec?.booted, stale[VM]?.spec?.current], ['1', '2'], 'microvm -l versions of booted and current');
  assert.equal(stale[VM]?.restartNeeded, undefined, 'not running: nothing to restart');
  assert.notEqual((await sh('readlink "$1"', `${STATE_DIR}/${VM}/current`)).stdout.trim(), link);

  await sh('rm -f "$1/booted"; echo keep > "$1/data.img"', `${STATE_DIR}/${VM}`);
  await prov.deprovision(ctx, VM);
  const gone = await prov.inspect(ctx, [VM]);
  assert.deepEqual([gone[VM]?.exists, gone[VM]?.drift], [false, 'not-built']);
  assert.equal((await sh('cat "$1/data.img"', `${STATE_DIR}/${VM}`)).stdout.trim(), 'keep', 'the slot\'s data stays');
  console.log(`# ob-mv figures: ${JSON.stringify(figures)}`);
});

test('ob-mv: a host without a flake and a VM without image.flake: provision says what is missing', { skip }, async (t) => {
  if (notMicrovm) return t.skip(notMicrovm);
  assert.ok(prov);
  const t2 = structuredClone(topo);
  delete t2.hosts['vsim-hv2']?.flake;
  await assert.rejects(prov.provision({ ...ctx, topology: t2 }, VM), /host vsim-hv2 has no `flake`/);
});
