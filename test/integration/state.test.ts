// VM state through the commands in the real VS Code against the sandbox (every argument given and
// { confirmed: true } → no prompts): libvirt snapshot → change → revert → delete on `storage` (qcow2), queued visibly on the
// VM; vm-state create / snapshot / clone / assign / restore on hv2's stand-in through a slot node.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { VmStateListing } from '../../src/commands/state/vmStateList';
import type { CommandOptions } from '../../src/commands/targets';
import type { VsimApi } from '../../src/extension';
import type { Lab } from '../../src/lab/lab';
import type { SlotNode, VmNode } from '../../src/tree/nodes';
import { sandboxApi, waitFor } from './util';

/** The caller has confirmed: destructive commands skip their modal (which a test cannot answer). */
const CONFIRMED: CommandOptions = { confirmed: true };

describe('VM state on the sandbox', function () {
  this.timeout(180_000);
  let api: VsimApi;
  let lab: Lab;
  let uri: vscode.Uri;
  const id = randomBytes(3).toString('hex');

  before(async function () {
    api = await sandboxApi(this);
    const entry = await waitFor('sandbox lab loaded', () => api.labs.all().find((e) => e.uri.path.endsWith('/sandbox.vsim.yaml') && e.lab));
    lab = entry.lab!;
    uri = entry.uri;
  });

  it('libvirt: snapshot storage → start it → revert (queued on the VM) → shut off again; delete', async () => {
    const storage: VmNode = { kind: 'vm', uri, host: 'vsim-hv1', vm: 'storage' };
    await lab.refresh('vsim-hv1');
    const state = (): string | undefined => lab.host('vsim-hv1').vms.storage?.state;
    if (state() !== 'stopped') {
      await lab.lifecycle('storage', 'destroy'); // the command would ask for confirmation
      await waitFor('storage stopped', async () => { await lab.refresh('vsim-hv1'); return state() === 'stopped' ? true : undefined; }, 30_000, 200);
    }
    const snap = `it-${id}`;
    assert.deepEqual(await vscode.commands.executeCommand('vsim.snapshotVm', storage, snap), { vm: 'storage', snapshot: snap });
    assert.ok(((await vscode.commands.executeCommand('vsim.listSnapshots', storage)) as string[]).includes(snap));
    // The change: start it.
    await vscode.commands.executeCommand('vsim.startVm', storage);
    await waitFor('storage running', async () => { await lab.refresh('vsim-hv1'); return state() === 'running' ? true : undefined; }, 30_000, 200);
    const reverting = vscode.commands.executeCommand('vsim.revertSnapshot', storage, snap, CONFIRMED);
    await waitFor('the revert queued on storage', () => (lab.queue.ops('storage').length === 1 ? true : undefined), 10_000, 5);
    // A second operation on the same VM waits behind the revert, visibly.
    const queuedList = vscode.commands.executeCommand('vsim.snapshotVm', storage, `it2-${id}`);
    await waitFor('two queued operations on storage', () => (lab.queue.ops('storage').length === 2 ? true : undefined), 10_000, 5);
    assert.deepEqual(lab.queue.ops('storage').map((o) => [o.label, o.running]), [[`revert to ${snap}`, true], [`snapshot it2-${id}`, false]]);
    await reverting;
    await queuedList;
    await lab.refresh('vsim-hv1');
    assert.equal(state(), 'stopped', 'reverted to the shut-off snapshot');
    // A declined confirmation deletes nothing; a string argument alone never skips it.
    const asked: string[] = [];
    const declined = await vscode.commands.executeCommand('vsim.deleteSnapshot', storage, snap, { confirm: (c: { message: string }) => { asked.push(c.message); return false; } });
    assert.equal(declined, undefined, 'declined: no result');
    assert.deepEqual(asked, [`Delete snapshot ${snap} of storage?`]);
    assert.ok(((await vscode.commands.executeCommand('vsim.listSnapshots', storage)) as string[]).includes(snap), 'still there after the declined delete');
    await vscode.commands.executeCommand('vsim.deleteSnapshot', storage, snap, CONFIRMED);
    await vscode.commands.executeCommand('vsim.deleteSnapshot', storage, `it2-${id}`, CONFIRMED);
  });

  it('a hostile name given as an argument is refused before anything runs, however the command is called', async () => {
    const storage: VmNode = { kind: 'vm', uri, host: 'vsim-hv1', vm: 'storage' };
    const evil = '../../../../../var/lib/important';
    for (const [cmd, args] of [
      ['vsim.deleteSnapshot', [storage, evil, CONFIRMED]], ['vsim.deleteSnapshot', ['storage', evil]],
      ['vsim.revertSnapshot', ['storage', evil, CONFIRMED]], ['vsim.snapshotVm', ['storage', evil]],
      ['vsim.vmStateCreate', ['vsim-hv2', evil]], ['vsim.restoreVm', ['storage', '/x; rm -rf /', CONFIRMED]],
    ] as const) {
      const commands0 = api.connections.pool.commandCount();
      const r = await vscode.commands.executeCommand(cmd, ...args);
      assert.equal(r, undefined, `${cmd} ${JSON.stringify(args.slice(1))} refused (the registry shows "Invalid name …")`);
      assert.equal(api.connections.pool.commandCount() - commands0, 0, `${cmd}: no remote command ran`);
    }
  });

  it('vm-state through a slot node: create, snapshot, clone, assign, restore', async () => {
    const slot3: SlotNode = { kind: 'slot', uri, host: 'vsim-hv2', slot: 'slot3' };
    const before = (await vscode.commands.executeCommand('vsim.vmStateList', slot3)) as VmStateListing;
    const original = before.assignments.find((a) => a.slot === 'slot3')!;
    assert.ok(original);
    const [a, b, r, snap] = [`it${id}a`, `it${id}b`, `it${id}r`, `it${id}s`];
    try {
      let l = (await vscode.commands.executeCommand('vsim.vmStateCreate', slot3, a)) as VmStateListing;
      assert.ok(l.states.includes(a));
      l = (await vscode.commands.executeCommand('vsim.vmStateSnapshot', slot3, snap)) as VmStateListing;
      assert.ok(l.snapshots.some((s) => s.snapshot === snap));
      l = (await vscode.commands.executeCommand('vsim.vmStateClone', slot3, a, b)) as VmStateListing;
      assert.ok(l.states.includes(b));
      l = (await vscode.commands.executeCommand('vsim.vmStateAssign', slot3, b, CONFIRMED)) as VmStateListing;
      assert.equal(l.assignments.find((x) => x.slot === 'slot3')?.state, b);
      l = (await vscode.commands.executeCommand('vsim.vmStateRestore', slot3, snap, r, CONFIRMED)) as VmStateListing;
      assert.ok(l.states.includes(r));
      // A name that breaks the schema's pattern is refused before anything runs.
      await assert.rejects(Promise.resolve(vscode.commands.executeCommand('vsim.vmStateCreate', slot3, 'bad name')).then((v) => {
        if (v === undefined) throw new Error('refused');
      }));
    } finally {
      await vscode.commands.executeCommand('vsim.vmStateAssign', slot3, original.state, CONFIRMED);
      // vsim has no delete verb (the seeds do not use it); the stand-in's delete cleans up.
      const run = await api.connections.runnerFor('vsim-hv2', lab.current.hosts['vsim-hv2']!, lab.current);
      for (const s of [r, b, a]) await run.exec(['env', 'VM_STATE_ASSUME_YES=1', 'vm-state', 'delete', s]);
    }
  });
});
