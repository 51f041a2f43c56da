// The partial path of editYaml (a copy-on-access view of the analysed document; only the touched entries
// printed and diffed) gives exactly the text of the full path (clone and print the whole document) for
// every intent on every example, on generated 100- and 1000-VM files and on an odd layout; the analysed
// document is never changed.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { analyze } from '../../../../src/model/analyze';
import { applyIntent, IntentError, type Intent } from '../../../../src/model/edits/intents';
import type { Section, Topology } from '../../../../src/model/types';
import { genTopology } from './genTopology';

const keys = (t: Topology, s: Section, limit = Infinity) => Object.keys((t[s] as object | undefined) ?? {}).slice(0, limit);

/** Every intent kind on the first `limit` entries of each section (all of them by default). */
function intentsFor(t: Topology, limit = Infinity): Intent[] {
  const out: Intent[] = [{ kind: 'addVm' }, { kind: 'addVm', position: { x: 1, y: 2 } }, { kind: 'addVm', backend: 'qemu' }];
  const vms = keys(t, 'vms', limit);
  const nets = keys(t, 'networks', limit);
  const profiles = keys(t, 'profiles');
  for (const n of nets) {
    out.push({ kind: 'addVm', network: n, position: { x: 3, y: 4 } }, { kind: 'rename', section: 'networks', from: n, to: `${n}-x` }, { kind: 'delete', section: 'networks', name: n },
      { kind: 'setProperty', path: ['networks', n, 'description'], value: 'a # b' }, { kind: 'movePositions', positions: [{ section: 'networks', name: n, x: 5, y: 6 }] });
  }
  for (const h of keys(t, 'hosts', limit)) {
    out.push({ kind: 'addNetwork', host: h }, { kind: 'addNetwork', host: h, position: { x: 1, y: 1 } }, { kind: 'rename', section: 'hosts', from: h, to: `${h}-x` }, { kind: 'delete', section: 'hosts', name: h },
      { kind: 'setProperty', path: ['hosts', h, 'user'], value: 'bob' }, { kind: 'movePositions', positions: [{ section: 'hosts', name: h, x: 7, y: 8 }] });
  }
  for (const v of vms) {
    const vm = t.vms![v]!;
    out.push({ kind: 'setProperty', path: ['vms', v, 'memory'], value: 4096 }, { kind: 'setProperty', path: ['vms', v, 'description'], value: null },
      { kind: 'setProperty', path: ['vms', v, 'console', 'kind'], value: 'serial' }, { kind: 'movePositions', positions: [{ section: 'vms', name: v, x: 10, y: 20 }] },
      { kind: 'rename', section: 'vms', from: v, to: `${v}-x` }, { kind: 'delete', section: 'vms', name: v });
    const net = Object.keys(t.networks ?? {}).find((n) => t.networks![n]!.host === vm.host);
    if (net) out.push({ kind: 'connectNic', vm: v, network: net });
    (vm.nics ?? []).forEach((_, i) => out.push({ kind: 'disconnectNic', vm: v, index: i }, { kind: 'setProperty', path: ['vms', v, 'nics', i, 'ip'], value: '10.9.9.9' }));
    const w = vms.find((x) => x !== v);
    if (w) out.push({ kind: 'addLink', a: v, b: w, ...(profiles[0] ? { profile: profiles[0] } : {}) });
  }
  for (const l of keys(t, 'links', limit)) {
    out.push({ kind: 'setLinkProfile', link: l, profile: null }, { kind: 'setLinkProfile', link: l, profile: profiles[0] ?? null },
      { kind: 'rename', section: 'links', from: l, to: `${l}-x` }, { kind: 'delete', section: 'links', name: l });
  }
  for (const s of ['slots', 'states', 'profiles'] as Section[]) for (const n of keys(t, s, limit)) out.push({ kind: 'rename', section: s, from: n, to: `${n}-x` }, { kind: 'delete', section: s, name: n });
  out.push({ kind: 'movePositions', positions: vms.slice(0, 5).map((name, i) => ({ section: 'vms' as const, name, x: i, y: -i })) });
  return out;
}

interface Compared {
  applied: number;
  partial: number;
}

/** Each intent through both paths; `same` checks the texts (default: equal). */
function compare(name: string, text: string, intents: (t: Topology) => Intent[], same = (full: string, fast: string, where: string, _partial: boolean) => assert.equal(fast, full, where)): Compared {
  const a = analyze(text);
  assert.ok(a.topology && a.parsed.doc, `${name} parses`);
  const doc = a.parsed.doc;
  const printed = doc.toString();
  const r: Compared = { applied: 0, partial: 0 };
  for (const intent of intents(a.topology)) {
    let full;
    try {
      full = applyIntent(text, intent, { doc, topology: a.topology, partial: false });
    } catch (e) {
      if (!(e instanceof IntentError)) throw e;
      assert.throws(() => applyIntent(text, intent, { doc, topology: a.topology! }), IntentError);
      continue;
    }
    const fast = applyIntent(text, intent, { doc, topology: a.topology });
    const where = `${name}: ${JSON.stringify(intent)}`;
    same(full.text, fast.text, where, fast.partial);
    assert.deepEqual(fast.removed, full.removed, where);
    assert.deepEqual(fast.created, full.created, where);
    r.applied++;
    if (fast.partial) r.partial++;
  }
  assert.equal(doc.toString(), printed, `${name}: the analysed document is unchanged`);
  return r;
}

const examples = new URL('../../../../examples/', import.meta.url);
const fixture = (f: string) => readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'utf8');
const script = (n: number) => execFileSync(process.execPath, [fileURLToPath(new URL('../../../../scripts/gen-topology.mjs', import.meta.url)), String(n)], { encoding: 'utf8', maxBuffer: 16 << 20 });

describe('partial edits = full edits', () => {
  const small: [string, string][] = [
    ...readdirSync(examples).filter((f) => f.endsWith('.vsim.yaml')).map((f) => [f, readFileSync(new URL(f, examples), 'utf8')] as [string, string]),
    ['tiny.vsim.yaml', fixture('tiny.vsim.yaml')],
  ];
  for (const [name, text] of small) {
    it(`${name}: every intent on every entry`, () => {
      const r = compare(name, text, (t) => intentsFor(t));
      assert.ok(r.applied > 30, `${name}: ${r.applied} intents applied`);
      assert.equal(r.partial, r.applied, 'every intent took the partial path');
    });
  }

  it('generated 100 VMs (test generator and scripts/gen-topology.mjs)', () => {
    for (const [name, text] of [['genTopology(100)', genTopology(100)], ['gen-topology.mjs 100', script(100)]] as const) {
      const r = compare(name, text, (t) => intentsFor(t, 4));
      assert.equal(r.partial, r.applied, `${name}: every intent took the partial path`);
    }
  });

  it('generated 1000 VMs (test generator and scripts/gen-topology.mjs)', () => {
    for (const [name, text] of [['genTopology(1000)', genTopology(1000)], ['gen-topology.mjs 1000', script(1000)]] as const) {
      // One intent of each kind (the full path prints 120-430 KB twice for each).
      const kinds = new Set<string>();
      const r = compare(name, text, (t) => intentsFor(t, 1).filter((i) => {
        const k = `${i.kind}:${'section' in i ? i.section : ''}:${'position' in i && i.position ? 'p' : ''}`;
        return kinds.has(k) ? false : (kinds.add(k), true);
      }));
      assert.ok(r.applied >= 14, `${name}: ${r.applied} intents applied`);
      assert.equal(r.partial, r.applied, `${name}: every intent took the partial path`);
    }
  });

  it('an odd layout: directives, 4-space indent, comments everywhere, anchors, block scalars, no final newline', () => {
    const odd = fixture('odd-layout.vsim.yaml');
    for (const [name, text] of [['odd', odd], ['odd without directives', odd.split('\n').slice(2).join('\n')], ['odd without final newline', odd.trimEnd()]] as const) {
      const r = compare(name, text, (t) => intentsFor(t));
      assert.ok(r.partial >= r.applied - 1, `${name}: ${r.applied - r.partial} intents took the full path`);
    }
  });

  it('CRLF files: the same data, and every untouched line keeps its CRLF (the full path reprints the file)', () => {
    for (const [name, text] of [['tiny crlf', fixture('tiny.vsim.yaml')], ['odd crlf', fixture('odd-layout.vsim.yaml')]] as const) {
      const crlf = text.replace(/\n/g, '\r\n');
      const lines = new Set(crlf.split('\n'));
      compare(name, crlf, (t) => intentsFor(t), (full, fast, where, partial) => {
        assert.deepEqual(parse(fast), parse(full), where);
        if (!partial) return; // the one intent the odd layout sends to the full path (see above)
        const kept = fast.split('\n').filter((l) => lines.has(l)).length;
        const changed = fast.split('\n').length - kept;
        assert.ok(changed <= 12, `${where}: ${changed} lines changed`);
      });
    }
  });

  it('a move in a 1000-VM file is one small edit', () => {
    const text = script(1000);
    const a = analyze(text);
    const r = applyIntent(text, { kind: 'movePositions', positions: [{ section: 'vms', name: 'vm500', x: -3, y: 4 }] }, { doc: a.parsed.doc!, topology: a.topology! });
    assert.equal(r.partial, true);
    assert.equal(r.edits.length, 1);
    assert.ok(r.edits[0]!.end - r.edits[0]!.start < 20 && r.edits[0]!.text.length < 20, JSON.stringify(r.edits));
  });
});
