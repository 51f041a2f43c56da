// Bringing a lab up from the file in the real VS Code, against the sandbox's real libvirt: a
// topology of its own (ui- VMs and bridge on vsim-hv1, the sandbox's guest kernel) is planned (the
// Plan view lists the missing VMs and the bridge, the Labs tree badges them, the Labs view title
// counts them), brought Up through the command of the Labs view's title (its confirmation lists
// every change and start), shut Down, and Destroyed — the sandbox's own domains untouched.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { CommandRunner } from '../../src/backends/backend';
import type { RemoteTerminal } from '../../src/console/remoteTerminal';
import type { LabRun } from '../../src/commands/lab/labCommands';
import type { VsimApi } from '../../src/extension';
import type { Lab } from '../../src/lab/lab';
import { driftCount, type Plan } from '../../src/plan/types';
import type { PlanNode } from '../../src/tree/planTree';
import { figure, sandboxApi, waitFor, writeLab } from './util';

const HV1 = 'vsim-hv1';
const FILE = 'ui-lab.vsim.yaml';
const VMS = ['ui-a', 'ui-b'];
const BRIDGE = 'ui-br0';
const GUEST = { kernel: '/run/vsim-sandbox/guest/vmlinuz', initrd: '/run/vsim-sandbox/guest/initramfs.gz' };

const vm = (name: string, i: number) => `  ${name}:
    host: ${HV1}
    backend: libvirt
    accel: tcg
    memory: 128
    boot: { kernel: ${GUEST.kernel}, initrd: ${GUEST.initrd}, cmdline: "console=ttyS0 vsim.hostname=${name} vsim.ip=192.168.150.${10 + i}/24" }
    nics: [{ network: ${BRIDGE}, mac: "52:54:00:00:15:${(10 + i).toString(16).padStart(2, '0')}", ip: 192.168.150.${10 + i}, tap: tap-${name} }]
`;
const TOPOLOGY = `# The VS Code suite's own lab on the sandbox hypervisor (test/integration/lab.test.ts).
version: 1
name: ui-lab
hosts:
  ${HV1}: { sshConfigHost: ${HV1}, arch: x86_64, kvm: false }
networks:
  ${BRIDGE}: { host: ${HV1}, subnet: 192.168.150.0/24, gateway: 192.168.150.1 }
vms:
${VMS.map(vm).join('')}`;

(vscode.workspace.isTrusted ? describe : describe.skip)('lab bring-up from the file (Plan view, badges, Up / Down / Destroy)', function () {
  this.timeout(300_000);
  let api: VsimApi;
  let lab: Lab;
  let uri: vscode.Uri;
  let run: CommandRunner;
  /** The boot watches Lab: Up started (its result's `boots`), read by the test after it. */
  let upBoots: LabRun['boots'];
  const virsh = (...a: string[]) => run.exec(['virsh', '-c', 'qemu:///system', ...a]);
  const domains = async () => (await virsh('list', '--all', '--name')).stdout.split('\n').map((s) => s.trim()).filter(Boolean);
  const bridgeExists = async () => (await run.exec(['ip', 'link', 'show', 'dev', BRIDGE])).code === 0;

  /** Leaves the hypervisor as the sandbox made it: no ui- domain, no ui- bridge. */
  async function cleanUp(): Promise<void> {
    for (const d of (await domains()).filter((n) => VMS.includes(n))) {
      await virsh('destroy', d);
      await virsh('undefine', d);
    }
    if (await bridgeExists()) await run.exec(['ip', 'link', 'del', 'dev', BRIDGE]);
  }

  before(async function () {
    api = await sandboxApi(this);
    ({ uri, lab } = await writeLab(api, FILE, TOPOLOGY));
    run = await api.connections.runnerFor(HV1, lab.current.hosts[HV1]!, lab.current);
    await cleanUp();
  });

  after(async () => {
    if (!run) return;
    await cleanUp();
    await vscode.workspace.fs.delete(uri).then(undefined, () => undefined);
  });

  /** Opens the VM's console and types until its shell answers (the guest booted), then closes it. */
  async function consoleAnswers(v: string): Promise<void> {
    const ptys = await vscode.commands.executeCommand<RemoteTerminal[] | undefined>('vsim.openConsole', { kind: 'vm', uri, host: HV1, vm: v });
    assert.equal(ptys?.length, 1, `console of ${v}`);
    const pty = ptys![0]!;
    let out = '';
    const sub = pty.onDidWrite((s) => { out += s; });
    const terminal = await waitFor(`terminal of ${v}`, () => vscode.window.terminals.find((t) => t.name === `console: ${v} (${HV1})`));
    try {
      const t0 = Date.now();
      await waitFor(`${v}'s shell answers on its console`, async () => {
        terminal.sendText('echo ui-up-$((20+22))\r', false);
        await new Promise((r) => setTimeout(r, 1000));
        return /ui-up-42/.test(out) ? true : undefined;
      }, 180_000, 0).catch((err: Error) => { throw new Error(`${err.message}; console output: ${JSON.stringify(out.slice(-400))}`); });
      console.log('      %s: console answers %d ms after Up', v, Date.now() - t0);
    } finally {
      sub.dispose();
      terminal.dispose();
    }
  }

  async function planRows(): Promise<{ label: string; description: string; context: string; tooltip: string }[]> {
    const files = await api.plans.tree.getChildren();
    const file = files.find((n) => n.kind === 'plan-file' && n.uri.toString() === uri.toString());
    assert.ok(file, 'the Plan view lists the file');
    const hosts = await api.plans.tree.getChildren(file);
    const host = hosts.find((n): n is Extract<PlanNode, { kind: 'plan-host' }> => n.kind === 'plan-host' && n.host === HV1);
    assert.ok(host, `the Plan view lists ${HV1}: ${JSON.stringify(hosts.map((h) => api.plans.tree.getTreeItem(h).label))}`);
    return (await api.plans.tree.getChildren(host)).map((n) => {
      const item = api.plans.tree.getTreeItem(n);
      const tip = item.tooltip;
      return { label: String(item.label), description: String(item.description ?? ''), context: item.contextValue ?? '', tooltip: typeof tip === 'string' ? tip : tip?.value ?? '' };
    });
  }

  it('Plan lists the missing VMs and the bridge; the sandbox\'s own domains as undeclared; badges and the Labs title count', async () => {
    const t0 = Date.now();
    const plan = (await vscode.commands.executeCommand('vsim.planLab', uri)) as Plan;
    figure('lab.planMs', Date.now() - t0);
    const h = plan.hosts.find((x) => x.host === HV1);
    assert.ok(h && !h.error, JSON.stringify(h));
    console.log('      plan of %s: %d changes, %d round trips, %d ms', FILE, h.changes.length, h.roundTrips, Date.now() - t0);
    const kinds = h.changes.map((c) => `${c.kind}:${'vm' in c ? c.vm : 'network' in c ? c.network : ''}`);
    for (const v of VMS) assert.ok(kinds.includes(`vm-missing:${v}`), `${v} missing: ${kinds.join(', ')}`);
    assert.ok(kinds.includes(`network-missing:${BRIDGE}`), `bridge missing: ${kinds.join(', ')}`);

    const rows = await planRows();
    const applicable = rows.filter((r) => r.context === 'plan.change.applicable');
    for (const name of [...VMS, BRIDGE]) assert.ok(applicable.some((r) => r.label.includes(name)), `a Plan view line for ${name}: ${JSON.stringify(rows.map((r) => r.label))}`);
    const chassis = rows.find((r) => r.label.includes('chassis'));
    assert.ok(chassis, 'the sandbox\'s chassis domain is listed (undeclared in this file)');
    assert.equal(chassis.context, 'plan.change.undeclared');
    assert.match(chassis.description, /^not in topology/);

    // Badges: the Labs tree marks each missing VM; the Labs view title counts the applicable changes.
    const files = await api.tree.getChildren();
    const fileNode = files.find((n) => n.kind === 'file' && n.uri.toString() === uri.toString())!;
    const hostNode = (await api.tree.getChildren(fileNode)).find((n) => n.kind === 'host' && n.host === HV1)!;
    for (const n of (await api.tree.getChildren(hostNode)).filter((x) => x.kind === 'vm' && VMS.includes(x.vm))) {
      assert.match(String(api.tree.getTreeItem(n).description), /≠ plan: not defined on host/);
    }
    const count = api.plans.store.total();
    assert.ok(count >= 3, `at least 2 VMs and a bridge to apply (${count})`);
    assert.equal(api.plans.labsBadge(), count, 'the Labs view title shows the count');
  });

  it('the topology graph marks the missing VMs (planMarks → the webview draws them → marksShown)', async () => {
    await vscode.commands.executeCommand('vscode.openWith', uri, 'vsim.topologyEditor');
    try {
      const shown = await waitFor('the graph reports its plan markers', async () => {
        const s = (await vscode.commands.executeCommand('vsim._editor.stats', uri)) as { marksShown?: Record<string, number> }[];
        const m = s.find((x) => x.marksShown)?.marksShown;
        return m && m.missing === VMS.length ? m : undefined;
      }, 60_000, 200);
      assert.deepEqual(shown, { missing: VMS.length });
    } finally {
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputCustom && t.input.uri.toString() === uri.toString());
      await vscode.window.tabGroups.close(tabs);
    }
  });

  it('Up from the Labs view title: one confirmation lists every change and start; then all running, the plan empty, the badge gone', async () => {
    const title = (vscode.extensions.getExtension('vsim.vsim')!.packageJSON as { contributes: { menus: Record<string, { command: string; when?: string }[]> } }).contributes.menus['view/title'];
    assert.ok(title?.some((m) => m.command === 'vsim.labUp' && m.when === 'view == vsim.labs'), 'Up is in the Labs view title');
    let asked: { message: string; lines: string[] } | undefined;
    let asks = 0;
    const t0 = Date.now();
    const r = (await vscode.commands.executeCommand('vsim.labUp', { kind: 'file', uri }, undefined, {
      confirm: (c: { message: string; lines: string[] }) => { asks++; asked = c; return true; },
    })) as LabRun;
    figure('lab.upMs', Date.now() - t0);
    assert.equal(asks, 1, 'one confirmation');
    assert.ok(asked);
    console.log('      Up confirmation: %s\n        %s', asked.message, asked.lines.join('\n        '));
    for (const v of VMS) {
      assert.ok(asked.lines.some((l) => l.startsWith(`start ${v} `)), `starts ${v}`);
      assert.ok(asked.lines.some((l) => l.includes(v) && !l.startsWith('start ')), `defines ${v}`);
    }
    assert.ok(asked.lines.some((l) => l.includes(BRIDGE)), 'creates the bridge');
    assert.ok(!asked.lines.some((l) => /chassis|compute|storage|edge\.Gateway/.test(l)), 'never lists a VM the file does not declare');
    console.log('      Up: %s in %d ms', r.summary, Date.now() - t0);
    upBoots = r.boots;
    assert.deepEqual(r.result.failed, [], r.summary);
    for (const v of VMS) {
      assert.equal((await virsh('domstate', v)).stdout.trim(), 'running', `${v} running`);
      assert.equal(lab.host(HV1).vms[v]?.state, 'running', `the tree shows ${v} running`);
    }
    assert.ok(await bridgeExists(), `${BRIDGE} exists`);
    assert.ok(r.plan, 'planned again after Up');
    assert.equal(driftCount(r.plan), 0, `plan empty after Up: ${JSON.stringify(r.plan.hosts.map((h) => h.changes.filter((c) => c.kind !== 'vm-undeclared')))}`);
    assert.equal(api.plans.store.total(), 0);
    assert.equal(api.plans.labsBadge() ?? 0, 0, 'badge count 0');
    assert.ok(!(await planRows()).some((r2) => r2.context === 'plan.change.applicable'), 'no applicable line left in the Plan view');
  });

  it('Up watched the boot of each VM it started (their serial logs, no console open): phases with their times, to the SSH port answering', async () => {
    assert.ok(upBoots, 'Up returned its boot watches');
    const t0 = Date.now();
    const results = await upBoots;
    console.log('      boot watches after Up: %s (%d ms more)', results.map((b) => `${b.vm} ${b.outcome}: ${b.marks.map((m) => `${m.phase} ${m.atMs} ms`).join(', ')}`).join('; '), Date.now() - t0);
    assert.deepEqual(results.map((b) => b.vm).sort(), VMS);
    for (const b of results) {
      assert.equal(b.outcome, 'reachable', `${b.vm}: ${b.message}`);
      assert.deepEqual(b.marks.map((m) => m.phase).filter((p) => p !== 'firmware'), ['started', 'kernel', 'init', 'ready', 'reachable'], b.message);
      for (let i = 1; i < b.marks.length; i++) assert.ok(b.marks[i]!.atMs >= b.marks[i - 1]!.atMs, `${b.vm}: phases in order`);
      figure(`lab.upBoot_${b.vm}_reachableMs`, b.marks[b.marks.length - 1]!.atMs);
    }
  });

  it('a changed memory and MAC in the file: the Plan view shows exactly those fields (want → have); Apply Change, then Apply All; restart needed', async () => {
    const changed = TOPOLOGY.replace(/(ui-a:\n(?:.*\n)*?    memory: )128/, '$1192').replace('"52:54:00:00:15:0b"', '"52:54:00:00:15:bb"');
    assert.notEqual(changed, TOPOLOGY);
    await vscode.workspace.fs.writeFile(uri, Buffer.from(changed, 'utf8'));
    await waitFor('the new text loaded', () => (api.labs.get(uri)?.lab?.current.vms?.['ui-a']?.memory === 192 ? true : undefined));
    const plan = (await vscode.commands.executeCommand('vsim.planLab', uri)) as Plan;
    const h = plan.hosts.find((x) => x.host === HV1)!;
    const differs = h.changes.filter((c) => c.kind === 'vm-differs');
    assert.deepEqual(differs.map((c) => `${c.kind === 'vm-differs' ? c.vm : ''}:${c.kind === 'vm-differs' ? c.fields.map((f) => f.field).join(',') : ''}`).sort(), ['ui-a:memory', 'ui-b:nics[0].mac'], JSON.stringify(differs));
    assert.equal(driftCount(plan), 2, 'nothing else differs');
    const rows = await planRows();
    const a = rows.find((r) => r.context === 'plan.change.applicable' && r.label.includes('ui-a'));
    assert.ok(a, JSON.stringify(rows));
    assert.match(a.tooltip, /\| memory \| 192\S* \| 128\S* \|/, a.tooltip);
    assert.match(a.description, /restart needed/);
    // One change from the Plan view (its ✓), then the rest for the host.
    const one = (await vscode.commands.executeCommand('vsim.applyChange', { kind: 'plan-change', uri, host: HV1, id: differs.find((c) => c.kind === 'vm-differs' && c.vm === 'ui-a')!.id }, undefined, { confirmed: true })) as LabRun;
    console.log('      Apply Change: %s', one.summary);
    assert.deepEqual(one.result.failed, [], one.summary);
    assert.deepEqual(one.result.restartNeeded, ['ui-a']);
    assert.equal(driftCount(one.plan!), 1, 'only ui-b left');
    const all = (await vscode.commands.executeCommand('vsim.applyAll', { kind: 'plan-host', uri, host: HV1 }, undefined, { confirmed: true })) as LabRun;
    console.log('      Apply All: %s', all.summary);
    assert.deepEqual(all.result.restartNeeded, ['ui-b']);
    assert.equal(driftCount(all.plan!), 0, 'in sync again');
    assert.match((await virsh('dumpxml', '--inactive', 'ui-b')).stdout, /52:54:00:00:15:bb/);
  });

  it('Down shuts every VM of the file down (graceful, once the guests are up)', async () => {
    // The guest powers off on the ACPI button once its acpid runs, which is before its shell starts:
    // the VM's console (vsim.openConsole, the real pty) answering a command means it is up.
    for (const v of VMS) await consoleAnswers(v);
    const t0 = Date.now();
    const r = (await vscode.commands.executeCommand('vsim.labDown', { kind: 'file', uri }, undefined, { confirmed: true })) as LabRun;
    console.log('      Down: %s in %d ms', r.summary, Date.now() - t0);
    assert.deepEqual(r.result.failed, [], r.summary);
    for (const v of VMS) assert.equal((await virsh('domstate', v)).stdout.trim(), 'shut off', `${v} shut off`);
  });

  it('Destroy names every declared VM and network (and the undeclared ones as untouched), removes them, and leaves the sandbox\'s domains alone', async () => {
    const before = await domains();
    const sandboxRunning = (await virsh('list', '--name')).stdout.split('\n').map((s) => s.trim()).filter((n) => n && !VMS.includes(n));
    let asked: { message: string; lines: string[] } | undefined;
    const r = (await vscode.commands.executeCommand('vsim.labDestroy', { kind: 'file', uri }, undefined, {
      confirm: (c: { message: string; lines: string[] }) => { asked = c; return true; },
    })) as LabRun;
    assert.ok(asked);
    console.log('      Destroy confirmation: %s\n        %s', asked.message, asked.lines.join('\n        '));
    for (const v of VMS) assert.ok(asked.lines.some((l) => l.includes(`VM ${v} `)), `names ${v}`);
    assert.ok(asked.lines.some((l) => l.includes(`network ${BRIDGE} `)), `names ${BRIDGE}`);
    const untouched = asked.lines.find((l) => l.startsWith('not touched'));
    assert.ok(untouched?.includes('chassis'), `says chassis is not touched: ${untouched}`);
    assert.deepEqual(r.result.failed, [], r.summary);
    const after = await domains();
    for (const v of VMS) assert.ok(!after.includes(v), `${v} undefined`);
    assert.ok(!(await bridgeExists()), `${BRIDGE} removed`);
    assert.deepEqual(after.sort(), before.filter((d) => !VMS.includes(d)).sort(), 'every other domain still defined');
    for (const d of sandboxRunning) assert.equal((await virsh('domstate', d)).stdout.trim(), 'running', `${d} still running`);
    assert.ok(r.plan && driftCount(r.plan) >= 3, 'the plan shows the lab missing again');
  });

  it('Start on a missing VM applies (defines) it and its bridge first, then starts it', async () => {
    await waitFor('ui-a missing in the tree', () => (lab.host(HV1).vms['ui-a']?.state === 'missing' ? true : undefined), 30_000);
    await vscode.commands.executeCommand('vsim.startVm', { kind: 'vm', uri, host: HV1, vm: 'ui-a' }, undefined, { confirmed: true });
    assert.equal((await virsh('domstate', 'ui-a')).stdout.trim(), 'running');
    assert.ok(await bridgeExists(), `${BRIDGE} created for it`);
  });

  it('refuses a file with errors: nothing is applied', async () => {
    const before = (await domains()).sort();
    await vscode.workspace.fs.writeFile(uri, Buffer.from(`${TOPOLOGY}  ui-c: { host: nowhere, backend: libvirt }\n`, 'utf8'));
    await waitFor('the error seen', () => (api.labs.get(uri)?.errors ? true : undefined));
    // The registry reports the refusal ("… a topology that does not validate is never applied") and the command returns nothing.
    const r = await vscode.commands.executeCommand('vsim.labUp', uri, undefined, { confirmed: true });
    assert.equal(r, undefined, 'refused');
    assert.deepEqual((await domains()).sort(), before, 'no domain defined or removed');
    await vscode.workspace.fs.writeFile(uri, Buffer.from(TOPOLOGY, 'utf8'));
  });
});

// Registered only in the untrusted pass (scripts/test-integration.mjs greps 'untrusted workspace').
if (!vscode.workspace.isTrusted) {
  describe('untrusted workspace: lab bring-up', function () {
    this.timeout(60_000);
    it('Plan, Apply All, Up, Down and Destroy are refused: no handshake, no remote command, no plan', async () => {
      const api = (await vscode.extensions.getExtension('vsim.vsim')!.activate()) as VsimApi;
      await api.labs.ready();
      const entry = await waitFor('sandbox lab loaded', () => api.labs.all().find((e) => e.uri.path.endsWith('/sandbox.vsim.yaml') && e.lab));
      const commands0 = api.connections.pool.commandCount();
      const handshakes0 = api.connections.pool.handshakes(HV1);
      for (const id of ['vsim.planLab', 'vsim.applyAll', 'vsim.labUp', 'vsim.labDown', 'vsim.labDestroy']) {
        const r = await vscode.commands.executeCommand(id, entry.uri, undefined, { confirmed: true });
        assert.equal(r, undefined, `${id} refused`);
      }
      assert.equal(api.plans.store.get(entry.uri)?.plan, undefined, 'nothing planned');
      assert.equal(api.connections.pool.commandCount() - commands0, 0, 'no remote command');
      assert.equal(api.connections.pool.handshakes(HV1) - handshakes0, 0, 'no SSH handshake');
    });
  });
}
