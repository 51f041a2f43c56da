// microvm provisioner: readlink -m lines → links (a path that resolves to itself is no link), drift
// → InspectedVm (restartNeeded only for a running VM on an older build), the runner's flake ref,
// inspect in one exec (with the evaluation only when asked), provision / deprovision argv.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createMicrovmBackend } from '../../../src/backends/microvm/backend';
import { INSPECT_SCRIPT, inspectedMicrovm, linksFrom, provisionArgv, provisionCommand, runnerFlakeRef } from '../../../src/backends/microvm/provisioner';
import type { Topology } from '../../../src/model/types';
import { ctxFor, fakeRunner, unmarked } from '../fakes/runner';

const D = '/var/lib/microvms';
const topo: Topology = {
  version: 1,
  hosts: { hv: { address: 'x', flake: '/etc/nixos' } },
  vms: {
    slot1: { host: 'hv', backend: 'microvm', slot: 'slot1' },
    slot2: { host: 'hv', backend: 'microvm', slot: 'slot2', image: { flake: '.#nixosConfigurations.slot2.config.microvm.declaredRunner' } },
  },
} as Topology;
const R1 = '/nix/store/aaa-microvm-qemu-slot1';
const R2 = '/nix/store/bbb-microvm-qemu-slot1';
const S1 = '/nix/store/sss-nixos-system-slot1-25.05.1';
const S2 = '/nix/store/ttt-nixos-system-slot1-25.05.2';

test('linksFrom: 4 lines per VM; unresolved links and a runner without a system are absent', () => {
  const body = [
    R1, R2, S1, S2,
    `${D}/slot2/booted`, `${D}/slot2/current`, `${D}/slot2/booted/share/microvm/system`, `${D}/slot2/current/share/microvm/system`,
  ].join('\n');
  assert.deepEqual(linksFrom(['slot1', 'slot2'], body, D), { slot1: { booted: R1, current: R2, bootedSystem: S1, currentSystem: S2 }, slot2: {} });
  assert.deepEqual(linksFrom(['x'], [`${D}/x/booted`, R1, `${D}/x/booted/share/microvm/system`, `${R1}/share/microvm/system`].join('\n'), D), { x: { current: R1 } });
});

test('inspectedMicrovm: not built / not booted / current / stale (restart offered when running) / outdated', () => {
  assert.deepEqual(inspectedMicrovm('slot1', {}, false), { exists: false, running: false, detail: 'build it: microvm -c slot1', drift: 'not-built' });
  assert.deepEqual(inspectedMicrovm('slot1', { current: R1 }, false).detail, 'systemctl start microvm@slot1.service');
  const same = inspectedMicrovm('slot1', { booted: R1, current: R1, bootedSystem: S1, currentSystem: S1 }, true);
  assert.deepEqual([same.exists, same.running, same.drift, same.restartNeeded, same.spec], [true, true, undefined, undefined, { current: '25.05.1', booted: '25.05.1' }]);
  const stale = inspectedMicrovm('slot1', { booted: R1, current: R2, bootedSystem: S1, currentSystem: S2 }, true);
  assert.deepEqual([stale.drift, stale.restartNeeded], ['stale', true]);
  assert.equal(inspectedMicrovm('slot1', { booted: R1, current: R2, bootedSystem: S1, currentSystem: S2 }, false).restartNeeded, undefined);
  const out = inspectedMicrovm('slot1', { booted: R1, current: R1, bootedSystem: S1, currentSystem: S1 }, true, S2);
  assert.deepEqual([out.drift, out.restartNeeded], ['outdated', undefined], 'outdated: rebuild first, then restart');
  assert.match(out.detail ?? '', /microvm -Ru slot1/);
});

test('runnerFlakeRef: host flake + declaredRunner attribute, or the VM\'s image.flake resolved against it; missing flake explained', () => {
  assert.equal(runnerFlakeRef(topo, 'slot1'), '/etc/nixos#nixosConfigurations.slot1.config.microvm.declaredRunner');
  assert.equal(runnerFlakeRef(topo, 'slot2'), '/etc/nixos#nixosConfigurations.slot2.config.microvm.declaredRunner');
  const t2 = structuredClone(topo);
  delete t2.hosts.hv?.flake;
  assert.throws(() => runnerFlakeRef(t2, 'slot1'), /host hv has no `flake`/);
  assert.throws(() => runnerFlakeRef(t2, 'slot2'), /relative, but host hv has no `flake`/);
  const build = ['nix', 'build', '-L', '--log-format', 'internal-json', '-v', '--json',
    '--out-link', `${D}/slot1/current`, '/etc/nixos#nixosConfigurations.slot1.config.microvm.declaredRunner'];
  assert.deepEqual(provisionArgv(topo, 'slot1', D), build);
  const cmd = provisionCommand(topo, 'slot1', D, { config: 'access-tokens = github.com=secret' });
  assert.deepEqual(cmd.argv.slice(4), build);
  assert.ok(!cmd.argv.join(' ').includes('secret'), 'the value is not in the argv');
  assert.equal(cmd.stdin, "export NIX_CONFIG='access-tokens = github.com=secret'\n");
});

test('inspect: ONE exec for all VMs; evaluation only with evaluate; provision mkdir + build; deprovision stop + rm current', async () => {
  const units = ['Id=microvm@slot1.service', 'LoadState=loaded', 'ActiveState=active', 'SubState=running', 'MainPID=7', '',
    'Id=microvm@slot2.service', 'LoadState=loaded', 'ActiveState=inactive', 'SubState=dead', 'MainPID=0', ''].join('\n');
  const links = [R1, R2, S1, S2, `${D}/slot2/booted`, `${D}/slot2/current`, `${D}/slot2/booted/share/microvm/system`, `${D}/slot2/current/share/microvm/system`].join('\n');
  const run = fakeRunner((argv) => ({ stdout: `@@vsim units\n${units}\n@@vsim links\n${links}\n${argv.includes('/etc/nixos') ? `@@vsim eval slot1\n${S2}\n@@vsim eval slot2\nerror: no such attribute\n@@vsim eval-failed slot2\n` : ''}` }));
  const b = createMicrovmBackend();
  const ctx = ctxFor(topo, 'hv', run);
  const prov = b.provisioner;
  assert.ok(prov);
  const i = await prov.inspect(ctx, ['slot1', 'slot2']);
  assert.equal(run.calls.length, 1);
  assert.equal(unmarked(run.calls[0]?.[2]), INSPECT_SCRIPT);
  assert.deepEqual(run.calls[0]?.slice(3), ['vsim', D, '', 'slot1', 'slot2']);
  assert.deepEqual([i.slot1?.running, i.slot1?.drift, i.slot1?.restartNeeded], [true, 'stale', true]);
  assert.deepEqual([i.slot2?.exists, i.slot2?.drift], [false, 'not-built']);
  const e = await prov.inspect(ctx, ['slot1', 'slot2'], { evaluate: true });
  assert.deepEqual(run.calls[1]?.slice(3, 5), ['vsim', D]);
  assert.equal(run.calls[1]?.[5], '/etc/nixos');
  assert.equal(e.slot1?.drift, 'stale', 'current = evaluation: built, not booted yet');
  assert.match(e.slot2?.detail ?? '', /evaluation of \/etc\/nixos failed/);
  run.calls.length = 0;
  await prov.provision(ctx, 'slot1');
  assert.deepEqual(run.calls[0], ['mkdir', '-p', '--', `${D}/slot1`]);
  assert.deepEqual(run.calls[1]?.slice(0, 2), ['nix', 'build']);
  run.calls.length = 0;
  await prov.deprovision(ctx, 'slot1');
  assert.deepEqual(run.calls, [['systemctl', 'stop', 'microvm@slot1.service'], ['rm', '-f', '--', `${D}/slot1/current`]]);
  assert.deepEqual(prov.declared(topo, 'slot1'), {});
});
