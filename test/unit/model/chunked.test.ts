// Large files are parsed in chunks (src/model/parseChunked.ts): proof that the result is the one a
// whole parse gives — problems (codes, messages, ranges), topology, node ranges, IntelliSense —
// for the examples, generated labs and many edits of them, that texts the splitter cannot be sure
// about fall back to the whole parse, and that after an edit only the edited chunk is parsed.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDocument, isMap, isPair, isScalar, isSeq } from 'yaml';
import { analyze, type Analysis } from '../../../src/model/analyze';
import { ChunkCache } from '../../../src/model/chunkCache';
import { splitTopology } from '../../../src/model/chunks';
import { definition, hover, quickFixes, symbols } from '../../../src/model/intellisense';
import { CHUNK_THRESHOLD } from '../../../src/model/parseChunked';
import { pairsOf, rangeOf } from '../../../src/model/parse';
import { BASE, EXAMPLES, prng } from './helpers';

const GEN = join(__dirname, '..', '..', '..', 'scripts', 'gen-topology.mjs');
const generated = (n: number) => execFileSync(process.execPath, [GEN, String(n)], { encoding: 'utf8', maxBuffer: 1 << 28 });
const EXAMPLE_TEXTS = readdirSync(EXAMPLES).filter((f) => f.endsWith('.vsim.yaml')).sort()
  .map((f) => [f, readFileSync(join(EXAMPLES, f), 'utf8')] as const);
const GEN1 = generated(1);
const GEN100 = generated(100);
const GEN1000 = generated(1000);

const whole = (text: string) => analyze(text, { chunkThreshold: Infinity });
const chunked = (text: string, cache: ChunkCache) => analyze(text, { chunkThreshold: 0, cache });

/** Kind, value and [start, value end] of every node, in order: what lookups read. */
function shape(n: unknown, out: unknown[] = []): unknown[] {
  if (isPair(n)) {
    out.push('pair');
    shape(n.key, out);
    shape(n.value, out);
  } else if (isMap(n) || isSeq(n)) {
    out.push(isMap(n) ? 'map' : 'seq', n.range?.[0], n.range?.[1], n.items.length);
    for (const i of n.items) shape(i, out);
  } else if (isScalar(n)) {
    out.push('scalar', n.value, n.range?.[0], n.range?.[1]);
  } else {
    out.push(n === null ? null : typeof n);
  }
  return out;
}

/** Offsets to probe hover/definition at: every key and scalar start, and a spread of others. */
function probes(a: Analysis, count: number): number[] {
  const at = new Set<number>();
  const step = Math.max(1, Math.floor(a.parsed.text.length / count));
  for (let o = 0; o <= a.parsed.text.length; o += step) at.add(o);
  return [...at];
}

/** Asserts that the chunked analysis of `text` equals the whole one; returns it. */
function same(text: string, cache: ChunkCache, label: string, opts: { fallback?: boolean; probes?: number; doc?: boolean } = {}): Analysis {
  const w = whole(text);
  const c = chunked(text, cache);
  if (opts.fallback) assert.equal(c.parsed.chunks, undefined, `${label}: expected the whole parse`);
  else assert.ok(c.parsed.chunks, `${label}: expected the chunked parse`);
  assert.deepEqual(c.problems, w.problems, `${label}: problems`);
  assert.deepEqual(c.topology, w.topology, `${label}: topology`);
  assert.deepEqual(c.parsed.value, w.parsed.value, `${label}: value`);
  assert.deepEqual(c.parsed.syntax, w.parsed.syntax, `${label}: syntax`);
  assert.equal(c.ok, w.ok, `${label}: ok`);
  assert.deepEqual(shape(c.parsed.root), shape(w.parsed.root), `${label}: node tree`);
  let loose: unknown;
  try {
    loose = w.parsed.looseValue();
  } catch {
    loose = 'throws';
  }
  if (loose !== 'throws') assert.deepEqual(c.parsed.looseValue(), loose, `${label}: loose value`);
  assert.deepEqual(symbols(text, c), symbols(text, w), `${label}: outline`);
  for (const o of probes(w, opts.probes ?? 40)) {
    assert.deepEqual(hover(text, o, c), hover(text, o, w), `${label}: hover at ${o}`);
    assert.deepEqual(definition(text, o, c), definition(text, o, w), `${label}: definition at ${o}`);
  }
  for (const [i, p] of w.problems.entries()) {
    assert.deepEqual(quickFixes(text, p, { analysis: c, random: prng(i) }), quickFixes(text, p, { analysis: w, random: prng(i) }), `${label}: fixes of ${p.code}`);
  }
  if (!opts.doc) return c;
  // The Document stays a whole parse of the text (the topology editor edits it).
  const doc = c.parsed.doc;
  assert.ok(doc && isDocument(doc));
  if (doc.errors.length) assert.deepEqual(doc.errors.map((e) => e.message), w.parsed.doc?.errors.map((e) => e.message), `${label}: doc`);
  else assert.equal(doc.toString(), w.parsed.doc?.toString(), `${label}: doc`);
  return c;
}

function vmBlock(text: string, vm: string): { start: number; end: number } {
  const start = text.indexOf(`\n  ${vm}:\n`) + 1;
  assert.ok(start > 0, vm);
  const m = /\n {2}\S|\n\S/.exec(text.slice(start + 3));
  return { start, end: m ? start + 3 + m.index + 1 : text.length };
}
const replaceOnce = (text: string, from: string, to: string) => {
  const i = text.indexOf(from);
  assert.ok(i >= 0, `text contains ${JSON.stringify(from)}`);
  return text.slice(0, i) + to + text.slice(i + from.length);
};

/** Edits of a generated lab, each a realistic step of editing (valid or not). */
function edits(text: string): [string, string][] {
  const vm3 = vmBlock(text, 'vm3');
  const vm7 = vmBlock(text, 'vm7');
  const vm50 = vmBlock(text, 'vm50');
  const block3 = text.slice(vm3.start, vm3.end);
  return [
    ['memory changed (longer)', replaceOnce(text, '    memory: 1024\n', '    memory: 16384\n')],
    ['memory changed (same length)', replaceOnce(text, '    memory: 2GiB\n', '    memory: 4GiB\n')],
    ['name shortened', replaceOnce(text, 'name: generated-', 'name: g')],
    ['VM inserted', text.slice(0, vm7.start) + block3.replace('  vm3:', '  vm3b:') + text.slice(vm7.start)],
    ['VM deleted', text.slice(0, vm7.start) + text.slice(vm7.end)],
    ['VM renamed (references dangle)', text.slice(0, vm3.start) + block3.replace('  vm3:', '  vm3x:') + text.slice(vm3.end)],
    ['VM renamed in a later chunk', replaceOnce(text, '\n  vm50:\n', '\n  vm50renamed:\n')],
    ['bad enum in a moved chunk', replaceOnce(replaceOnce(text, 'name: generated-', 'name: gen-'), '    backend: libvirt\n', '    backend: libvrt\n')],
    ['duplicate IP', text.replace(/ip: 10\.0\.1\.2\n/, 'ip: 10.0.1.1\n')],
    ['duplicate VM name across chunks', text.slice(0, vm7.end) + block3 + text.slice(vm7.end)],
    ['duplicate top-level key across chunks', `${text}vms:\n  extra:\n    host: hv0\n`],
    ['duplicate top-level scalar key', replaceOnce(text, 'version: 1\n', 'version: 1\nname: twice\n')],
    ['broken YAML in one chunk (unclosed flow)', replaceOnce(text, '    vcpus: 2\n', '    vcpus: [2\n')],
    ['broken YAML in one chunk (key without colon)', text.slice(0, vm50.start + 8) + '    memory\n' + text.slice(vm50.start + 8)],
    ['broken YAML: unterminated quote', replaceOnce(text, '    role: k3s agent\n', '    role: "k3s agent\n')],
    ['comments between entries and sections', text
      .replace('\n  vm3:\n', '\n  # the third VM\n\n  vm3:   # trailing\n')
      .replace('\nvms:\n', '\n# all the VMs\nvms:   # section comment\n  # before the first\n')
      .replace('\nslots:\n', '\n    # deep comment after the last VM\n  # mid\n# top\n\nslots:\n')],
    ['comment at the end and no final newline', `${text.trimEnd()}\n# the end`],
    ['no final newline', text.trimEnd()],
    ['blank lines with spaces', text.replace('\nvms:\n', '\n   \n  \nvms:\n')],
    ['CRLF line endings', text.replace(/\n/g, '\r\n')],
    ['CRLF with an edit', replaceOnce(text.replace(/\n/g, '\r\n'), '    memory: 1024\r\n', '    memory: 333\r\n')],
    ['block scalar with comment-like lines', replaceOnce(text, '    role: k3s server\n', '    role: |+\n      k3s server\n\n      # not a comment\n\n\n')],
    ['multi-line quoted scalar', replaceOnce(text, '    role: k3s agent\n', '    role: "k3s\n      agent"\n')],
    ['section value as a sequence', replaceOnce(text, '\nslots:\n', '\nextra:\n  - a\n  - b\nslots:\n')],
    ['empty section', replaceOnce(text, '\nslots:\n', '\nstates2:\nslots:\n')],
    ['version 2 (schema error)', replaceOnce(text, 'version: 1\n', 'version: 2\n')],
  ];
}

describe('chunked parse gives what a whole parse gives', () => {
  test('every example, and edits of them', () => {
    const cache = new ChunkCache();
    for (const [f, text] of EXAMPLE_TEXTS) {
      same(text, cache, f, { doc: true, probes: 150 });
      same(text.replace(/\n/g, '\r\n'), cache, `${f} CRLF`);
      // A VM's key renamed: references now dangle, problems point into moved chunks.
      const vms = [...text.matchAll(/\n {2}([\w-]+):\n/g)].map((m) => m[1] ?? '');
      const name = vms[1];
      if (name) same(text.replace(`\n  ${name}:\n`, `\n  ${name}-renamed:\n`), cache, `${f} renamed ${name}`);
      same(`# header\n\n${text}\n# trailer\n`, cache, `${f} with comments`);
    }
  });

  test('the unit-test base fixture and one-line changes of it', () => {
    const cache = new ChunkCache();
    same(BASE, cache, 'base');
    same(BASE.replace('    vcpus: 2\n', '    vcpus: 0\n'), cache, 'base vcpus 0');
    same(BASE.replace('    ip: 192.168.1.11\n', '    ip: 192.168.1.10\n'), cache, 'base duplicate ip');
    same(BASE.replace('  b:\n', '  a:\n'), cache, 'base duplicate vm');
  });

  test('generated labs of 1 and 100 VMs, and edits of the 100-VM lab', () => {
    const cache = new ChunkCache();
    same(GEN1, cache, 'gen 1');
    same(GEN1.replace(/\n/g, '\r\n'), cache, 'gen 1 CRLF');
    same(GEN100, cache, 'gen 100');
    for (const [label, text] of edits(GEN100)) {
      same(text, cache, `gen 100: ${label}`, { fallback: label.startsWith('broken'), doc: label.startsWith('comments') });
    }
    same(GEN100, cache, 'gen 100 after the edits');
  });

  test('generated lab of 1 000 VMs, and edits of it', () => {
    const cache = new ChunkCache();
    same(GEN1000, cache, 'gen 1000', { probes: 30 });
    for (const [label, text] of edits(GEN1000).filter(([l]) => /VM inserted|VM renamed \(/.test(l))) {
      same(text, cache, `gen 1000: ${label}`, { probes: 30 });
    }
  });

  test('random edits keep the two parses equal', () => {
    const cache = new ChunkCache();
    const rnd = prng(10);
    const pieces = ['x', ' ', '\n', ':', '#', '  a: 1\n', '"', '- ', '{', '}', '\n  vm9:\n', '\nvms:\n', '0'];
    let text = GEN1.replace('\nvms:\n', '\n# c\nvms:\n');
    for (let i = 0; i < 60; i++) {
      const at = Math.floor(rnd() * text.length);
      const del = rnd() < 0.4 ? Math.floor(rnd() * 6) : 0;
      text = text.slice(0, at) + (pieces[Math.floor(rnd() * pieces.length)] ?? '') + text.slice(at + del);
      const w = whole(text);
      const c = chunked(text, cache);
      assert.deepEqual(c.problems, w.problems, `step ${i}`);
      assert.deepEqual(c.topology, w.topology, `step ${i}`);
      assert.deepEqual(shape(c.parsed.root), shape(w.parsed.root), `step ${i}`);
    }
  });
});

describe('texts the splitter is not sure about are parsed whole', () => {
  const cases: [string, string][] = [
    ['document start marker', `---\n${GEN1}`],
    ['document end marker', `${GEN1}...\n`],
    ['directive', `%YAML 1.2\n---\n${GEN1}`],
    ['anchor and alias', GEN1.replace('    user: root\n', '    user: &u root\n') + 'extra: *u\n'],
    ['tag', GEN1.replace('name: generated-1', 'name: !!str generated-1')],
    ['tab indentation', GEN1.replace('    user: root\n', '\tuser: root\n')],
    ['tab after a colon', GEN1.replace('    user: root\n', '    user:\troot\n')],
    ['complex key', GEN1.replace('version: 1\n', '? version\n: 1\n')],
    ['flow-style top level', '{ version: 1, name: x, hosts: { hv0: { address: 192.0.2.1 } } }\n'],
    ['column-0 line that is not a key', GEN1.replace('version: 1\n', 'version: 1\njust words\n')],
    ['column-0 sequence under a key', GEN1.replace('\nvms:\n', '\nextra:\n- a\nvms:\n')],
    ['quoted top-level key', GEN1.replace('version: 1\n', '"version": 1\n')],
    ['line less indented than the entries', GEN1.replace('\n  vm0:\n', '\n  vm0:\n extra: 1\n')],
    ['sequence at the entry indent', GEN1.replace('\nnetworks:\n', '\n  - x\nnetworks:\n')],
    ['indented first line', `  ${GEN1.split('\n').join('\n  ')}`],
    ['byte order mark', `\ufeff${GEN1}`],
    ['lone carriage return', GEN1.replace('version: 1\n', 'version: 1\r')],
    ['only comments', '# nothing here\n\n# at all\n'],
    ['empty', ''],
    ['a scalar', 'just a string\n'],
  ];
  for (const [label, text] of cases) {
    test(label, () => {
      assert.equal(splitTopology(text), undefined);
      same(text, new ChunkCache(), label, { fallback: true, probes: 30 });
    });
  }
});

describe('splitter', () => {
  test('chunks tile the text: top-level pairs, entries of block maps, comments with what they follow', () => {
    const text = '# head\nversion: 1\nname: x  # c\n  continued\nhosts:   # the hosts\n  # first\n  a:\n    x: 1\n  # before b\n  b: { y: 2 }\n# before vms\nvms:\n  - a\nlayout:\n';
    const tops = splitTopology(text);
    assert.ok(tops);
    assert.deepEqual(tops.map((t) => [t.text, t.entries?.map((e) => e.text)]), [
      ['# head\nversion: 1\n', undefined],
      ['name: x  # c\n  continued\n', undefined],
      ['hosts:   # the hosts\n  # first\n', ['  a:\n    x: 1\n  # before b\n', '  b: { y: 2 }\n# before vms\n']],
      ['vms:\n  - a\n', undefined],
      ['layout:\n', undefined],
    ]);
    let joined = '';
    for (const t of tops) {
      assert.equal(text.slice(t.start, t.start + t.text.length), t.text);
      joined += t.text;
      for (const e of t.entries ?? []) {
        assert.equal(text.slice(e.start, e.start + e.text.length), e.text);
        joined += e.text;
      }
    }
    assert.equal(joined, text);
  });

  test('files below the threshold keep the whole parse (the 1 000-VM lab is above it: see incremental)', () => {
    for (const [f, text] of EXAMPLE_TEXTS) {
      assert.ok(text.length < CHUNK_THRESHOLD, f);
      assert.equal(analyze(text).parsed.chunks, undefined, f);
    }
    const small = GEN100.slice(0, GEN100.indexOf('\nvms:'));
    assert.ok(small.length < CHUNK_THRESHOLD);
    assert.equal(analyze(small).parsed.chunks, undefined);
    assert.ok(GEN100.length >= CHUNK_THRESHOLD, 'a 100-VM lab is chunked');
    assert.ok(analyze(GEN100).parsed.chunks);
    assert.ok(GEN1000.length >= CHUNK_THRESHOLD);
  });
});

describe('incremental', () => {
  test('after an edit only the edited chunk is parsed again', () => {
    const cache = new ChunkCache();
    const first = analyze(GEN1000, { cache }); // the default threshold: chunked
    assert.ok(first.parsed.chunks && first.parsed.chunks.total > 1000);
    assert.equal(first.parsed.chunks.parsed, cache.size);
    const steps: [string, string, number][] = [];
    let text = GEN1000;
    const step = (label: string, next: string, expected: number) => {
      text = next;
      const before = cache.parses;
      const a = analyze(text, { cache });
      assert.ok(a.parsed.chunks, label);
      assert.equal(a.parsed.chunks.parsed, expected, label);
      assert.equal(cache.parses - before, expected, label);
      steps.push([label, text, expected]);
    };
    step('memory of vm500', replaceOnce(text, '  vm500:\n    role: k3s server\n    host: hv2\n    backend: qemu\n    vcpus: 1\n    memory: 1024\n',
      '  vm500:\n    role: k3s server\n    host: hv2\n    backend: qemu\n    vcpus: 1\n    memory: 16384\n'), 1);
    step('same text again', text, 0);
    step('memory of vm500 once more', replaceOnce(text, '    memory: 16384\n', '    memory: 16385\n'), 1);
    step('back to the first version of vm500', replaceOnce(text, '    memory: 16385\n', '    memory: 16384\n'), 0);
    step('a comment inside vm10', replaceOnce(text, '\n  vm10:\n', '\n  vm10:\n    # note\n'), 1);
    step('vm20 renamed', replaceOnce(text, '\n  vm20:\n', '\n  vm20x:\n'), 1);
    const vm30 = vmBlock(text, 'vm30');
    step('vm30 deleted', text.slice(0, vm30.start) + text.slice(vm30.end), 0);
    step('the description', replaceOnce(text, 'description: 1000 VMs', 'description: 1 000 VMs'), 1);
    // Diagnostics after these edits are those of a whole parse.
    assert.deepEqual(analyze(text, { cache }).problems, whole(text).problems);
  });

  test('results before an edit keep their ranges (cached nodes are never moved)', () => {
    const cache = new ChunkCache();
    const a = chunked(GEN100, cache);
    const aShape = shape(a.parsed.root);
    const aRange = rangeOf(a.parsed, ['vms', 'vm99', 'memory']);
    const b = chunked(`# a longer first line\n${GEN100}`, cache);
    assert.deepEqual(rangeOf(b.parsed, ['vms', 'vm99', 'memory']), [aRange[0] + 22, aRange[1] + 22]);
    assert.deepEqual(shape(b.parsed.root), shape(whole(b.parsed.text).parsed.root));
    assert.deepEqual(shape(a.parsed.root), aShape);
    assert.deepEqual(rangeOf(a.parsed, ['vms', 'vm99', 'memory']), aRange);
    const c = chunked(GEN100, cache);
    assert.equal(c.parsed.chunks?.parsed, 0);
    assert.deepEqual(shape(c.parsed.root), aShape);
    assert.deepEqual(pairsOf(c.parsed, ['vms']).map((p) => p.key.range?.[0]), pairsOf(whole(GEN100).parsed.doc, ['vms']).map((p) => p.key.range?.[0]));
  });

  test('results share no values: changing one topology does not change the next', () => {
    const cache = new ChunkCache();
    const a = chunked(GEN100, cache);
    assert.ok(a.topology?.vms);
    (a.topology.vms as Record<string, unknown>).vm0 = 'changed';
    const b = chunked(GEN100, cache);
    assert.deepEqual(b.topology, whole(GEN100).topology);
  });

  test('the cache stays within its size, and a text larger than it still hits on its next version', () => {
    const cache = new ChunkCache(10_000);
    assert.ok(GEN100.length > 10_000);
    analyze(GEN100, { cache, chunkThreshold: 0 });
    assert.ok(cache.chars <= GEN100.length);
    const b = analyze(GEN100.replace('name: generated-100', 'name: generated-100b'), { cache, chunkThreshold: 0 });
    assert.equal(b.parsed.chunks?.parsed, 1);
    for (const text of [BASE, GEN1, EXAMPLE_TEXTS[0]?.[1] ?? '']) {
      analyze(text, { cache, chunkThreshold: 0 });
      // At most the size (or the text) and what this parse added.
      assert.ok(cache.chars <= 10_000 + text.length, `${cache.chars} characters kept`);
      assert.ok(cache.chars < GEN100.length / 2, `${cache.chars} characters kept`);
    }
  });
});
