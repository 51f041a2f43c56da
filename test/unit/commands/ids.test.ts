// src/commands/ids.ts and package.json name the same commands (ids.ts adds only the internal
// `vsim._*` hooks), and every command the extension registers is in ids.ts (the registry's type
// says so; here: nothing calls vscode.commands.registerCommand outside the registry).
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const ROOT = path.join(__dirname, '..', '..', '..');

function commandIds(): string[] {
  const text = readFileSync(path.join(ROOT, 'src/commands/ids.ts'), 'utf8');
  return [...text.matchAll(/\|\s*'(vsim\.[\w.]+)'/g)].map((m) => m[1] as string);
}

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = path.join(dir, e);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('ids.ts lists exactly the commands package.json contributes, plus the internal vsim._* hooks', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { contributes: { commands: { command: string }[] } };
  const contributed = pkg.contributes.commands.map((c) => c.command).sort();
  const ids = commandIds();
  assert.ok(ids.length > 30, `read ${ids.length} ids`);
  assert.equal(new Set(ids).size, ids.length, 'no id twice');
  assert.deepEqual(ids.filter((id) => !id.startsWith('vsim._')).sort(), contributed);
});

// Activation's stubs (src/activation/commandStubs.ts) hold the contributed ids until the features
// load; the first call disposes them and the registry registers the real handlers.
test('commands are registered only through src/commands/registry.ts (and activation\'s stubs for the same ids)', () => {
  const outside = tsFiles(path.join(ROOT, 'src'))
    .filter((f) => !f.endsWith(path.join('commands', 'registry.ts')) && !f.endsWith(path.join('activation', 'commandStubs.ts')))
    .filter((f) => /commands\.registerCommand\(/.test(readFileSync(f, 'utf8')))
    .map((f) => path.relative(ROOT, f));
  assert.deepEqual(outside, []);
});
