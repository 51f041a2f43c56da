// The live labs against the real sandbox hypervisors (sshd + libvirt + QEMU, a systemd microvm host
// behind ProxyJump): connect, list, events, lifecycle, host-key mismatch, sshd killed and back.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { VsimApi } from '../../src/extension';
import type { Lab } from '../../src/lab/lab';
import { waitFor, workspaceUri, writeWorkspaceFile, figure } from './util';

const HV1 = 'vsim-hv1';

function sshConfigFile(): string | undefined {
  return vscode.workspace.getConfiguration('vsim').get<string>('ssh.configFile') || undefined;
}

describe('live labs on the sandbox', function () {
  this.timeout(180_000);
  let api: VsimApi;
  let lab: Lab;
  let labUri: vscode.Uri;
  let repo: string;

  before(async function () {
    const cfg = sshConfigFile();
    if (!cfg) {
      console.log('      skipped: no sandbox hypervisor (vsim.ssh.configFile is not set; run through npm run test:integration)');
      this.skip();
    }
    repo = path.resolve(path.dirname(cfg), '..', '..');
    api = (await vscode.extensions.getExtension('vsim.vsim')!.activate()) as VsimApi;
    await api.labs.ready();
    const entry = await waitFor('sandbox lab loaded', () => api.labs.all().find((e) => e.uri.path.endsWith('/sandbox.vsim.yaml') && e.lab));
    lab = entry.lab!;
    labUri = entry.uri;
    // Hide the Labs view: the refresh policy then polls nothing, so state changes below come from the event stream.
    await vscode.commands.executeCommand('workbench.view.explorer');
  });

  it('connects to vsim-hv1 and lists its VMs, Services and networks in one round trip', async () => {
    // A poll already under way would be joined, not counted: let it end, then (in the same tick, so no
    // other refresh can start) count this test's own. Earlier suites may already have dialled.
    await lab.refresh(HV1);
    const handshakes0 = api.connections.pool.handshakes(HV1);
    const before = lab.roundTrips.get(HV1) ?? 0;
    const probes = lab.netRoundTrips.get(HV1) ?? 0;
    const commands0 = api.connections.pool.commandCount(HV1);
    await lab.refresh(HV1);
    const commands = api.connections.pool.commandCount(HV1) - commands0;
    const h = lab.host(HV1);
    assert.equal(h.connection.kind, 'connected', JSON.stringify(h.connection));
    assert.equal(h.vms.chassis?.state, 'running');
    assert.equal(h.vms.compute?.state, 'running');
    const backends = lab.vmsByBackend(HV1).size;
    assert.ok(backends >= 2, `vsim-hv1 has VMs of several backends (${[...lab.vmsByBackend(HV1).keys()].join(', ')})`);
    assert.equal((lab.roundTrips.get(HV1) ?? 0) - before, 1, `one round trip for every backend (${[...lab.vmsByBackend(HV1).keys()].join(', ')}), Services and networks`);
    assert.equal(commands, 1, 'one command through the pool for the refresh');
    assert.equal((lab.netRoundTrips.get(HV1) ?? 0) - probes, 1, 'the network probe for the Networks node (vsimbr0) in it');
    assert.equal(h.health?.services.kind, 'absent', `the Services probe answered in it (PID 1 is not systemd on vsim-hv1): ${JSON.stringify(h.health?.services)}`);
    assert.ok(h.net && 'facts' in h.net && h.net.facts.links.some((l) => l.name === 'vsimbr0'), JSON.stringify(h.net && 'error' in h.net ? h.net.error : 'probed'));
    const handshakes1 = api.connections.pool.handshakes(HV1);
    assert.ok(handshakes1 - handshakes0 <= 1, `the first refresh dials at most once (${handshakes1 - handshakes0})`);
    assert.ok(handshakes1 >= 1, 'connected through one handshake');
    for (let i = 0; i < 5; i++) await lab.refresh(HV1);
    assert.equal(api.connections.pool.handshakes(HV1) - handshakes1, 0, 'five more refreshes: no new SSH handshake');
  });

  it('the tree shows the host connected and each VM with its state, backend and IPs', async () => {
    const files = await api.tree.getChildren();
    const file = files.find((n) => n.kind === 'file' && n.uri.path.endsWith('/sandbox.vsim.yaml'));
    assert.ok(file);
    const hosts = await api.tree.getChildren(file);
    const hv1 = hosts.find((n) => n.kind === 'host' && n.host === HV1);
    assert.ok(hv1);
    assert.equal(api.tree.getTreeItem(hv1).contextValue, 'host.connected');
    const vms = await api.tree.getChildren(hv1);
    const chassis = vms.find((n) => n.kind === 'vm' && n.vm === 'chassis');
    assert.ok(chassis);
    const item = api.tree.getTreeItem(chassis);
    assert.equal(item.contextValue, 'vm.running.libvirt');
    assert.match(String(item.description), /running · libvirt · x86_64 · 192\.168\.100\.10/);
  });

  it('a VM started outside vsim turns running through the virsh event stream', async () => {
    const runner = await api.connections.runnerFor(HV1, lab.current.hosts[HV1]!, lab.current);
    const virsh = (...a: string[]) => runner.exec(['virsh', '-c', 'qemu:///system', ...a]);
    if ((await virsh('domstate', 'storage')).stdout.trim() !== 'shut off') await virsh('destroy', 'storage');
    await lab.refresh(HV1);
    assert.equal(lab.host(HV1).vms.storage?.state, 'stopped');
    await lab.watch(HV1);
    const polls = lab.roundTrips.get(HV1) ?? 0;
    const t0 = Date.now();
    const r = await virsh('start', 'storage');
    assert.equal(r.code, 0, r.stderr);
    await waitFor('storage running in the lab', () => lab.host(HV1).vms.storage?.state === 'running' || undefined, 30_000);
    figure('labs.virshStartToTree', Date.now() - t0);
    console.log('      virsh start → running in the tree: %d ms (%d listing(s) triggered by events)', Date.now() - t0, (lab.roundTrips.get(HV1) ?? 0) - polls);
    lab.unwatch(HV1);
  });

  it('destroy from the command turns it stopped', async () => {
    // The graph's way to name a VM: { kind, name, uri } (chassis-emulator defines a storage VM too).
    await vscode.commands.executeCommand('vsim.destroyVm', { kind: 'vm', name: 'storage', uri: labUri }, undefined, { confirmed: true });
    assert.equal(lab.host(HV1).vms.storage?.state, 'stopped');
  });

  it('a failing operation names the host, the command and stderr', async () => {
    // Resuming a VM that is not paused fails in libvirt.
    await assert.rejects(lab.lifecycle('storage', 'resume'), (err: Error) => {
      assert.match(err.message, /virsh .*resume storage on vsim-hv1 failed \(exit 1\): error: .*/);
      return true;
    });
  });

  it('reaches vsim-hv2 through ProxyJump and lists its microvm slots', async () => {
    await lab.refresh('vsim-hv2');
    const h = lab.host('vsim-hv2');
    assert.equal(h.connection.kind, 'connected', JSON.stringify(h.connection));
    assert.equal(h.vms.slot1?.state, 'running');
    assert.equal(h.vms.slot3?.state, 'stopped');
  });

  it('the topology graph colours each VM by its live state (the graph counts as a viewer for the refresh policy)', async () => {
    const t0 = Date.now();
    await vscode.commands.executeCommand('vscode.openWith', labUri, 'vsim.topologyEditor');
    try {
      // What the graph shows (drawn VMs per colour) is what the lab knows, with chassis and compute running and storage stopped.
      const expected = (): Record<string, number> => {
        const want: Record<string, number> = {};
        for (const [name, vm] of Object.entries(lab.current.vms ?? {})) {
          const st = lab.host(vm.host).vms[name]?.state;
          const live = st === 'running' || st === 'paused' ? st : st === 'stopped' || st === 'crashed' ? 'stopped' : 'unknown';
          want[live] = (want[live] ?? 0) + 1;
        }
        return want;
      };
      const norm = (o: Record<string, number>) => JSON.stringify(Object.entries(o).sort());
      let last: unknown;
      const shown = await waitFor('graph shows the lab\'s live states', async () => {
        const s = (await vscode.commands.executeCommand('vsim._editor.stats', labUri)) as { liveShown?: Record<string, number> }[];
        const live = s.find((x) => x.liveShown)?.liveShown;
        last = { graph: live, lab: expected() };
        return live && (live.running ?? 0) >= 2 && (live.stopped ?? 0) >= 1 && norm(live) === norm(expected()) ? live : undefined;
      }, 60_000, 200).catch((e: Error) => { throw new Error(`${e.message}; last seen ${JSON.stringify(last)}`); });
      console.log('      graph live states %d ms after opening: %s', Date.now() - t0, JSON.stringify(shown));
      assert.equal(lab.host(HV1).vms.storage?.state, 'stopped');
    } finally {
      const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs)
        .filter((t) => t.input instanceof vscode.TabInputCustom && t.input.uri.toString() === labUri.toString());
      await vscode.window.tabGroups.close(tabs);
      // VS Code reopens a file with the editor it was last shown in: make that the text editor again.
      await vscode.commands.executeCommand('vscode.openWith', labUri, 'default');
      await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
    }
  });

  it('idle: with the Labs view and every graph hidden, no remote command runs; shown again, polling resumes', async function () {
    this.timeout(90_000);
    const total = () => api.labs.all().reduce((n, e) => n + [...(e.lab?.roundTrips.values() ?? [])].reduce((a, b) => a + b, 0), 0);
    const commands = () => api.connections.pool.commandCount();
    await vscode.commands.executeCommand('workbench.view.explorer');
    await new Promise((r) => setTimeout(r, 500)); // let an in-flight listing finish
    const trips0 = total();
    const cmds0 = commands();
    const pollS = vscode.workspace.getConfiguration('vsim').get<number>('refresh.pollSeconds', 15);
    const idleMs = (pollS + 5) * 1000;
    await new Promise((r) => setTimeout(r, idleMs));
    const idleTrips = total() - trips0;
    const idleCmds = commands() - cmds0;
    console.log('      idle %d s (poll interval %d s): %d listings, %d remote commands', idleMs / 1000, pollS, idleTrips, idleCmds);
    figure('labs.idleRemoteCommands', idleCmds, 'commands');
    assert.equal(idleTrips, 0, 'no listing while nothing shows live state');
    assert.equal(idleCmds, 0, 'no remote command at all while nothing shows live state');
    // The control: showing the Labs view again refreshes at once (so the counters above would have seen polling).
    await vscode.commands.executeCommand('workbench.view.extension.vsim');
    await waitFor('a refresh after the Labs view is shown', () => (total() > trips0 ? true : undefined), 30_000, 100);
    await vscode.commands.executeCommand('workbench.view.explorer');
  });

  it('refuses a host whose key does not match known_hosts, naming both fingerprints', async () => {
    const cfg = sshConfigFile()!;
    const text = readFileSync(cfg, 'utf8');
    const block = /Host vsim-hv1\n([\s\S]*?)(?=\nHost |\s*$)/.exec(text)?.[1] ?? '';
    const port = /Port (\d+)/.exec(block)?.[1];
    assert.ok(port, 'sandbox ssh config has the hv1 port');
    const blob = Buffer.concat([sshString(Buffer.from('ssh-ed25519')), sshString(randomBytes(32))]);
    const bad = path.join(path.dirname(cfg), 'known_hosts.bad');
    writeFileSync(bad, `[127.0.0.1]:${port} ssh-ed25519 ${blob.toString('base64')}\n`);
    const badCfg = path.join(path.dirname(cfg), 'config.badkey');
    writeFileSync(badCfg, `${text}\nHost vsim-hv1-badkey\n${block.replace(/UserKnownHostsFile .*/, `UserKnownHostsFile ${bad}`)}\n`);
    const settings = vscode.workspace.getConfiguration('vsim');
    await settings.update('ssh.configFile', badCfg, vscode.ConfigurationTarget.Global);
    const uri = await writeWorkspaceFile('badkey.vsim.yaml', 'version: 1\nhosts:\n  vsim-hv1-badkey: { sshConfigHost: vsim-hv1-badkey, kvm: false }\nvms:\n  chassis: { host: vsim-hv1-badkey, backend: libvirt, accel: tcg }\n');
    try {
      const entry = await waitFor('badkey lab', () => api.labs.get(uri)?.lab && api.labs.get(uri));
      await waitFor('configuration applied', () => sshConfigFile() === badCfg || undefined);
      await entry.lab!.refresh('vsim-hv1-badkey');
      const c = entry.lab!.host('vsim-hv1-badkey').connection;
      assert.equal(c.kind, 'error');
      assert.match(c.kind === 'error' ? c.message : '', /does not match known_hosts: expected SHA256:\S+ \(\S*known_hosts\.bad:1\), got SHA256:\S+\. If the host's key was changed on purpose, remove the old key with ssh-keygen -R '\[127\.0\.0\.1\]:\d+' -f \S*known_hosts\.bad and connect again\. Refusing to connect\./);
    } finally {
      await settings.update('ssh.configFile', cfg, vscode.ConfigurationTarget.Global);
      await vscode.workspace.fs.delete(uri);
    }
  });

  it('sshd killed: a clear error, then the host reconnects when sshd is back', async () => {
    const pids = execFileSync('ip', ['netns', 'pids', 'vsim-hv1'], { encoding: 'utf8' }).split('\n').filter(Boolean);
    const sshd = pids.filter((p) => {
      try { return readFileSync(`/proc/${p}/comm`, 'utf8').trim() === 'sshd'; } catch { return false; }
    });
    assert.ok(sshd.length > 0, 'sandbox sshd processes found in netns vsim-hv1');
    for (const p of sshd) process.kill(Number(p), 'SIGKILL');
    await waitFor('error after sshd died', async () => {
      await lab.refresh(HV1);
      const c = lab.host(HV1).connection;
      return c.kind === 'error' ? c : undefined;
    }, 60_000, 200).then((c) => console.log('      while sshd is down: %s', c.message));
    const stale = lab.host(HV1).vms.chassis;
    assert.equal(stale?.state, 'unknown', 'not shown as running while the host cannot be asked');
    assert.equal(stale?.lastKnown?.state, 'running');
    assert.match(stale?.detail ?? '', /^last known running at /);
    execFileSync('bash', [path.join(repo, 'test', 'sandbox', 'sandbox.sh'), 'up'], { stdio: 'ignore', timeout: 120_000 });
    await waitFor('reconnected after sshd came back', async () => {
      await lab.refresh(HV1);
      return lab.host(HV1).connection.kind === 'connected' || undefined;
    }, 60_000, 250);
    assert.equal(lab.host(HV1).vms.chassis?.state, 'running');
  });

  after(async () => {
    await vscode.workspace.fs.delete(workspaceUri('badkey.vsim.yaml')).then(undefined, () => undefined);
  });
});

function sshString(b: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(b.length);
  return Buffer.concat([len, b]);
}
