// Test helpers: the base fixture, one-line mutations, and markers for ranges («…») and cursors (|).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(__dirname, '..', '..', 'fixtures');
export const EXAMPLES = join(__dirname, '..', '..', '..', 'examples');
export const BASE = readFileSync(join(FIXTURES, 'base.vsim.yaml'), 'utf8');

/** Applies `[from, to]` replacements to the base; each `from` must occur exactly once. */
export function mutate(...edits: [string, string][]): string {
  return mutateText(BASE, ...edits);
}

/** Applies `[from, to]` replacements to `text`; each `from` must occur exactly once. */
export function mutateText(base: string, ...edits: [string, string][]): string {
  let text = base;
  for (const [from, to] of edits) {
    const i = text.indexOf(from);
    assert.ok(i >= 0, `fixture does not contain ${JSON.stringify(from)}`);
    assert.equal(text.indexOf(from, i + 1), -1, `fixture contains ${JSON.stringify(from)} more than once`);
    text = text.slice(0, i) + to + text.slice(i + from.length);
  }
  return text;
}

/** Removes one «range» marker pair; returns the text and the marked offsets. */
export function marked(src: string): { text: string; start: number; end: number } {
  const start = src.indexOf('«');
  const end = src.indexOf('»');
  assert.ok(start >= 0 && end > start, 'text needs a «marked» range');
  return { text: src.slice(0, start) + src.slice(start + 1, end) + src.slice(end + 1), start, end: end - 1 };
}

/** Removes the `|` cursor marker; returns the text and the cursor offset. */
export function cursor(src: string): { text: string; offset: number } {
  const offset = src.indexOf('|');
  assert.ok(offset >= 0, 'text needs a | cursor');
  return { text: src.slice(0, offset) + src.slice(offset + 1), offset };
}

/** mulberry32: a small seeded PRNG so a failure is reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
