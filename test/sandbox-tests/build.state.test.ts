// VM state operations against REAL programs, with the argv the state commands use
// (src/commands/state/stateCommands.ts): libvirt internal snapshots on the sandbox VM `storage`
// (qcow2 disk; real libvirt 9 + QEMU), and every vm-state verb against hv2's vm-state STAND-IN
// (no ZFS here; exactly the seed's argv through vmStateArgv). Skips when the sandbox is not up.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mustRun, type BackendContext } from '../../src/backends/backend';
import { parseSnapshotNames } from '../../src/backends/libvirt/parseSnapshots';
import * as virsh from '../../src/backends/libvirt/renderVirsh';
import { vmState, vmStateArgv } from '../../src/backends/microvm/backend';
import { parseVmStateList } from '../../src/commands/state/vmStateList';
import type { Topology } from '../../src/model/types';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, sandboxEnv, SshRunner, until } from './sshRunner';

const env = sandboxEnv();
const skip = typeof env === 'string' ? env : false;
if (skip) console.log(`# skipping state sandbox tests: ${skip}`);

const runners: SshRunner[] = [];
const figures: Record<string, unknown> = {};
after(() => {
  runners.forEach((r) => r.close());
  if (Object.keys(figures).length) {
    mkdirSync(join(REPO, 'test-results'), { recursive: true });
    writeFileSync(join(REPO, 'test-results', 'sandbox-state.json'), `${JSON.stringify(figures, null, 2)}\n`);
  }
});

function ctx(host: string): BackendContext {
  if (typeof env === 'string') throw new Error(env);
  const run = new SshRunner(env, host);
  runners.push(run);
  const topology: Topology = { version: 1, hosts: { [host]: { sshConfigHost: host } } };
  return { hostName: host, host: topology.hosts[host]!, topology, run };
}

const id = randomBytes(3).toString('hex');

test('libvirt: snapshot storage (qcow2) → change its state → revert → delete', { skip }, async () => {
  const c = ctx('vsim-hv1');
  const uri = 'qemu:///system';
  const state = async (): Promise<string> => (await mustRun(c, virsh.domstate(uri, 'storage'))).stdout.trim().split('\n')[0] ?? '';
  const initial = await state();
  const snap = `vsim-test-${id}`;
  const t0 = Date.now();
  await mustRun(c, virsh.snapshotCreate(uri, 'storage', snap), { timeoutMs: 120_000 });
  const createMs = Date.now() - t0;
  try {
    assert.ok(parseSnapshotNames((await mustRun(c, virsh.snapshotList(uri, 'storage'))).stdout).includes(snap));
    // The change: toggle the domain (shut off → running, or running → destroyed).
    const wasOff = initial.startsWith('shut off');
    await mustRun(c, wasOff ? virsh.start(uri, 'storage') : virsh.destroy(uri, 'storage'));
    await until('storage to change state', 30_000, async () => (await state()).startsWith(wasOff ? 'running' : 'shut off'));
    const t1 = Date.now();
    await mustRun(c, virsh.snapshotRevert(uri, 'storage', snap), { timeoutMs: 120_000 });
    const revertMs = Date.now() - t1;
    await until('storage back in its snapshot state', 30_000, async () => (await state()).startsWith(wasOff ? 'shut off' : 'running'));
    figures.libvirtSnapshotCreateMs = createMs;
    figures.libvirtSnapshotRevertMs = revertMs;
  } finally {
    await mustRun(c, virsh.snapshotDelete(uri, 'storage', snap));
  }
  assert.ok(!parseSnapshotNames((await mustRun(c, virsh.snapshotList(uri, 'storage'))).stdout).includes(snap));
  // Errors are clear (a missing snapshot).
  await assert.rejects(mustRun(c, virsh.snapshotRevert(uri, 'storage', `missing-${id}`)), /snapshot-revert --domain storage --snapshotname missing-\w+ on vsim-hv1 failed \(exit 1\): .*snapshot/i);
});

test('vm-state stand-in on hv2: create, snapshot, clone, assign, migrate, restore (the seed\'s argv)', { skip }, async () => {
  const c = ctx('vsim-hv2');
  const list = async () => parseVmStateList(await vmState(c, vmStateArgv.list()));
  const before = await list();
  const slot3 = before.assignments.find((a) => a.slot === 'slot3');
  assert.ok(slot3, 'slot3 exists on hv2');
  const [a, b, r, snap] = [`t${id}-a`, `t${id}-b`, `t${id}-r`, `t${id}-snap`];
  const t0 = Date.now();
  try {
    await vmState(c, vmStateArgv.create(a));
    assert.ok((await list()).states.includes(a));
    await vmState(c, vmStateArgv.snapshot('slot3', snap));
    assert.ok((await list()).snapshots.some((s) => s.snapshot === snap && s.state === slot3.state));
    // A clone of slot3's state has its data.img (a fresh state has none: QEMU would not start).
    await vmState(c, vmStateArgv.clone(slot3.state, b));
    assert.ok((await list()).states.includes(b));
    await vmState(c, vmStateArgv.assign('slot3', a));
    assert.equal((await list()).assignments.find((x) => x.slot === 'slot3')?.state, a);
    await vmState(c, vmStateArgv.migrate(b, 'slot3'));
    assert.equal((await list()).assignments.find((x) => x.slot === 'slot3')?.state, b);
    await until('slot3 running after migrate', 15_000, async () => (await list()).assignments.find((x) => x.slot === 'slot3')?.running, 200);
    await vmState(c, vmStateArgv.restore(snap, r));
    const l = await list();
    assert.ok(l.states.includes(r));
    assert.ok(l.snapshots.some((s) => s.snapshot === snap && s.state === r), 'the snapshot moved to the restored state (as zfs promote does)');
    figures.vmStateVerbsMs = Date.now() - t0;
    // Errors are clear.
    await assert.rejects(vmState(c, vmStateArgv.create(a)), /vm-state create t\w+-a on vsim-hv2 failed \(exit 1\): .*already exists/);
  } finally {
    // Put slot3 back as it was: its state, and stopped when it was stopped.
    await vmState(c, vmStateArgv.assign('slot3', slot3.state)).catch(() => undefined);
    if (!slot3.running) await c.run.exec(['systemctl', 'stop', 'microvm@slot3']);
    for (const s of [r, b, a]) await c.run.exec(['env', 'VM_STATE_ASSUME_YES=1', 'vm-state', 'delete', s]);
  }
  const end = await list();
  assert.equal(end.assignments.find((x) => x.slot === 'slot3')?.state, slot3.state);
  assert.ok(![a, b, r].some((s) => end.states.includes(s)));
});
