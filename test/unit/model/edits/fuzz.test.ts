// Random intent sequences over the examples: every step's text parses, validates with zero errors,
// keeps every comment that was not inside a removed entry, and the line mapping is faithful (no fallback);
// the partial path (the analysed document given, only touched entries printed) gives the same text.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { analyze } from '../../../../src/model/analyze';
import { applyIntent, IntentError, type Intent } from '../../../../src/model/edits/intents';
import type { Section, Topology } from '../../../../src/model/types';
import { genTopology } from './genTopology';
import { prng } from '../helpers';

const rng = prng;

/** Comments with their offsets: a `#` at line start or after a blank, outside quotes. */
export function comments(text: string): { at: number; text: string }[] {
  const out: { at: number; text: string }[] = [];
  let offset = 0;
  for (const line of text.split('\n')) {
    let q: string | undefined;
    for (let i = 0; i < line.length; i++) {
      const c = line[i]!;
      if (q) {
        if (c === q) q = undefined;
      } else if (c === '"' || (c === "'" && (i === 0 || /[\s[{,:]/.test(line[i - 1]!)))) {
        q = c;
      } else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) {
        out.push({ at: offset + i, text: line.slice(i).trimEnd() });
        break;
      }
    }
    offset += line.length + 1;
  }
  return out;
}

const SECTIONS: Section[] = ['hosts', 'networks', 'vms', 'slots', 'states', 'profiles', 'links'];
const keys = (t: Topology, s: Section) => Object.keys((t[s] as object | undefined) ?? {});

function randomIntent(t: Topology, r: () => number, step: number): Intent {
  const pick = <T>(xs: readonly T[]): T | undefined => (xs.length ? xs[Math.floor(r() * xs.length)] : undefined);
  const hosts = keys(t, 'hosts');
  const vms = keys(t, 'vms');
  const nets = keys(t, 'networks');
  const netsOn = (h: string) => nets.filter((n) => t.networks?.[n]?.host === h);
  switch (Math.floor(r() * 11)) {
    case 0: {
      const net = r() < 0.5 ? pick(nets) : undefined;
      return { kind: 'addVm', ...(net ? { network: net } : { host: pick(hosts)! }), ...(r() < 0.3 ? { position: { x: r() * 1000 - 500, y: r() * 800 } } : {}), ...(r() < 0.2 ? { backend: 'qemu' as const } : {}) };
    }
    case 1: return { kind: 'addNetwork', host: pick(hosts)!, ...(r() < 0.3 ? { position: { x: 1, y: 2 } } : {}) };
    case 2: {
      const vm = pick(vms) ?? 'none';
      return { kind: 'connectNic', vm, network: pick(netsOn(t.vms?.[vm]?.host ?? '')) ?? 'none' };
    }
    case 3: {
      const vm = pick(vms.filter((v) => t.vms?.[v]?.nics?.length)) ?? 'none';
      return { kind: 'disconnectNic', vm, index: Math.floor(r() * (t.vms?.[vm]?.nics?.length ?? 1)) };
    }
    case 4: return { kind: 'addLink', a: pick(vms) ?? 'none', b: pick(vms) ?? 'none', ...(r() < 0.3 && keys(t, 'profiles').length ? { profile: pick(keys(t, 'profiles'))! } : {}) };
    case 5: {
      const section = pick(SECTIONS)!;
      const from = pick(keys(t, section)) ?? 'none';
      return { kind: 'rename', section, from, to: `${from.slice(0, 50)}-r${step}` };
    }
    case 6: {
      const section = pick(SECTIONS)!;
      return { kind: 'delete', section, name: pick(keys(t, section)) ?? 'none' };
    }
    case 7: return { kind: 'setLinkProfile', link: pick(keys(t, 'links')) ?? 'none', profile: r() < 0.3 ? null : pick(keys(t, 'profiles')) ?? null };
    case 8: {
      const vm = pick(vms) ?? 'none';
      const fields: [string, string | number][] = [['memory', 128 * (1 + Math.floor(r() * 16))], ['vcpus', 1 + Math.floor(r() * 8)], ['description', `note ${step}: "quoted" # not a comment`], ['role', `role-${step}`]];
      const [k, v] = pick(fields)!;
      return { kind: 'setProperty', path: ['vms', vm, k], value: v };
    }
    case 9: {
      const section = pick(['hosts', 'networks'] as const)!;
      return { kind: 'setProperty', path: [section, pick(keys(t, section)) ?? 'none', 'description'], value: r() < 0.2 ? null : `d${step}: x` };
    }
    default: {
      const positions = Array.from({ length: 1 + Math.floor(r() * 3) }, () => {
        const section = pick(['hosts', 'networks', 'vms', 'slots'] as const)!;
        return { section, name: pick(keys(t, section)) ?? 'none', x: r() * 2000 - 1000, y: r() * 2000 - 1000 };
      });
      return { kind: 'movePositions', positions };
    }
  }
}

const dir = new URL('../../../../examples/', import.meta.url);
const files: [string, string][] = [
  ...readdirSync(dir).filter((f) => f.endsWith('.vsim.yaml')).map((f) => [f, readFileSync(new URL(f, dir), 'utf8')] as [string, string]),
  ['tiny.vsim.yaml', readFileSync(new URL('./fixtures/tiny.vsim.yaml', import.meta.url), 'utf8')],
  ['gen-30', genTopology(30)],
];

describe('fuzz: random intent sequences', () => {
  const SEQUENCES_PER_FILE = 40; // 7 files × 40 = 280 sequences
  for (const [name, original] of files) {
    it(`${name}: ${SEQUENCES_PER_FILE} sequences`, () => {
      assert.ok(analyze(original).ok, `${name} must start valid`);
      let applied = 0;
      let refused = 0;
      let partial = 0;
      for (let s = 0; s < SEQUENCES_PER_FILE; s++) {
        const r = rng(1000 * s + name.length);
        let text = original;
        const steps = 1 + Math.floor(r() * 8);
        for (let k = 0; k < steps; k++) {
          const before = analyze(text);
          const intent = randomIntent(before.topology!, r, k);
          let res;
          try {
            res = applyIntent(text, intent, { verify: true });
          } catch (e) {
            if (!(e instanceof IntentError)) throw e;
            refused++;
            continue;
          }
          applied++;
          const where = `${name} seq ${s} step ${k} ${JSON.stringify(intent)}`;
          assert.equal(res.fallback, false, `line mapping not faithful: ${where}`);
          // The fast path (a view of the analysed document, only the touched entries printed) gives the same text.
          const fast = applyIntent(text, intent, { doc: before.parsed.doc!, topology: before.topology! });
          assert.equal(fast.text, res.text, `partial path differs: ${where}`);
          assert.deepEqual(fast.removed, res.removed, `partial path removed ranges differ: ${where}`);
          if (fast.partial) partial++;
          const after = analyze(res.text);
          const errors = after.problems.filter((p) => p.severity === 'error').map((p) => p.message);
          assert.deepEqual(errors, [], `${where}\n${res.text}`);
          // Every comment outside removed entries survives.
          const kept = comments(res.text).map((c) => c.text);
          for (const c of comments(text)) {
            if (res.removed.some(([a, b]) => c.at >= a && c.at < b)) continue;
            const i = kept.indexOf(c.text);
            assert.ok(i >= 0, `lost comment ${JSON.stringify(c.text)}: ${where}\n${res.text}`);
            kept.splice(i, 1);
          }
          text = res.text;
        }
      }
      assert.ok(applied > SEQUENCES_PER_FILE, `${name}: only ${applied} intents applied (${refused} refused)`);
      assert.equal(partial, applied, `${name}: ${applied - partial} intents took the full path`);
    });
  }
});
