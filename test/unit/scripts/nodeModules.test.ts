// When `npm test` / `npm run demo` must run `npm ci` first (scripts/lib/nodeModules.mjs): node_modules
// missing, never installed by npm, or different from package-lock.json.
import { after, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { staleReason } from '../../../scripts/lib/nodeModules.mjs';

const root = mkdtempSync(path.join(tmpdir(), 'vsim-node-modules-'));
after(() => rmSync(root, { recursive: true, force: true }));

type Packages = Record<string, { version: string; optional?: boolean }>;
let n = 0;
/** A project whose lockfile pins `want` and whose node_modules holds `have` (undefined: none). */
function project(want: Packages, have?: Packages, onDisk = Object.keys(have ?? {})): string {
  const dir = path.join(root, `p${n++}`);
  mkdirSync(dir);
  writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: { '': { name: 'p' }, ...want } }));
  if (have) {
    mkdirSync(path.join(dir, 'node_modules'));
    writeFileSync(path.join(dir, 'node_modules', '.package-lock.json'), JSON.stringify({ lockfileVersion: 3, packages: have }));
    for (const at of onDisk) {
      mkdirSync(path.join(dir, at), { recursive: true });
      writeFileSync(path.join(dir, at, 'package.json'), '{}');
    }
  }
  return dir;
}

const YAML = { 'node_modules/yaml': { version: '2.9.1' } };

test('in step with package-lock.json: nothing to install', () => {
  assert.equal(staleReason(project(YAML, YAML)), undefined);
});

test('an optional package for another platform may be absent', () => {
  const want = { ...YAML, 'node_modules/@esbuild/darwin-arm64': { version: '0.28.2', optional: true } };
  assert.equal(staleReason(project(want, YAML)), undefined);
});

test('what makes node_modules stale, each said plainly', () => {
  assert.equal(staleReason(project(YAML)), 'node_modules is missing');
  const noRecord = project(YAML);
  mkdirSync(path.join(noRecord, 'node_modules'));
  assert.match(staleReason(noRecord) ?? '', /no record of an npm install/);
  assert.equal(staleReason(project(YAML, {})), 'node_modules/yaml is not installed');
  assert.equal(staleReason(project(YAML, { 'node_modules/yaml': { version: '2.8.0' } })), 'node_modules/yaml is 2.8.0, package-lock.json wants 2.9.1');
  assert.equal(staleReason(project(YAML, YAML, [])), 'node_modules/yaml is recorded as installed but missing on disk');
  assert.equal(staleReason(project(YAML, { ...YAML, 'node_modules/left-pad': { version: '1.3.0' } })), 'node_modules/left-pad is installed but not in package-lock.json');
});
