// Pickers say what the command does ("Shut Down VM"), their placeholder what to choose ("Choose a
// VM"): no title is a question like "Shutting down which VM?". Reads every picker title in the
// command and console sources: `title:` literals and the title argument of the helpers that build
// a picker from it.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

const ROOT = path.join(__dirname, '..', '..', '..');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((e) => {
    const p = path.join(dir, e);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const LITERAL = String.raw`(['\`])((?:(?!\1)[^\\\n]|\\.)*)\1`;
/** `title: '…'` (and the lifecycle's `action: '…'`), and the title argument of vmTargets / oneVm / pickVmGroups / pickLink / labCommand / pickHost / pick. */
const TITLE_SITES = [
  new RegExp(String.raw`\b(?:title|action):\s*${LITERAL}`, 'g'),
  new RegExp(String.raw`\b(?:oneVm|pickVmGroups|pickLink)\((?:labs, )?call, ${LITERAL}`, 'g'),
  new RegExp(String.raw`\blabCommand\(d, ${LITERAL}`, 'g'),
  new RegExp(String.raw`\bpickHost\(labs, target, ${LITERAL}`, 'g'),
];

function titles(): { file: string; title: string }[] {
  const out: { file: string; title: string }[] = [];
  for (const f of [...tsFiles(path.join(ROOT, 'src', 'commands')), ...tsFiles(path.join(ROOT, 'src', 'console'))]) {
    const text = readFileSync(f, 'utf8');
    for (const re of TITLE_SITES) for (const m of text.matchAll(re)) out.push({ file: path.relative(ROOT, f), title: m[2] as string });
  }
  return out;
}

test('picker titles name the action, not a question ("Shut Down VM", not "Shutting down which VM?")', () => {
  const all = titles();
  assert.ok(all.length > 30, `read ${all.length} titles`);
  assert.ok(all.some((t) => t.title === 'Shut Down VM'), 'the lifecycle titles are read');
  const questions = all.filter((t) => /\?\s*$/.test(t.title) || /\bwhich\b/i.test(t.title));
  assert.deepEqual(questions, []);
});
