// VMs a host has that the file does not declare, in the real VS Code against the sandbox's real
// libvirt: a domain defined on vsim-hv1 with virsh over SSH (undefined again after) is listed under
// the host's "not in topology (N)" row with its state text, in natural order; started, answered on
// its console, listed for snapshots and shut down through the tree's commands; then added to the
// file (the file's text has the new entry, its comments kept; the plan finds no difference) and
// shown as a declared VM. Import All from Host on a file that declares no VM of the host offers
// every domain there at once.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { CommandRunner } from '../../src/backends/backend';
import type { AdoptOutcome } from '../../src/commands/vm/addToTopology';
import type { ConfirmRequest } from '../../src/commands/targets';
import type { RemoteTerminal } from '../../src/console/remoteTerminal';
import type { VsimApi } from '../../src/extension';
import { naturalCompare } from '../../src/lab/hostState';
import { isValidVmName } from '../../src/model/names';
import type { Lab } from '../../src/lab/lab';
import type { LabNode, VmNode } from '../../src/tree/nodes';
import { sandboxApi, waitFor, writeLab, writeWorkspaceFile } from './util';

const HV1 = 'vsim-hv1';
const URI = 'qemu:///system';
const id = randomBytes(2).toString('hex');
const DOM = `adopt-${id}`;
const TAP = `tap-ad-${id}`;
const MAC = `52:54:00:00:13:${id.slice(0, 2)}`;
const FILE = `adopt-${id}.vsim.yaml`;
const BARE = `import-${id}.vsim.yaml`;

const TOPOLOGY = `# The suite's file for VMs outside it (test/integration/undeclared.test.ts).
version: 1
name: adopt-lab
hosts:
  ${HV1}: { sshConfigHost: ${HV1}, arch: x86_64, kvm: false }   # the sandbox's libvirt host
networks:
  vsimbr0: { host: ${HV1} }
vms:
  # the one VM this file knew about
  chassis:
    host: ${HV1}
    backend: libvirt
    accel: tcg
    memory: 128
`;

/** A domain made by hand on the host, as a user who inherited the host would find it. */
const DOMAIN_XML = `<domain type='qemu'>
  <name>${DOM}</name>
  <memory unit='MiB'>128</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>/run/vsim-sandbox/guest/vmlinuz</kernel>
    <initrd>/run/vsim-sandbox/guest/initramfs.gz</initrd>
    <cmdline>console=ttyS0 vsim.hostname=${DOM} vsim.ip=192.168.100.77/24</cmdline>
  </os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <devices>
    <interface type='bridge'>
      <source bridge='vsimbr0'/>
      <target dev='${TAP}'/>
      <mac address='${MAC}'/>
      <model type='virtio'/>
    </interface>
    <serial type='pty'><target port='0'/></serial>
    <console type='pty'><target type='serial' port='0'/></console>
    <memballoon model='none'/>
  </devices>
</domain>
`;

(vscode.workspace.isTrusted ? describe : describe.skip)('VMs not in the topology (a domain defined outside the file)', function () {
  this.timeout(300_000);
  let api: VsimApi;
  let lab: Lab;
  let uri: vscode.Uri;
  let bare: vscode.Uri | undefined;
  let run: CommandRunner;
  const virsh = (...a: string[]) => run.exec(['virsh', '-c', URI, ...a]);

  before(async function () {
    api = await sandboxApi(this);
    ({ uri, lab } = await writeLab(api, FILE, TOPOLOGY));
    run = await api.connections.runnerFor(HV1, lab.current.hosts[HV1]!, lab.current);
    const r = await run.exec(['virsh', '-c', URI, 'define', '/dev/stdin'], { stdin: DOMAIN_XML });
    assert.equal(r.code, 0, `virsh define: ${r.stderr}`);
  });

  after(async () => {
    if (run) {
      if ((await virsh('domstate', DOM)).stdout.trim() !== 'shut off') await virsh('destroy', DOM);
      await virsh('undefine', DOM);
    }
    for (const u of [uri, bare]) {
      if (!u) continue;
      const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === u.toString());
      if (open?.isDirty) await open.save();
      await vscode.workspace.fs.delete(u).then(undefined, () => undefined);
    }
  });

  async function hostNode(): Promise<LabNode> {
    const file = (await api.tree.getChildren()).find((n) => n.kind === 'file' && n.uri.toString() === uri.toString());
    assert.ok(file, 'the Labs tree lists the file');
    const host = (await api.tree.getChildren(file)).find((n) => n.kind === 'host' && n.host === HV1);
    assert.ok(host, `the file's row has ${HV1}`);
    return host;
  }

  /** The host's "not in topology (N)" row and its rows. */
  async function undeclaredRows(): Promise<{ label: string; rows: { node: VmNode; description: string; context: string }[] }> {
    const group = (await api.tree.getChildren(await hostNode())).find((n) => n.kind === 'undeclared');
    assert.ok(group, 'the host has a "not in topology" row');
    const item = api.tree.getTreeItem(group);
    assert.equal(item.contextValue, 'undeclared');
    const rows = (await api.tree.getChildren(group)).map((n) => {
      assert.equal(n.kind, 'vm');
      const it = api.tree.getTreeItem(n);
      return { node: n as VmNode, description: String(it.description ?? ''), context: it.contextValue ?? '' };
    });
    return { label: String(item.label), rows };
  }

  const row = async (): Promise<{ node: VmNode; description: string; context: string } | undefined> => (await undeclaredRows()).rows.find((r) => r.node.vm === DOM);
  const state = (): string | undefined => lab.status(DOM, HV1)?.state;

  it('the domain is listed under "not in topology (N)", sorted, with its state text', async () => {
    await lab.refresh(HV1);
    const { label, rows } = await undeclaredRows();
    assert.equal(label, `not in topology (${rows.length})`);
    assert.ok(rows.length >= 3, `compute, storage and ${DOM} at least: ${rows.map((r) => r.node.vm).join(', ')}`);
    const names = rows.map((r) => r.node.vm);
    assert.deepEqual(names, [...names].sort(naturalCompare), 'natural order by name');
    const mine = rows.find((r) => r.node.vm === DOM);
    assert.ok(mine, `${DOM} is listed`);
    assert.equal(mine.node.undeclared, true);
    assert.equal(mine.description, 'shut off · libvirt · not in topology');
    assert.equal(mine.context, 'vm.stopped.libvirt.undeclared');
    assert.ok(!rows.some((r) => r.node.vm === 'chassis'), 'the declared chassis is not among them');
  });

  it('started, answered on its console, listed for snapshots and shut down from the tree\'s commands', async () => {
    const node = (await row())!.node;
    await vscode.commands.executeCommand('vsim.startVm', node);
    assert.equal((await virsh('domstate', DOM)).stdout.trim(), 'running', 'running on the host');
    await waitFor(`${DOM} running in the tree`, async () => ((await row())?.context === 'vm.running.libvirt.undeclared' ? true : undefined), 30_000);
    assert.match((await row())!.description, /^running · libvirt · not in topology$/);

    // The console of a VM the file does not declare: its shell answers once it booted.
    const ptys = await vscode.commands.executeCommand<RemoteTerminal[] | undefined>('vsim.openConsole', node);
    assert.equal(ptys?.length, 1, 'one console');
    let out = '';
    const sub = ptys![0]!.onDidWrite((s) => { out += s; });
    const terminal = await waitFor('its terminal', () => vscode.window.terminals.find((t) => t.name === `console: ${DOM} (${HV1})`));
    try {
      await waitFor(`${DOM}'s shell answers on its console`, async () => {
        terminal.sendText('echo adopt-$((20+22))\r', false);
        await new Promise((r) => setTimeout(r, 1000));
        return /adopt-42/.test(out) ? true : undefined;
      }, 180_000, 0).catch((err: Error) => { throw new Error(`${err.message}; console output: ${JSON.stringify(out.slice(-400))}`); });
    } finally {
      sub.dispose();
      terminal.dispose();
    }

    assert.deepEqual(await vscode.commands.executeCommand('vsim.listSnapshots', node), [], 'the snapshot capability answers for it (none yet)');

    await vscode.commands.executeCommand('vsim.stopVm', node);
    assert.equal((await virsh('domstate', DOM)).stdout.trim(), 'shut off', 'shut down on the host (ACPI, not destroyed)');
    await lab.refresh(HV1);
    assert.equal(state(), 'stopped');
    assert.match((await row())?.description ?? '', /^shut off( \([a-z ]+\))? · libvirt · not in topology$/);
  });

  it('Add to Topology writes its entry into the file (comments kept), then it is a declared VM without drift', async () => {
    const before = (await undeclaredRows()).rows.length;
    const asked: ConfirmRequest[] = [];
    const r = await vscode.commands.executeCommand<AdoptOutcome | undefined>('vsim.addToTopology', (await row())!.node, { confirm: (c: ConfirmRequest) => { asked.push(c); return true; } });
    assert.deepEqual(r?.added, [DOM]);
    assert.equal(asked.length, 1, 'one confirmation');
    assert.equal(asked[0]!.message, `Add ${DOM} from ${HV1} to ${FILE}?`);
    assert.ok(asked[0]!.lines.includes(`  ${DOM}:`), `the confirmation shows the entry: ${JSON.stringify(asked[0]!.lines)}`);

    const doc = await vscode.workspace.openTextDocument(uri);
    const text = doc.getText();
    assert.ok(text.startsWith(TOPOLOGY), 'everything that was there is still there, byte for byte (comments included)');
    for (const comment of ['# The suite\'s file for VMs outside it', '# the sandbox\'s libvirt host', '# the one VM this file knew about']) assert.ok(text.includes(comment), comment);
    assert.equal(text.slice(TOPOLOGY.length), `  ${DOM}:
    host: ${HV1}
    backend: libvirt
    accel: tcg
    memory: 128
    boot: { kernel: /run/vsim-sandbox/guest/vmlinuz, initrd: /run/vsim-sandbox/guest/initramfs.gz, cmdline: console=ttyS0 vsim.hostname=${DOM} vsim.ip=192.168.100.77/24 }
    nics:
      - { network: vsimbr0, mac: "${MAC}", tap: ${TAP} }
`);

    // The lab follows the document: the VM is declared now, listed as such, no longer under "not in topology".
    await waitFor(`${DOM} declared in the lab`, () => (api.labs.get(uri)?.lab?.current.vms?.[DOM] ? true : undefined));
    assert.equal(api.labs.get(uri)?.errors, 0, api.labs.get(uri)?.firstError);
    lab = api.labs.get(uri)!.lab!;
    await lab.refresh(HV1);
    const children = await api.tree.getChildren(await hostNode());
    const declared = children.find((n): n is VmNode => n.kind === 'vm' && n.vm === DOM);
    assert.ok(declared && !declared.undeclared, `${DOM} is a declared VM of ${HV1}`);
    const item = api.tree.getTreeItem(declared);
    assert.equal(item.contextValue, 'vm.stopped.libvirt');
    assert.match(String(item.description), /^shut off( \([a-z ]+\))? · libvirt · x86_64$/);
    assert.equal((await undeclaredRows()).rows.length, before - 1);
    assert.equal((await row()), undefined);
    // The entry is what the host has: the plan finds nothing to change on it.
    const plan = await lab.plan({ hosts: [HV1] });
    const mine = plan.hosts.flatMap((h) => h.changes).filter((c) => 'vm' in c && c.vm === DOM);
    assert.deepEqual(mine, [], `no change for ${DOM}: ${JSON.stringify(mine)}`);
  });

  it('Import All from Host on a file that declares no VM of the host offers every domain there at once', async () => {
    const text = `# ${HV1}, described for the first time\nversion: 1\nhosts:\n  ${HV1}: { sshConfigHost: ${HV1}, kvm: false }\n`;
    bare = await writeWorkspaceFile(BARE, text);
    await waitFor(`${BARE} loaded`, () => api.labs.get(bare!)?.lab);
    const domains = (await virsh('list', '--all', '--name')).stdout.split('\n').map((s) => s.trim()).filter(Boolean);
    const asked: ConfirmRequest[] = [];
    const r = await vscode.commands.executeCommand<AdoptOutcome | undefined>('vsim.importHostVms', { kind: 'host', uri: bare, host: HV1 }, { confirm: (c: ConfirmRequest) => { asked.push(c); return false; } });
    assert.equal(r, undefined, 'declined: nothing written');
    assert.equal(asked.length, 1);
    assert.match(asked[0]!.message, new RegExp(`^Add \\d+ VMs from ${HV1} to ${BARE.replace(/\./g, '\\.')}\\?$`));
    // Each domain is offered under its own name (a dot is fine in a libvirt name); one the file cannot hold would be named as not added, with why.
    for (const d of domains) {
      const offered = isValidVmName(d) ? asked[0]!.lines.includes(`  ${d}:`) : asked[0]!.lines.some((l) => l.startsWith(`not added: ${d} (`));
      assert.ok(offered, `${d} offered: ${JSON.stringify(asked[0]!.lines.slice(0, 12))}`);
    }
    assert.ok(asked[0]!.lines.includes('vms:') && asked[0]!.lines.includes('networks:'), 'the sections are created');
    assert.equal((await vscode.workspace.openTextDocument(bare)).getText(), text, 'the file is unchanged');
  });
});
