// A yaml Document round trip (parseDocument → change a value with the Document API → toString)
// keeps comments, key order, quoting and block formatting of the rest of the file. The printer
// normalises the padding inside flow collections (`{ a: 1 }` and `[a, b]` cannot both be kept),
// so byte-exact edits of the user's text map the change back onto it (src/model/edits); these
// tests pin what the raw round trip does keep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { analyze } from '../../../src/model/analyze';
import { BASE, EXAMPLES } from './helpers';

const PRINT = { lineWidth: 0 } as const;

/** Flow padding is the printer's choice: compare lines with it removed. */
const unpad = (l: string) => l.replace(/([{[]) +/g, '$1').replace(/ +([}\]])/g, '$1');

function changedLines(a: string, b: string): [string, string][] {
  const al = a.split('\n');
  const bl = b.split('\n');
  assert.equal(bl.length, al.length, `same number of lines:\n${b}`);
  return al.map((l, i) => [l, bl[i] ?? ''] as [string, string]).filter(([x, y]) => unpad(x) !== unpad(y));
}

test('setting a block value changes that one line; comments, quoting and order are kept', () => {
  const doc = parseDocument(BASE);
  doc.setIn(['vms', 'a', 'vcpus'], 4);
  const out = doc.toString(PRINT);
  assert.deepEqual(changedLines(BASE, out), [['    vcpus: 2', '    vcpus: 4']]);
  assert.ok(out.startsWith('# Base topology for the unit tests'));
  assert.match(out, /mac: "52:54:00:00:00:01"/);
  assert.ok(analyze(out).ok);
});

test('setting a value inside a flow map keeps it a flow map on its line', () => {
  const doc = parseDocument(BASE);
  doc.setIn(['slots', 's1', 'ip'], '10.1.0.9');
  assert.deepEqual(changedLines(BASE, doc.toString(PRINT)).map(([, b]) => unpad(b)),
    ['  s1: {host: hv2, network: slotnet, ip: 10.1.0.9, mac: "02:00:00:01:00:01", state: st1}']);
});

test('without lineWidth: 0 the printer folds long flow maps (why editors must pass it)', () => {
  const doc = parseDocument(BASE);
  doc.setIn(['vms', 'a', 'vcpus'], 4);
  assert.notEqual(doc.toString().split('\n').length, BASE.split('\n').length);
});

test('every example: a round trip keeps every line (modulo flow padding), an edit keeps every comment', () => {
  for (const f of readdirSync(EXAMPLES).filter((x) => x.endsWith('.vsim.yaml'))) {
    const text = readFileSync(join(EXAMPLES, f), 'utf8');
    assert.deepEqual(changedLines(text, parseDocument(text).toString(PRINT)), [], f);
    const doc = parseDocument(text);
    doc.setIn(['description'], 'changed');
    const out = doc.toString(PRINT);
    const comments = (s: string) => s.split('\n').filter((l) => l.includes('#'));
    assert.deepEqual(comments(out), comments(text), f);
    assert.equal(changedLines(text, out).length, 1, f);
  }
});
