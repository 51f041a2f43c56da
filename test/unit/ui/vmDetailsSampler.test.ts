// The VM details page's reads: one at once when shown (once its script is ready), then one per
// interval while visible, none while hidden, never two at a time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sampler } from '../../../src/vmDetails/sampler';
import type { Timers } from '../../../src/lab/refreshPolicy';

/** Timers run by hand: advance(ms) fires what is due, in order. */
function manualTimers(): Timers & { advance(ms: number): Promise<void>; pending(): number } {
  let now = 0;
  let id = 0;
  const due = new Map<number, { at: number; f: () => void }>();
  return {
    setTimeout(f, ms) { due.set(++id, { at: now + ms, f }); return id; },
    clearTimeout(h) { due.delete(h as number); },
    pending: () => due.size,
    async advance(ms) {
      const end = now + ms;
      for (;;) {
        const next = [...due.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!next) break;
        due.delete(next[0]);
        now = next[1].at;
        next[1].f();
        for (let i = 0; i < 5; i++) await Promise.resolve(); // let the read settle
      }
      now = end;
    },
  };
}

test('one read when shown, one per interval while visible, nothing hidden', async () => {
  const t = manualTimers();
  let reads = 0;
  const s = new Sampler(async () => { reads++; }, () => 1000, t);
  s.setVisible(true);
  await t.advance(5000);
  assert.equal(reads, 0, 'nothing before the page is ready');
  s.setReady();
  await t.advance(0);
  assert.equal(reads, 1);
  await t.advance(3000);
  assert.equal(reads, 4, 'one per interval');
  s.setVisible(false);
  await t.advance(60_000);
  assert.equal(reads, 4, 'none while hidden');
  assert.equal(t.pending(), 0);
  s.setVisible(true);
  await t.advance(0);
  assert.equal(reads, 5, 'one at once when shown again');
  s.dispose();
  await t.advance(10_000);
  assert.equal(reads, 5);
});

test('a slow read is never overlapped by the next', async () => {
  const t = manualTimers();
  let active = 0;
  let most = 0;
  let release: (() => void) | undefined;
  const s = new Sampler(() => new Promise<void>((r) => { active++; most = Math.max(most, active); release = () => { active--; r(); }; }), () => 1000, t);
  s.setVisible(true);
  s.setReady();
  await t.advance(0);
  s.now();
  await t.advance(5000);
  assert.equal(most, 1);
  assert.equal(s.reads, 1);
  release!();
  await new Promise((r) => setImmediate(r)); // the read settles and schedules the next
  await t.advance(1000);
  assert.equal(s.reads, 2);
});
