import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createMicrovmBackend, MicrovmUnitError, vmState, vmStateArgv } from '../../../src/backends/microvm/backend';
import type { Topology } from '../../../src/model/types';
import { ctxFor, fakeRunner, localRunner } from '../fakes/runner';
import { socatConsoleArgv } from '../../../src/backends/serialSocket';

const topo: Topology = {
  version: 1,
  hosts: { hv2: { address: 'x' } },
  vms: {
    slot1: { host: 'hv2', backend: 'microvm', slot: 'slot1' },
    slot2: { host: 'hv2', backend: 'microvm', slot: 'slot2' },
    slot3: { host: 'hv2', backend: 'microvm', slot: 'slot3' },
    ghost: { host: 'hv2', backend: 'microvm' },
  },
};

const SHOW = [
  'MainPID=41', 'Id=microvm@slot1.service', 'LoadState=loaded', 'ActiveState=active', 'SubState=running', 'Result=success', '',
  'MainPID=0', 'Id=microvm@slot2.service', 'LoadState=loaded', 'ActiveState=failed', 'SubState=failed', 'Result=exit-code', '',
  'MainPID=0', 'Id=microvm@slot3.service', 'LoadState=loaded', 'ActiveState=inactive', 'SubState=dead', 'Result=success', '',
  'MainPID=0', 'Id=microvm@ghost.service', 'LoadState=loaded', 'ActiveState=inactive', 'SubState=dead', 'Result=success',
].join('\n');

const VMSTATE = `\x1b[0;32m[INFO]\x1b[0m States and assignments:

SLOT            STATE           RUNNING    ZFS DATASET
----            -----           -------    -----------
slot1           slot1           yes        microvms/storage/states/slot1
slot2           experiment      no         microvms/storage/states/experiment
slot3           slot3           no         microvms/storage/states/slot3

[INFO] Available states (ZFS datasets):
microvms/storage/states/experiment
`;

test('list: ONE exec of a constant sh script; states, portable state, booted/current drift, missing runner', async () => {
  const run = fakeRunner(() => ({
    stdout: ['@@vsim units', SHOW, '@@vsim units-rc 0', '@@vsim vm-state', VMSTATE, '@@vsim vm-state-rc 0', '@@vsim links',
      'slot1\t/var/lib/microvms/.store/aaa-microvm-qemu-slot1\t/var/lib/microvms/.store/bbb-microvm-qemu-slot1',
      'slot2\t\t/var/lib/microvms/.store/ccc-microvm-qemu-slot2',
      'slot3\t\t/var/lib/microvms/.store/ddd-microvm-qemu-slot3',
      'ghost\t\t', ''].join('\n'),
  }));
  const l = await createMicrovmBackend().list(ctxFor(topo, 'hv2', run), ['slot1', 'slot2', 'slot3', 'ghost']);
  assert.equal(run.calls.length, 1);
  const argv = run.calls[0] ?? [];
  assert.deepEqual([argv[0], argv[1], ...argv.slice(3)], ['sh', '-c', 'vsim', '/var/lib/microvms', 'slot1', 'slot2', 'slot3', 'ghost']);
  assert.match(argv[2] ?? '', /systemctl show -p Id,LoadState,ActiveState,SubState,MainPID,Result "\$@"/);
  assert.deepEqual(l.vms.slot1, { state: 'running', detail: 'active/running', facts: {
    unit: 'microvm@slot1.service', current: 'bbb-microvm-qemu-slot1', booted: 'aaa-microvm-qemu-slot1', drift: 'stale', state: 'slot1', pid: '41' } });
  assert.equal(l.vms.slot2?.state, 'crashed');
  assert.equal(l.vms.slot2?.detail, 'failed/failed (exit-code)');
  assert.equal(l.vms.slot2?.facts?.state, 'experiment');
  assert.equal(l.vms.slot3?.state, 'stopped');
  assert.equal(l.vms.slot3?.facts?.drift, 'not booted');
  assert.equal(l.vms.ghost?.state, 'missing');
  await assert.rejects(createMicrovmBackend().list(ctxFor(topo, 'hv2', run), ['$(reboot)']), /Invalid VM name/);
});

test('the list script itself, run by a real sh with stub systemctl/vm-state and a real state dir', async () => {
  const dir = mkdtempSync(join(resolve('test-results'), 'microvm-'));
  try {
    const bin = join(dir, 'bin');
    const state = join(dir, 'microvms');
    mkdirSync(bin);
    mkdirSync(join(state, 'slot1'), { recursive: true });
    symlinkSync('/store/x-slot1', join(state, 'slot1', 'current'));
    symlinkSync('/store/x-slot1', join(state, 'slot1', 'booted'));
    writeFileSync(join(bin, 'systemctl'), `#!/bin/sh\necho "ARGS $*"\nprintf 'Id=microvm@slot1.service\\nActiveState=active\\nSubState=running\\n\\nId=microvm@a b.service\\nActiveState=inactive\\nSubState=dead\\n'\n`);
    writeFileSync(join(bin, 'vm-state'), `#!/bin/sh\n[ "$NO_COLOR" = 1 ] && printf '${VMSTATE.replace(/\x1b\[[0-9;]*m/g, '').replace(/\n/g, '\\n')}'\n`);
    chmodSync(join(bin, 'systemctl'), 0o755);
    chmodSync(join(bin, 'vm-state'), 0o755);
    const run = localRunner({ PATH: `${bin}:${process.env.PATH ?? ''}` });
    const l = await createMicrovmBackend({ stateDir: state }).list(ctxFor(topo, 'hv2', run), ['slot1']);
    assert.equal(run.calls.length, 1);
    assert.deepEqual(l.vms.slot1, { state: 'running', detail: 'active/running', facts: {
      unit: 'microvm@slot1.service', current: 'x-slot1', booted: 'x-slot1', drift: 'current', state: 'slot1' } });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('lifecycle: systemctl verbs; failure carries the journal tail; suspend is refused clearly', async () => {
  const run = fakeRunner((argv) => argv[0] === 'journalctl' ? { stdout: 'qemu: could not open /dev/kvm\n' }
    : argv[1] === 'start' && argv[2] === 'microvm@slot3' ? { code: 1, stderr: 'Job for microvm@slot3.service failed because the control process exited with error code.' } : {});
  const b = createMicrovmBackend();
  const ctx = ctxFor(topo, 'hv2', run);
  await b.lifecycle(ctx, 'slot1', 'start');
  await b.lifecycle(ctx, 'slot1', 'shutdown');
  await b.lifecycle(ctx, 'slot1', 'reboot');
  assert.deepEqual(run.calls.map((c) => c.join(' ')), ['systemctl start microvm@slot1', 'systemctl show -p ActiveState,ConditionResult microvm@slot1',
    'systemctl stop microvm@slot1', 'systemctl restart microvm@slot1']);
  await assert.rejects(b.lifecycle(ctx, 'slot3', 'start'), (e: Error) => e instanceof MicrovmUnitError &&
    /systemctl start microvm@slot3 on hv2 failed \(exit 1\): Job for microvm@slot3.service failed[\s\S]*could not open \/dev\/kvm/.test(e.message));
  assert.deepEqual(run.calls.at(-1), ['journalctl', '-u', 'microvm@slot3', '-n', '8', '--no-pager', '-o', 'cat']);
  const cond = fakeRunner((argv) => (argv[1] === 'show' ? { stdout: 'ActiveState=inactive\nConditionResult=no\n' } : {}));
  await assert.rejects(b.lifecycle(ctxFor(topo, 'hv2', cond), 'ghost', 'start'),
    /microvm@ghost on hv2 did not start: its start condition failed \(\/var\/lib\/microvms\/ghost\/current\/bin\/microvm-run does not exist/);
  await assert.rejects(b.lifecycle(ctx, 'slot1', 'suspend'), /suspend is not supported for microvm.nix VMs/);
  assert.deepEqual(b.console(ctx, 'slot1'), { argv: ['journalctl', '-f', '-n', '200', '--no-pager', '-o', 'cat', '-u', 'microvm@slot1'], pty: false });
});

test('console: kind unix → the serial socket (default STATE_DIR/NAME/console.sock, or console.path), raw in a pty; Show Log follows the journal', () => {
  const t = (console: NonNullable<Topology['vms']>[string]['console']): Topology => ({ ...topo, vms: { ...topo.vms, slot1: { ...topo.vms!.slot1!, console } } });
  const b = createMicrovmBackend();
  const run = fakeRunner(() => ({}));
  assert.deepEqual(b.console(ctxFor(t({ kind: 'unix' }), 'hv2', run), 'slot1'), { argv: socatConsoleArgv('/var/lib/microvms/slot1/console.sock'), pty: true });
  assert.deepEqual(createMicrovmBackend({ stateDir: '/srv/mv' }).console(ctxFor(t({ kind: 'unix' }), 'hv2', run), 'slot1').argv[4], '/srv/mv/slot1/console.sock');
  assert.deepEqual(b.console(ctxFor(t({ kind: 'unix', path: '/run/s1.sock' }), 'hv2', run), 'slot1').argv[4], '/run/s1.sock');
  // Take over: the script's force argument.
  assert.deepEqual(b.console(ctxFor(t({ kind: 'unix' }), 'hv2', run), 'slot1', { force: true }).argv, socatConsoleArgv('/var/lib/microvms/slot1/console.sock', true));
  assert.throws(() => b.console(ctxFor(t({ kind: 'unix', path: '/run/x;rm' }), 'hv2', run), 'slot1'), /Invalid/);
  assert.deepEqual(b.followLog(ctxFor(t({ kind: 'unix' }), 'hv2', run), 'slot1'), { argv: ['journalctl', '-f', '-n', '200', '--no-pager', '-o', 'cat', '-u', 'microvm@slot1'], pty: false });
});

test('vm-state verbs: the seeds\' argv, names validated', async () => {
  assert.deepEqual(vmStateArgv.list(), ['vm-state', 'list']);
  assert.deepEqual(vmStateArgv.create('fresh-state'), ['vm-state', 'create', 'fresh-state']);
  assert.deepEqual(vmStateArgv.snapshot('slot1', 'before-update'), ['vm-state', 'snapshot', 'slot1', 'before-update']);
  assert.deepEqual(vmStateArgv.clone('slot1', 'experiment'), ['vm-state', 'clone', 'slot1', 'experiment']);
  assert.deepEqual(vmStateArgv.assign('slot2', 'my-new-state'), ['vm-state', 'assign', 'slot2', 'my-new-state']);
  assert.deepEqual(vmStateArgv.migrate('experiment', 'slot3'), ['vm-state', 'migrate', 'experiment', 'slot3']);
  assert.deepEqual(vmStateArgv.restore('checkpoint-jan4', 'recovered-state'), ['vm-state', 'restore', 'checkpoint-jan4', 'recovered-state']);
  assert.throws(() => vmStateArgv.create('a;rm -rf /'), /Invalid vm-state argument/);
  assert.throws(() => vmStateArgv.migrate('x', '$(reboot)'), /Invalid vm-state argument/);
  const run = fakeRunner(() => ({ code: 1, stderr: "\x1b[0;31m[ERROR]\x1b[0m State 'nope' does not exist" }));
  await assert.rejects(vmState(ctxFor(topo, 'hv2', run), vmStateArgv.migrate('nope', 'slot1')), /vm-state migrate nope slot1 on hv2 failed \(exit 1\).*State 'nope' does not exist/);
});
