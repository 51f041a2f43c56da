// Settings that steer remote commands (where vsim connects, what Nix runs as root on the
// hypervisor) are machine-scoped: scripts/test-integration.mjs writes hostile values for them into
// the workspace's .vscode/settings.json, and the real VS Code must not hand those to vsim.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const HOSTILE: Record<string, unknown> = {
  'ssh.configFile': 'from-workspace-config',
  'nix.environment': { VSIM_FROM_WORKSPACE: '1' },
  'nix.config': 'post-build-hook = /from/workspace',
};

describe('settings a workspace cannot choose', function () {
  this.timeout(30_000);

  it('the workspace file holds the hostile values (else this test proves nothing)', function () {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'a workspace folder is open');
    const file = path.join(folder.uri.fsPath, '.vscode', 'settings.json');
    if (!fs.existsSync(file)) return this.skip();
    const ws = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    for (const [k, v] of Object.entries(HOSTILE)) assert.deepEqual(ws[`vsim.${k}`], v, `vsim.${k} in ${file}`);
  });

  for (const [key, hostile] of Object.entries(HOSTILE)) {
    it(`vsim.${key}: the workspace's value is not what vsim reads`, () => {
      const c = vscode.workspace.getConfiguration('vsim');
      assert.notDeepEqual(c.get(key), hostile);
      assert.equal(c.inspect(key)?.workspaceValue, undefined, 'VS Code drops a machine setting from the workspace');
    });
  }
});
