// Without workspace trust vsim still checks topology files but never connects to a hypervisor or
// runs a remote command. Registered only in an untrusted window: scripts/test-integration.mjs runs
// a second pass with workspace trust enabled (the folder is then untrusted) and only these tests.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { VsimApi } from '../../src/extension';
import type { RemoteTerminal } from '../../src/console/remoteTerminal';
import { waitFor, writeWorkspaceFile } from './util';

const HV1 = 'vsim-hv1';
const NOT_TRUSTED = /not trusted/i;

if (!vscode.workspace.isTrusted) {
  describe('untrusted workspace', function () {
    this.timeout(60_000);
    let api: VsimApi;
    let uri: vscode.Uri;

    before(async () => {
      api = (await vscode.extensions.getExtension('vsim.vsim')!.activate()) as VsimApi;
      await api.labs.ready();
      const entry = await waitFor('sandbox lab loaded', () => api.labs.all().find((e) => e.uri.path.endsWith('/sandbox.vsim.yaml') && e.lab));
      uri = entry.uri;
    });

    it('diagnostics still work: a broken reference is reported', async () => {
      const broken = await writeWorkspaceFile('untrusted-broken.vsim.yaml',
        'version: 1\nhosts:\n  h: { address: 192.0.2.1 }\nvms:\n  a: { host: nosuchhost, backend: libvirt }\n');
      try {
        await vscode.workspace.openTextDocument(broken);
        const d = await waitFor('a diagnostic', () => {
          const ds = vscode.languages.getDiagnostics(broken).filter((x) => x.source === 'vsim');
          return ds.length ? ds : undefined;
        });
        assert.ok(d.some((x) => /nosuchhost/.test(x.message)), d.map((x) => x.message).join('\n'));
      } finally {
        await vscode.workspace.fs.delete(broken);
      }
    });

    it('refreshing the lab does not connect: the host says so; no handshake, no remote command', async () => {
      const lab = api.labs.get(uri)!.lab!;
      await lab.refresh(HV1);
      const c = lab.host(HV1).connection;
      assert.equal(c.kind, 'untrusted');
      assert.equal(api.connections.pool.handshakes(HV1), 0);
      assert.equal(api.connections.pool.commandCount(), 0);
      const files = await api.tree.getChildren();
      const file = files.find((n) => n.kind === 'file' && n.uri.toString() === uri.toString());
      assert.ok(file);
      const hv1 = (await api.tree.getChildren(file)).find((n) => n.kind === 'host' && n.host === HV1);
      assert.ok(hv1);
      assert.match(String(api.tree.getTreeItem(hv1).description), NOT_TRUSTED);
    });

    it('remote commands refuse with the reason: console, tc, lifecycle', async () => {
      const vm = { kind: 'vm', uri, host: HV1, vm: 'chassis' };
      // A console opens its terminal and says there why it cannot connect (it ends as failed).
      const ptys = await vscode.commands.executeCommand<RemoteTerminal[]>('vsim.openConsole', vm);
      const pty = ptys?.[0];
      assert.ok(pty, 'a terminal was opened');
      await waitFor('the console to end', () => (pty.state === 'ended' ? true : undefined), 15_000);
      assert.equal(pty.lastEndKind, 'failed');
      pty.close();
      // tc commands report per host (several hosts may be shaped at once): the error is in the summary.
      const tc = await vscode.commands.executeCommand<{ errors: string[]; ifaces: unknown[] }>('vsim.applyProfile', vm, [vm], 'constrained');
      assert.equal(tc.ifaces.length, 0);
      assert.match(tc.errors.join('\n'), NOT_TRUSTED);
      // Commands show their error as a message (the one command registry) and resolve; the lab below refuses.
      await vscode.commands.executeCommand('vsim.startVm', vm, undefined, { confirmed: true });
      await assert.rejects(api.labs.get(uri)!.lab!.lifecycle('chassis', 'start'), NOT_TRUSTED);
      assert.equal(api.connections.pool.handshakes(HV1), 0);
      assert.equal(api.connections.pool.commandCount(), 0);
    });
  });
}
