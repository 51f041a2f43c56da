// Traffic-control profiles in the real VS Code against the sandbox (real tc on vsim-hv1 over SSH):
// apply a rate profile by command, read the same rate back, the tree item shows the active profile,
// the netem path (skip reason when the kernel lacks it), partition + heal, clear.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { VsimApi } from '../../src/extension';
import type { TcSummary } from '../../src/commands/tc/tcCommands';
import type { Lab } from '../../src/lab/lab';
import { figure, sandboxApi, waitFor } from './util';

const HV1 = 'vsim-hv1';

describe('tc profiles on the sandbox', function () {
  this.timeout(120_000);
  let api: VsimApi;
  let lab: Lab;
  let uri: vscode.Uri;

  const run = async (command: string, ...args: unknown[]): Promise<TcSummary> => {
    const s = await vscode.commands.executeCommand<TcSummary | undefined>(command, ...args);
    assert.ok(s, `${command} returned nothing (it failed: see the vsim output)`);
    return s;
  };
  // Several example topologies define a "chassis": address the sandbox's VMs by tree node.
  const vm = (name: string) => ({ kind: 'vm', uri, host: HV1, vm: name });
  const treeDescription = (vm: string): string => {
    const item = api.tree.getTreeItem({ kind: 'vm', uri, host: HV1, vm });
    return String(item.description ?? '');
  };

  before(async function () {
    api = await sandboxApi(this);
    const entry = (await waitFor('sandbox lab loaded', () => api.labs.all().find((e) => e.uri.path.endsWith('/sandbox.vsim.yaml') && e.lab)))!;
    lab = entry.lab!;
    uri = entry.uri;
    // The sandbox's domains start with the sandbox; wait until chassis and compute run (their taps exist).
    await waitFor('chassis and compute running', async () => {
      await lab.refresh(HV1);
      const vms = lab.host(HV1).vms;
      return vms.chassis?.state === 'running' && vms.compute?.state === 'running' ? true : undefined;
    }, 90_000, 500);
  });

  after(async () => {
    if (lab) await vscode.commands.executeCommand('vsim.clearProfile', { kind: 'vm', uri, host: HV1, vm: 'chassis' }, ['chassis', 'compute'].map((v) => ({ kind: 'vm', uri, host: HV1, vm: v })));
  });

  it('applyProfile chassis constrained: the kernel reports rate 10mbit; the tree item says tc: constrained', async () => {
    const t0 = Date.now();
    const s = await run('vsim.applyProfile', vm('chassis'), 'constrained');
    figure('tc.applyReadback', Date.now() - t0);
    console.log(`      apply → readback through the extension: ${Date.now() - t0} ms; ${s.ifaces[0]?.text}`);
    assert.deepEqual(s.errors, []);
    assert.equal(s.ifaces.length, 1);
    assert.equal(s.ifaces[0]!.match, 'constrained');
    assert.equal(s.ifaces[0]!.rateBits, 10_000_000);
    assert.match(treeDescription('chassis'), /tc: constrained/);
    // show reads the kernel again (never the cache of what was applied).
    const shown = await run('vsim.showProfile', vm('chassis'));
    assert.equal(shown.ifaces[0]!.match, 'constrained');
  });

  it('lossy: netem missing is a warning with the rate part applied, or the delay is read back', async function () {
    const s = await run('vsim.applyProfile', vm('chassis'), 'lossy');
    assert.deepEqual(s.errors, []);
    if (s.warnings.some((w) => w.startsWith(`netem not available on ${HV1}`))) {
      assert.equal(s.ifaces[0]!.match, 'none', 'lossy has no rate: nothing of it can be applied without netem');
      console.log(`      skipped: netem not in this kernel (${s.warnings[0]})`);
      this.skip();
    }
    assert.equal(s.ifaces[0]!.match, 'lossy');
    assert.equal(s.ifaces[0]!.delayUs, 50_000);
  });

  it('partition chassis-compute, then heal: the kernel has the drop filters, then not', async () => {
    const p = await run('vsim.partitionLink', vm('chassis'), [vm('chassis'), vm('compute')]);
    assert.deepEqual(p.errors, []);
    assert.equal(p.partitioned, true);
    const h = await run('vsim.healLink', vm('chassis'), [vm('chassis'), vm('compute')]);
    assert.equal(h.partitioned, false);
  });

  it('clear chassis + compute (selection): no shaping left, tree says tc: none', async () => {
    await run('vsim.applyProfile', vm('compute'), 'constrained');
    const nodes = [vm('chassis'), vm('compute')];
    const s = await run('vsim.clearProfile', nodes[0], nodes);
    assert.deepEqual(s.errors, []);
    assert.deepEqual(s.ifaces.map((i) => [i.vm, i.match]), [['chassis', 'none'], ['compute', 'none']]);
    assert.match(treeDescription('compute'), /tc: none/);
  });
});
