// A host's Services node against the real sandbox: vsim-hv2 runs real systemd 252 (its microvm@
// units, sshd-hv2 and vsim-flaky, a unit that fails on purpose at its first start); vsim-hv1's
// PID 1 is not systemd. Restart from the command, the journal followed and stopped (the remote
// journalctl gone, checked with pgrep), a unit the file names that the host does not have.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { VsimApi } from '../../src/extension';
import type { CommandRunner } from '../../src/backends/backend';
import type { Lab } from '../../src/lab/lab';
import type { ServiceLogTerminal } from '../../src/commands/service/serviceLog';
import type { LabNode, ServiceNode } from '../../src/tree/nodes';
import { sandboxApi, waitFor, writeLab } from './util';

const HV1 = 'vsim-hv1';
const HV2 = 'vsim-hv2';
const FLAKY = 'vsim-flaky.service';

describe('host Services on the sandbox', function () {
  this.timeout(120_000);
  let api: VsimApi;
  let lab: Lab;
  let uri: vscode.Uri;
  let hv2: CommandRunner;
  const sh = async (script: string): Promise<string> => (await hv2.exec(['sh', '-c', script])).stdout.trim();

  /** The rows under HOST's Services node, with their tree items. */
  async function rows(host: string, u = uri): Promise<{ node: LabNode; item: vscode.TreeItem }[]> {
    const hostNode = (await api.tree.getChildren({ kind: 'file', uri: u })).find((n) => n.kind === 'host' && n.host === host);
    assert.ok(hostNode, `no host row ${host}`);
    const services = (await api.tree.getChildren(hostNode)).find((n) => n.kind === 'services');
    assert.ok(services, `no Services row under ${host}`);
    return (await api.tree.getChildren(services)).map((node) => ({ node, item: api.tree.getTreeItem(node) }));
  }

  const flakyRow = async () => (await rows(HV2)).find((r) => r.node.kind === 'service' && r.node.unit === FLAKY);

  before(async function () {
    api = await sandboxApi(this);
    const entry = await waitFor('sandbox lab loaded', () => api.labs.all().find((e) => e.uri.path.endsWith('/sandbox.vsim.yaml') && e.lab));
    lab = entry.lab!;
    uri = entry.uri;
    hv2 = await api.connections.runnerFor(HV2, lab.current.hosts![HV2]!, lab.current);
    const state = (await hv2.exec(['systemctl', 'is-system-running'])).stdout.trim();
    if (state !== 'running' && state !== 'degraded') {
      console.log(`      skipped: vsim-hv2 does not run systemd (is-system-running: ${state || 'no answer'}; VSIM_HV2_MODE=sshd?)`);
      this.skip();
    }
    if (!(await sh(`systemctl show -p LoadState --value ${FLAKY}`)).startsWith('loaded')) {
      console.log(`      skipped: ${FLAKY} is not on vsim-hv2 (a sandbox from before test/sandbox/microvm/up.sh made it: run sandbox.sh down, then up)`);
      this.skip();
    }
  });

  after(async () => {
    await sh(`systemctl stop ${FLAKY}; systemctl reset-failed ${FLAKY} 2>/dev/null; true`).catch(() => undefined);
  });

  it('vsim-hv1, whose PID 1 is not systemd, shows Services as "not on this host" with the reason (not an error)', async () => {
    await lab.refresh(HV1);
    const h = lab.host(HV1);
    assert.equal(h.connection.kind, 'connected', JSON.stringify(h.connection));
    assert.equal(h.health?.services.kind, 'absent', JSON.stringify(h.health));
    const r = await rows(HV1);
    assert.deepEqual(r.map((x) => x.item.label), ['not on this host: systemd is not running as PID 1 on vsim-hv1 (System has not been booted with systemd as init system (PID 1). Can\'t operate.).']);
    assert.equal(api.tree.getTreeItem((await api.tree.getChildren((await api.tree.getChildren({ kind: 'file', uri })).find((n) => n.kind === 'host' && n.host === HV1)!)).find((n) => n.kind === 'services')!).description, 'not on this host');
  });

  it('a unit failed on purpose shows failed; Restart Service (confirmed, naming unit and host) makes it active', async () => {
    await sh(`rm -f /run/vsim-flaky.ok; systemctl stop ${FLAKY}; systemctl reset-failed ${FLAKY} 2>/dev/null; systemctl start ${FLAKY}; true`);
    await waitFor('vsim-flaky failed', async () => ((await sh(`systemctl is-active ${FLAKY} || true`)) === 'failed' ? true : undefined), 20_000);
    await lab.refresh(HV2);
    const failed = await flakyRow();
    assert.ok(failed, JSON.stringify((await rows(HV2)).map((r) => r.item.label)));
    assert.match(String(failed.item.description), /^failed \(exit-code\) · since /);
    assert.equal(failed.item.contextValue, 'service.failed');
    // The microvm@ units and the file's services: are listed too; defaults the host lacks are one line.
    const labels = (await rows(HV2)).map((r) => String(r.item.label));
    for (const u of ['microvm@slot1', 'microvm@slot2', 'sshd-hv2', 'vsim-flaky']) assert.ok(labels.includes(u), `${u} in ${JSON.stringify(labels)}`);
    // The sandbox masks libvirtd, virtlogd and systemd-networkd in hv2: masked units are rows; units systemd does not know are one line.
    for (const u of ['libvirtd', 'virtlogd', 'systemd-networkd']) assert.ok(labels.includes(u), `${u} (masked) in ${JSON.stringify(labels)}`);
    assert.ok(labels.includes('not on this host: ovs-vswitchd, ovsdb-server, dnsmasq, comin, setup-inner-vms'), JSON.stringify(labels));
    assert.ok(labels.some((l) => /^ZFS: not on this host \(zpool is not installed on vsim-hv2/.test(l)), JSON.stringify(labels));

    let asked: { message: string; lines: string[]; button: string } | undefined;
    const after = await vscode.commands.executeCommand<{ active: string; sub: string } | undefined>('vsim.restartService', failed.node as ServiceNode,
      { confirm: (c: { message: string; lines: string[]; button: string }) => { asked = c; return true; } });
    assert.equal(asked?.message, `Restart ${FLAKY} on ${HV2}?`);
    assert.equal(asked?.button, 'Restart');
    assert.deepEqual(asked?.lines, [`systemctl restart ${FLAKY} on ${HV2}`, 'now: failed (exit-code)']);
    assert.equal(`${after?.active}/${after?.sub}`, 'active/running');
    assert.equal(await sh(`systemctl is-active ${FLAKY}`), 'active');
    const row = await flakyRow();
    assert.match(String(row?.item.description), /^active\/running · since /);
    const copied = await vscode.commands.executeCommand<string>('vsim.copyServiceStatus', row!.node);
    assert.match(copied, /^vsim-flaky\.service on vsim-hv2: active\/running since 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d UTC \(pid \d+\) — vsim sandbox: fails on purpose at its first start$/);
    assert.equal(await vscode.env.clipboard.readText(), copied);
  });

  it('Show Service Log follows the journal (last lines first, binary junk shown as text, new lines as they come); closing it ends the remote journalctl', async () => {
    const node: ServiceNode = { kind: 'service', uri, host: HV2, unit: FLAKY };
    const pgrep = () => sh(`pgrep -f '^journalctl -u ${FLAKY} -f -n 50' || true`);
    assert.equal(await pgrep(), '', 'no journalctl of ours before');
    const pty = await vscode.commands.executeCommand<ServiceLogTerminal>('vsim.showServiceLog', node, '50');
    assert.ok(pty, 'the command returns its terminal');
    let text = '';
    pty.onDidWrite((s) => { text += s; });
    await waitFor('the journal\'s last lines', () => (/vsim-flaky: failing on purpose/.test(text) || /failing on purpose/.test(pty.current?.lines().join('\n') ?? '') ? true : undefined), 30_000);
    const kept = () => pty.current?.lines().join('\n') ?? '';
    assert.match(kept(), /vsim-flaky: running/);
    // journald keeps the line with bytes that are not UTF-8 as a blob; journalctl shows it as such.
    assert.match(kept(), /\[\d+(\.\d+)?[KMG]?B? blob data\]|binary junk/);
    assert.doesNotMatch(kept(), /[\x00-\x08\x0e-\x1a\x1c-\x1f]/, 'no raw control characters reach the terminal');
    const pids = await pgrep();
    assert.match(pids, /^\d+/, 'journalctl runs on vsim-hv2 while the log is shown');
    await sh(`systemctl restart ${FLAKY}`);
    await waitFor('a new line after the restart', () => ((kept().match(/vsim-flaky: running/g) ?? []).length >= 2 ? true : undefined), 30_000);
    const terminal = vscode.window.terminals.find((t) => t.name === `journal: vsim-flaky (${HV2})`);
    assert.ok(terminal, `terminal not found: ${vscode.window.terminals.map((t) => t.name).join(', ')}`);
    terminal.dispose();
    await waitFor('log terminal closed', () => (pty.state === 'closed' ? true : undefined), 10_000);
    await waitFor(`journalctl (pid ${pids}) gone from vsim-hv2`, async () => ((await pgrep()) === '' ? true : undefined), 15_000);
  });

  it('a unit the file names that the host does not have: its row says so clearly, and its commands say so as information', async () => {
    const { uri: u, lab: l } = await writeLab(api, 'services-missing.vsim.yaml', [
      'version: 1', 'name: services-missing', 'hosts:', `  ${HV2}:`, `    sshConfigHost: ${HV2}`, '    services: [vsim-no-such-unit]', '',
    ].join('\n'));
    await l.refresh(HV2);
    const r = (await rows(HV2, u)).find((x) => x.node.kind === 'service' && x.node.unit === 'vsim-no-such-unit.service');
    assert.ok(r, JSON.stringify((await rows(HV2, u)).map((x) => x.item.label)));
    assert.equal(r.item.description, `no such unit on ${HV2}`);
    assert.equal(r.item.contextValue, 'service.not-found');
    assert.equal(await vscode.commands.executeCommand('vsim.restartService', r.node, { confirmed: true }), undefined);
    await vscode.workspace.fs.delete(u);
  });
});
