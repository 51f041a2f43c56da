// Tests and the demo never dial outside the sandbox: the workspace's copies of the seed examples
// say `offline: true` (test/harness/codeServer.mjs markOffline) and their hosts show "offline";
// a file that names an outside address anyway fails loudly in this code-server (VSIM_DIAL_ONLY).
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { VsimApi } from '../../src/extension';
import { waitFor, workspaceUri, writeWorkspaceFile } from './util';

const SEEDS = ['chassis-emulator', 'n3x-emulation', 'simple-microvm-infra', 'aspen-cluster'];

if (vscode.workspace.isTrusted) {
  describe('never dialing outside the sandbox', function () {
    this.timeout(60_000);
    let api: VsimApi;

    before(async () => {
      api = (await vscode.extensions.getExtension('vsim.vsim')!.activate()) as VsimApi;
      await api.labs.ready();
    });

    it('every seed example is offline: its hosts say so, refresh and plan make no connection', async () => {
      const commands0 = api.connections.pool.commandCount();
      for (const name of SEEDS) {
        const uri = workspaceUri(`${name}.vsim.yaml`);
        const lab = await waitFor(`${name} loaded`, () => api.labs.get(uri)?.lab);
        assert.equal(lab.current.offline, true, `${name} copy says offline: true`);
        for (const h of lab.hostNames()) {
          await lab.refresh(h);
          assert.deepEqual(lab.host(h).connection, { kind: 'offline' }, `${name}/${h}`);
        }
        const plan = await lab.plan({});
        assert.ok(plan.hosts.every((h) => /offline: true/.test(h.error ?? '')), `${name}: plan refused per host`);
      }
      assert.equal(api.connections.pool.commandCount() - commands0, 0, 'no remote command');
    });

    it('a topology that names an outside address: the dial is refused loudly, before any socket', async () => {
      const uri = await writeWorkspaceFile('outside.vsim.yaml', 'version: 1\nhosts:\n  far: { address: 192.0.2.10 }\nvms:\n  v: { host: far, backend: libvirt }\n');
      try {
        const lab = await waitFor('outside lab', () => api.labs.get(uri)?.lab);
        await lab.refresh('far');
        const c = lab.host('far').connection;
        assert.equal(c.kind, 'error');
        assert.match(c.kind === 'error' ? c.message : '', /Refusing to dial far \(192\.0\.2\.10:22\): test\/demo mode allows only 127\.0\.0\.0\/8/);
        assert.equal(api.connections.pool.handshakes('far'), 0);
      } finally {
        await vscode.workspace.fs.delete(uri);
      }
    });
  });
}
