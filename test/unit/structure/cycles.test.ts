// No import cycle between folders (or files) of src/ and webview/: a room never imports one that
// imports it back.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { cycles, importGraph, siblingCycles } from './imports';

const ROOT = path.join(__dirname, '..', '..', '..');

test('no import cycle between the folders or files of src/ and webview/', () => {
  const files = importGraph(ROOT, ['src', 'webview']);
  assert.ok(files.size > 100, `read ${files.size} source files`);
  assert.ok(files.get('src/features.ts')?.has('src/commands/index.ts'), 'imports are read (features.ts → commands/index.ts)');
  const found = siblingCycles(files).map((c) => `${c.folder}: ${c.rooms.join(' ↔ ')}`);
  assert.deepEqual(found, []);
});

test('the check finds cycles between folders, files and the top rooms', () => {
  const g = new Map<string, Set<string>>([
    ['src/a/x.ts', new Set(['src/b/y.ts'])],
    ['src/b/y.ts', new Set(['src/a/z.ts'])],
    ['src/a/z.ts', new Set()],
    ['src/m/p.ts', new Set(['src/m/q.ts'])],
    ['src/m/q.ts', new Set(['src/m/p.ts'])],
    ['src/e/v.ts', new Set(['webview/w.ts'])],
    ['webview/w.ts', new Set(['src/e/u.ts'])],
    ['src/e/u.ts', new Set()],
  ]);
  assert.deepEqual(siblingCycles(g), [
    { folder: '(top)', rooms: ['src/a', 'src/b'] },
    { folder: '(top)', rooms: ['src/e', 'webview/w.ts'] },
    { folder: 'src/m', rooms: ['src/m/p.ts', 'src/m/q.ts'] },
  ]);
  assert.deepEqual(cycles(new Map([['a', new Set(['b'])], ['b', new Set<string>()]])), []);
});
