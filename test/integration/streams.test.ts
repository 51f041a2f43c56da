// The libvirt event stream and Disconnect from Host against the sandbox's real sshd + libvirt, with
// the Labs view open: a file that turns valid gets its stream at once (a domain started with virsh
// outside vsim shows in the tree without waiting for a poll); after Disconnect no `virsh event` is
// left on the hypervisor (pgrep over OpenSSH, not vsim's connection) and the host stays
// disconnected across poll intervals until Connect to Host.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as vscode from 'vscode';
import type { VsimApi } from '../../src/extension';
import type { Lab } from '../../src/lab/lab';
import type { HostNode } from '../../src/tree/nodes';
import { figure, waitFor, writeWorkspaceFile } from './util';

const HV1 = 'vsim-hv1';
const FILE = 'streams-it.vsim.yaml';
const VALID = `# test/integration/streams.test.ts: a file of its own naming the sandbox's storage domain.
version: 1
hosts:
  ${HV1}: { sshConfigHost: ${HV1}, kvm: false }
vms:
  storage: { host: ${HV1}, backend: libvirt, accel: tcg, memory: 128 }
`;
/** A YAML syntax error: no topology at all, whatever the checks accept of a file with errors. */
const INVALID = VALID.replace('vms:', 'vms: [unclosed');

(vscode.workspace.isTrusted ? describe : describe.skip)('event streams and Disconnect from Host on the sandbox', function () {
  this.timeout(240_000);
  let api: VsimApi;
  let sandbox: { uri: vscode.Uri; lab: Lab };
  let sshConfig: string;
  let uri: vscode.Uri | undefined;

  /** A command on vsim-hv1 over OpenSSH with the sandbox's config: outside vsim and its connection. */
  const onHost = (command: string): string => execFileSync('ssh', ['-F', sshConfig, '-o', 'BatchMode=yes', HV1, '--', command], { encoding: 'utf8', timeout: 60_000 });
  /** The `virsh … event` programs running on vsim-hv1 (not the sh that wraps each). */
  const eventStreams = (): string[] => onHost("pgrep -af '[v]irsh.*event' || true").split('\n').filter((l) => /^\d+ virsh /.test(l));
  const domstate = (): string => onHost('virsh -c qemu:///system domstate storage').trim();
  /** Every lab of the workspace that names vsim-hv1 (they share its connection). */
  const hv1Labs = (): Lab[] => api.labs.all().flatMap((e) => (e.lab?.current.hosts[HV1] && !e.lab.current.offline ? [e.lab] : []));

  before(async function () {
    sshConfig = vscode.workspace.getConfiguration('vsim').get<string>('ssh.configFile') ?? '';
    if (!sshConfig) {
      console.log('      skipped: no sandbox hypervisor (vsim.ssh.configFile is not set; run through npm run test:integration)');
      this.skip();
    }
    api = (await vscode.extensions.getExtension('vsim.vsim')!.activate()) as VsimApi;
    await api.labs.ready();
    const entry = await waitFor('sandbox lab loaded', () => api.labs.all().find((e) => e.uri.path.endsWith('/sandbox.vsim.yaml') && e.lab));
    sandbox = { uri: entry.uri, lab: entry.lab! };
    if (domstate() !== 'shut off') onHost('virsh -c qemu:///system destroy storage');
    // The Labs view open: the refresh policy starts every host's stream and polls the others.
    await vscode.commands.executeCommand('workbench.view.extension.vsim');
    await waitFor('the Labs view visible', () => api.labs.policy.isVisible || undefined);
    // (its vsim-hv1 also has a qemu VM, which has no stream: watched, though not fully.)
    await waitFor('the sandbox lab\'s stream on vsim-hv1', () => (eventStreams().length >= 1 ? true : undefined), 30_000, 250);
  });

  it('a file that turns valid while the view is open gets its event stream: a domain started outside vsim shows without a poll', async () => {
    uri = await writeWorkspaceFile(FILE, INVALID);
    await waitFor('the invalid file loaded (errors, no lab)', () => { const e = api.labs.get(uri!); return e && e.errors > 0 && !e.lab ? e : undefined; });
    const streams0 = await waitFor('the streams of the other labs up', () => { const s = eventStreams(); return s.length >= 1 ? s : undefined; }, 30_000, 250);
    await writeWorkspaceFile(FILE, VALID);
    const lab = await waitFor('the file valid: its lab', () => api.labs.get(uri!)?.lab, 30_000);
    await waitFor('its host listed', () => (lab.host(HV1).vms.storage?.state === 'stopped' ? true : undefined), 30_000, 50);
    await waitFor('its host watched (no poll needed)', () => lab.isFullyWatched(HV1) || undefined, 30_000, 50);
    const streams1 = await waitFor('one more virsh event on the host', () => { const s = eventStreams(); return s.length > streams0.length ? s : undefined; }, 30_000, 100);
    console.log('      virsh event on %s: %d before the file turned valid, %d after', HV1, streams0.length, streams1.length);
    const polls0 = api.labs.policy.polls;
    const pollS = vscode.workspace.getConfiguration('vsim').get<number>('refresh.pollSeconds', 15);
    const t0 = Date.now();
    onHost('virsh -c qemu:///system start storage');
    try {
      await waitFor('storage running in the new lab', () => (lab.host(HV1).vms.storage?.state === 'running' ? true : undefined), 60_000, 10);
      const ms = Date.now() - t0;
      figure('streams.validFileStartToTree', ms);
      console.log('      virsh start over ssh → running in the tree of the file that turned valid: %d ms (poll interval %d s; %d poll(s) meanwhile)', ms, pollS, api.labs.policy.polls - polls0);
      assert.ok(lab.isFullyWatched(HV1), 'the host has its stream, so the poll skips it: the change came from the stream');
    } finally {
      onHost('virsh -c qemu:///system destroy storage');
    }
    await waitFor('storage stopped in the new lab', () => (lab.host(HV1).vms.storage?.state === 'stopped' ? true : undefined), 60_000, 50);
  });

  it('Disconnect from Host: no virsh event left on the host; disconnected across poll intervals until Connect to Host', async function () {
    this.timeout(120_000);
    const host: HostNode = { kind: 'host', uri: sandbox.uri, host: HV1 };
    assert.ok(eventStreams().length >= 1, 'streams run before the disconnect');
    const handshakes0 = api.connections.pool.handshakes(HV1);
    const t0 = Date.now();
    await vscode.commands.executeCommand('vsim.disconnectHost', host);
    for (const lab of hv1Labs()) assert.deepEqual(lab.host(HV1).connection, { kind: 'disconnected' });
    assert.equal(api.tree.getTreeItem(host).contextValue, 'host.disconnected');
    await waitFor('no virsh event on the host', () => (eventStreams().length === 0 ? true : undefined), 30_000, 100);
    console.log('      Disconnect → no virsh event on %s (pgrep over ssh): %d ms', HV1, Date.now() - t0);
    // Longer than any reconnect: two poll intervals (and the streams' backoff many times over), a refresh of every host meanwhile.
    const polls0 = api.labs.policy.polls;
    await vscode.commands.executeCommand('vsim.refresh');
    await waitFor('two poll intervals', () => (api.labs.policy.polls >= polls0 + 2 ? true : undefined), 90_000, 200);
    console.log('      still disconnected %d ms after Disconnect (%d polls)', Date.now() - t0, api.labs.policy.polls - polls0);
    for (const lab of hv1Labs()) {
      assert.deepEqual(lab.host(HV1).connection, { kind: 'disconnected' });
      assert.equal(lab.isFullyWatched(HV1), false);
    }
    assert.equal(api.tree.getTreeItem(host).contextValue, 'host.disconnected');
    assert.equal(api.connections.pool.handshakes(HV1), handshakes0, 'no new SSH handshake');
    assert.equal(api.connections.pool.find(HV1), undefined, 'the pooled connection is closed and forgotten');
    assert.deepEqual(eventStreams(), [], 'no stream came back');
    await assert.rejects(sandbox.lab.lifecycle('storage', 'start'), /vsim-hv1 is disconnected: use "Connect to Host"/);

    await vscode.commands.executeCommand('vsim.connectHost', host);
    for (const lab of hv1Labs()) {
      await waitFor('connected again', () => (lab.host(HV1).connection.kind === 'connected' ? true : undefined), 30_000, 50)
        .catch((e: Error) => { throw new Error(`${e.message}: ${JSON.stringify(lab.host(HV1).connection)}`); });
    }
    assert.equal(api.tree.getTreeItem(host).contextValue, 'host.connected');
    assert.ok(api.connections.pool.handshakes(HV1) > handshakes0, 'Connect dialled');
    const streams = await waitFor('streams again', () => { const s = eventStreams(); return s.length >= 1 ? s : undefined; }, 30_000, 100);
    console.log('      Connect → %d virsh event stream(s) on %s again', streams.length, HV1);
  });

  after(async () => {
    if (uri) await vscode.workspace.fs.delete(uri).then(undefined, () => undefined);
    await vscode.commands.executeCommand('workbench.view.explorer');
  });
});
