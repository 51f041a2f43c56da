import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSystemctlShow, parseSystemdTimestamp, systemctlShowCommand } from '../../../src/backends/microvm/parseSystemctl';
import { parseVmStateList, vmStateCommand } from '../../../src/backends/microvm/parseVmState';
import { drift, evalToplevelCommand, parseReadlink, readlinkCommand } from '../../../src/backends/microvm/parseDrift';

test('systemctl show: one block per unit, systemd order, unknown instances inactive/dead', () => {
  const text = [
    'Id=microvm@slot1.service', 'MainPID=4242', 'ExecMainStartTimestamp=@1732345750', 'ActiveState=active', 'SubState=running', '',
    'Id=microvm@slot2.service', 'MainPID=0', 'ExecMainStartTimestamp=', 'ActiveState=inactive', 'SubState=dead', '',
    'Id=microvm@slot3.service', 'MainPID=0', 'ExecMainStartTimestamp=Mon 2026-11-23 07:09:10 UTC', 'ActiveState=failed', 'SubState=failed', '',
  ].join('\n');
  const u = parseSystemctlShow(text);
  assert.deepEqual(u.map((x) => [x.name, x.activeState, x.subState, x.mainPid]), [
    ['slot1', 'active', 'running', 4242], ['slot2', 'inactive', 'dead', undefined], ['slot3', 'failed', 'failed', undefined],
  ]);
  assert.equal(u[0]!.startedAt?.toISOString(), '2024-11-23T07:09:10.000Z');
  assert.equal(u[1]!.startedAt, undefined);
  assert.equal(u[2]!.startedAt?.toISOString(), '2026-11-23T07:09:10.000Z');
  assert.equal(parseSystemdTimestamp('Mon 2026-11-23 07:09:10 CET'), undefined);
  assert.deepEqual(systemctlShowCommand(['slot1', 'slot2']), ['systemctl', 'show', '--timestamp=unix', '-p', 'Id,ActiveState,SubState,MainPID,ExecMainStartTimestamp', 'microvm@slot1.service', 'microvm@slot2.service']);
  assert.throws(() => systemctlShowCommand(['a;b']), /Invalid VM name/);
});

test('vm-state list (output of the sandbox stand-in, same layout as the real script)', () => {
  const l = parseVmStateList(readFileSync(join(__dirname, 'fixtures/vm-state-list.txt'), 'utf8'));
  assert.deepEqual(l.slots, [
    { slot: 'slot1', state: 'slot1', running: false, dataset: 'microvms/storage/states/slot1' },
    { slot: 'slot2', state: 'slot2', running: false, dataset: 'microvms/storage/states/slot2' },
    { slot: 'slot3', state: 'dev-env', running: false, dataset: 'microvms/storage/states/dev-env' },
  ]);
  assert.deepEqual(l.states.map((s) => [s.name, s.dataset, s.used]), [
    ['dev-env', 'microvms/storage/states/dev-env', '4K'], ['slot1', 'microvms/storage/states/slot1', '8K'],
  ]);
  assert.deepEqual(l.snapshots, [{ dataset: 'microvms/storage/states/slot1', state: 'slot1', snapshot: 'before-update' }]);
  const empty = parseVmStateList('\x1b[0;34m[INFO]\x1b[0m States and assignments:\n\nSLOT  STATE  RUNNING  ZFS DATASET\n----  -----  -------  -----------\nslot1  slot1  yes  microvms/storage/states/slot1\n\n[INFO] Available states (ZFS datasets):\n  (no states created yet)\n\n[INFO] Snapshots:\n');
  assert.deepEqual([empty.slots[0]!.running, empty.states, empty.snapshots], [true, [], []]);
  assert.deepEqual(vmStateCommand('snapshot', 'slot1', 'before-update'), ['vm-state', 'snapshot', 'slot1', 'before-update']);
  assert.throws(() => vmStateCommand('create', '$(x)'), /Invalid vm-state argument/);
});

test('drift as microvm -l defines it', () => {
  const sys = (v: string): string => `/nix/store/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa-nixos-system-slot1-${v}`;
  const run = (v: string): string => `/nix/store/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb-microvm-qemu-slot1-${v}`;
  assert.equal(drift('slot1', { current: run('1'), currentSystem: sys('1'), booted: run('1'), bootedSystem: sys('1') }).state, 'current');
  const st = drift('slot1', { current: run('2'), currentSystem: sys('2'), booted: run('1'), bootedSystem: sys('1') });
  assert.deepEqual([st.state, st.booted, st.current], ['stale', '1', '2']);
  assert.match(st.hint!, /systemctl restart microvm@slot1.service/);
  assert.equal(drift('slot1', { current: run('1'), currentSystem: sys('1'), booted: run('1'), bootedSystem: sys('1') }, sys('3')).state, 'outdated');
  assert.equal(drift('slot1', { current: run('1'), currentSystem: sys('1') }).state, 'not-booted');
  assert.equal(drift('slot1', {}).state, 'not-built');
  assert.equal(drift('slot1', { current: run('2'), booted: run('1') }).state, 'stale');
  assert.deepEqual(evalToplevelCommand('/root/infra', 'slot1'), ['nix', 'eval', '--raw', '/root/infra#nixosConfigurations.slot1.config.system.build.toplevel']);
});

test('readlink -m for real: one line per argument, missing links and missing systems recognised', () => {
  const root = mkdtempSync(join(tmpdir(), 'vsim-mvm-'));
  try {
    const store = join(root, 'store');
    const r1 = join(store, 'r1-runner');
    const r2 = join(store, 'r2-runner');
    const s1 = join(store, 's1-nixos-system-a-1');
    mkdirSync(join(r1, 'share/microvm'), { recursive: true });
    mkdirSync(r2, { recursive: true });
    mkdirSync(s1, { recursive: true });
    symlinkSync(s1, join(r1, 'share/microvm/system'));
    const state = join(root, 'microvms');
    mkdirSync(join(state, 'a'), { recursive: true });
    mkdirSync(join(state, 'b'), { recursive: true });
    symlinkSync(r1, join(state, 'a/current'));
    symlinkSync(r1, join(state, 'a/booted'));
    symlinkSync(r2, join(state, 'b/current'));
    const argv = readlinkCommand(['a', 'b', 'c'], state);
    const out = execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
    const links = parseReadlink(['a', 'b', 'c'], out, store);
    assert.deepEqual(links.a, { booted: r1, current: r1, bootedSystem: s1, currentSystem: s1 });
    assert.deepEqual(links.b, { current: r2 });
    assert.deepEqual(links.c, {});
    assert.equal(drift('a', links.a!).state, 'current');
    assert.equal(drift('b', links.b!).state, 'not-booted');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
