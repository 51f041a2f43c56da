// The settings that decide where vsim connects and what runs on a hypervisor (as root) cannot come
// from a workspace: machine scope (ignored in workspace and folder settings) and, for untrusted
// windows, restrictedConfigurations. A repository's .vscode/settings.json must not steer them.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const REPO = path.resolve(__dirname, '../../..');
const pkg = JSON.parse(readFileSync(path.join(REPO, 'package.json'), 'utf8'));
const STEERING = ['vsim.ssh.configFile', 'vsim.nix.config', 'vsim.nix.environment'];

test('settings that steer remote commands are machine-scoped and restricted in untrusted workspaces', () => {
  const props = pkg.contributes.configuration.properties as Record<string, { scope?: string }>;
  for (const k of STEERING) assert.equal(props[k]?.scope, 'machine', `${k} scope`);
  assert.deepEqual([...pkg.capabilities.untrustedWorkspaces.restrictedConfigurations].sort(), [...STEERING].sort());
  const readme = readFileSync(path.join(REPO, 'README.md'), 'utf8');
  for (const k of STEERING) assert.ok(readme.includes(k), `README says why ${k} is machine-scoped`);
});
