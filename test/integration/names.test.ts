// Real names against the real sandbox: the libvirt domain `edge.Gateway` (a dot and capitals) in
// the sandbox lab, shown in the tree with its live state and started / stopped from the commands; a
// VM key mapped to it with `domain:`; and a file with one invalid VM that still shows and drives
// the others, its error on the file's row.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CommandOptions } from '../../src/commands/targets';
import type { VsimApi } from '../../src/extension';
import type { Lab } from '../../src/lab/lab';
import type { LabNode, VmNode } from '../../src/tree/nodes';
import { sandboxApi, waitFor, writeWorkspaceFile } from './util';

const HV1 = 'vsim-hv1';
const EDGE = 'edge.Gateway';
const CONFIRMED: CommandOptions = { confirmed: true };

/** A second lab on vsim-hv1: `gateway` is the domain edge.Gateway, `chassis` the sandbox's, `bad.vm` invalid (a qemu VM's name becomes a file name). */
const PARTIAL = `version: 1
name: names-partial
hosts:
  ${HV1}: { sshConfigHost: ${HV1}, kvm: false }
vms:
  gateway:
    host: ${HV1}
    backend: libvirt
    domain: ${EDGE}
    accel: tcg
  chassis: { host: ${HV1}, backend: libvirt, accel: tcg }
  bad.vm:
    host: ${HV1}
    backend: qemu
    accel: tcg
    sockets: { qmp: /run/vsim-sandbox/qemu/bad/qmp.sock }
`;

describe('real names on the sandbox', function () {
  this.timeout(180_000);
  let api: VsimApi;
  let lab: Lab;
  let uri: vscode.Uri;
  let virsh: ((...a: string[]) => Promise<{ stdout: string; stderr: string; code: number }>) | undefined;

  const domstate = async (): Promise<string> => (await virsh!('domstate', EDGE)).stdout.trim();
  async function ensureShutOff(): Promise<void> {
    if ((await domstate()) !== 'shut off') await virsh!('destroy', EDGE);
    await waitFor(`${EDGE} shut off`, async () => ((await domstate()) === 'shut off' ? true : undefined), 30_000, 200);
  }

  async function children(node?: LabNode): Promise<LabNode[]> {
    return api.tree.getChildren(node) as Promise<LabNode[]>;
  }

  async function vmRow(file: vscode.Uri, vm: string): Promise<{ node: LabNode; item: vscode.TreeItem }> {
    const f = (await children()).find((n) => n.kind === 'file' && n.uri.toString() === file.toString());
    assert.ok(f, `file row of ${file.path}`);
    const host = (await children(f)).find((n) => n.kind === 'host' && n.host === HV1);
    assert.ok(host, `host row ${HV1}`);
    const node = (await children(host)).find((n) => n.kind === 'vm' && n.vm === vm && !n.undeclared);
    assert.ok(node, `VM row ${vm}`);
    return { node, item: api.tree.getTreeItem(node) };
  }

  before(async function () {
    api = await sandboxApi(this);
    const entry = await waitFor('sandbox lab loaded', () => api.labs.all().find((e) => e.uri.path.endsWith('/sandbox.vsim.yaml') && e.lab));
    lab = entry.lab!;
    uri = entry.uri;
    const runner = await api.connections.runnerFor(HV1, lab.current.hosts[HV1]!, lab.current);
    virsh = (...a) => runner.exec(['virsh', '-c', 'qemu:///system', ...a]);
    await ensureShutOff();
  });

  after(async () => {
    if (virsh) await ensureShutOff().catch(() => undefined);
  });

  it(`the tree shows ${EDGE} with its live state; Start and Destroy drive the domain of that name`, async () => {
    await lab.refresh(HV1);
    let row = await vmRow(uri, EDGE);
    assert.equal(row.item.label, EDGE);
    assert.equal(row.item.contextValue, 'vm.stopped.libvirt');
    assert.match(String(row.item.description), /^shut off.* · libvirt · x86_64 · 192\.168\.100\.13/);
    assert.ok(!lab.host(HV1).undeclared.some((u) => u.name === EDGE), 'declared, so not "not in topology"');

    await vscode.commands.executeCommand('vsim.startVm', row.node as VmNode);
    assert.equal(await domstate(), 'running', 'virsh says the domain runs');
    await waitFor(`${EDGE} running in the lab`, async () => { await lab.refresh(HV1); return lab.host(HV1).vms[EDGE]?.state === 'running' || undefined; }, 30_000, 200);
    row = await vmRow(uri, EDGE);
    assert.equal(row.item.contextValue, 'vm.running.libvirt');
    assert.match(String(row.item.description), /^running · libvirt/);

    await vscode.commands.executeCommand('vsim.destroyVm', row.node as VmNode, undefined, CONFIRMED);
    assert.equal(await domstate(), 'shut off');
    assert.equal(lab.host(HV1).vms[EDGE]?.state, 'stopped');
    assert.equal((await vmRow(uri, EDGE)).item.contextValue, 'vm.stopped.libvirt');
  });

  describe('a file with one invalid VM', () => {
    let partial: vscode.Uri;
    before(async () => {
      partial = await writeWorkspaceFile('names-partial.vsim.yaml', PARTIAL);
    });
    after(async () => {
      await vscode.workspace.fs.delete(partial).then(undefined, () => undefined);
    });

    it('shows the error on the file row and in Problems, the other VMs with live state; `domain:` drives edge.Gateway', async () => {
      const entry = await waitFor('the partial file loaded with its valid part', () => {
        const e = api.labs.get(partial);
        return e?.lab && e.errors ? e : undefined;
      });
      const pLab = entry.lab!;
      assert.equal(entry.errors, 1, entry.errorList.map((e) => `${e.line}: ${e.message}`).join('\n'));
      assert.deepEqual(entry.leftOut.map((l) => `${l.section}.${l.name}`), ['vms.bad.vm']);
      assert.deepEqual(Object.keys(pLab.current.vms ?? {}), ['gateway', 'chassis'], 'the invalid VM never reaches the lab');

      // The file's row: count in the description, each error with its line in the tooltip and as a row.
      const fileNode = (await children()).find((n) => n.kind === 'file' && n.uri.toString() === partial.toString())!;
      const fileItem = api.tree.getTreeItem(fileNode);
      assert.equal(fileItem.description, '1 error · 1 entry left out');
      const tooltip = (fileItem.tooltip as vscode.MarkdownString).value;
      assert.match(tooltip, /line 12: VM name \\`bad\\\.vm\\` is not valid for backend qemu/);
      const rows = await children(fileNode);
      assert.equal(rows[0]?.kind, 'message');
      assert.match(rows[0]!.kind === 'message' ? rows[0]!.text : '', /^line 12: VM name `bad\.vm` is not valid for backend qemu: it becomes the start log `bad\.vm\.start\.log`/);
      assert.ok(rows.some((n) => n.kind === 'host' && n.host === HV1), 'and the host below it');

      // Problems has the same error at the VM's key.
      const diags = await waitFor('the diagnostic', () => vscode.languages.getDiagnostics(partial).find((d) => /bad\.vm/.test(d.message)));
      assert.equal(diags.range.start.line, 11);
      assert.equal(diags.severity, vscode.DiagnosticSeverity.Error);

      // Live state of the valid VMs, through the mapping: gateway is edge.Gateway (shut off), chassis runs.
      await waitFor('the partial lab listed', async () => { await pLab.refresh(HV1); return pLab.host(HV1).connection.kind === 'connected' || undefined; }, 30_000, 200);
      assert.equal(pLab.host(HV1).vms.gateway?.state, 'stopped');
      assert.equal(pLab.host(HV1).vms.chassis?.state, 'running');
      assert.ok(!pLab.host(HV1).undeclared.some((u) => u.name === EDGE), `${EDGE} is gateway here, not undeclared`);
      const gw = await vmRow(partial, 'gateway');
      assert.match(String(gw.item.description), /^shut off.* · libvirt/);
      assert.match((gw.item.tooltip as vscode.MarkdownString).value, /libvirt domain \| edge\\\.Gateway/);
      assert.match(String((await vmRow(partial, 'chassis')).item.description), /^running · libvirt/);

      // Commands drive the valid VMs of the file with an error; the invalid one is refused before any host is asked.
      await vscode.commands.executeCommand('vsim.startVm', gw.node as VmNode);
      assert.equal(await domstate(), 'running', 'gateway started the domain edge.Gateway');
      await vscode.commands.executeCommand('vsim.destroyVm', gw.node as VmNode, undefined, CONFIRMED);
      assert.equal(await domstate(), 'shut off');
      assert.equal(pLab.host(HV1).vms.gateway?.state, 'stopped');
      await assert.rejects(pLab.lifecycle('bad.vm', 'start'), /No VM named bad\.vm/);
      assert.equal(await vscode.commands.executeCommand('vsim.startVm', { kind: 'vm', name: 'bad.vm', uri: partial }), undefined, 'refused');
      assert.deepEqual(pLab.queue.ops('bad.vm'), [], 'nothing queued for it');
    });
  });
});
