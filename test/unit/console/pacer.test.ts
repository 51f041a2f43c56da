// The console's output pacer: a 100 MB burst reaches the terminal whole and in order, with at most
// `high` characters (plus one chunk) held and the source paused while the terminal catches up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OutputPacer } from '../../../src/console/pacer';

/** Timers run by hand: each turn runs what is due, in order. */
function manualTimers() {
  const due: (() => void)[] = [];
  return { setTimer: (fn: () => void) => { due.push(fn); }, step: () => { const f = due.shift(); f?.(); return !!f; }, get pending() { return due.length; } };
}

test('pacer: a 100 MB burst → all of it in order, memory bounded by high + one chunk, source paused and resumed', () => {
  const timers = manualTimers();
  let received = 0;
  let sum = 0;
  let paused = false;
  let pauses = 0;
  const chunk = 'x'.repeat(32 * 1024 - 1) + '\n';
  const total = Math.ceil((100 * 1024 * 1024) / chunk.length);
  let sent = 0;
  const pacer = new OutputPacer((s) => { received += s.length; sum += s.charCodeAt(s.length - 1); }, {
    pause: () => { paused = true; pauses++; },
    resume: () => { paused = false; },
  }, { rate: 8_000_000, high: 1_000_000, low: 250_000, tickMs: 20, setTimer: timers.setTimer });
  // The channel delivers while not paused; each timer turn the terminal takes one tick's budget.
  while (sent < total || timers.pending) {
    while (!paused && sent < total) { pacer.push(chunk); sent++; }
    timers.step();
  }
  assert.equal(received, total * chunk.length, 'every character delivered');
  assert.ok(sum > 0);
  assert.ok(pacer.maxQueued <= 1_000_000 + chunk.length, `held at most high + one chunk (held ${pacer.maxQueued})`);
  assert.ok(pauses > 10, `the source was paused (${pauses} times)`);
  assert.equal(paused, false, 'resumed at the end');
  assert.equal(pacer.pending, 0);
});

test('pacer: small output goes straight through; a split never cuts a surrogate pair; flush empties the queue', () => {
  const timers = manualTimers();
  const out: string[] = [];
  const pacer = new OutputPacer((s) => out.push(s), undefined, { rate: 250, tickMs: 20, setTimer: timers.setTimer }); // 5 chars a tick
  pacer.push('ab');
  assert.deepEqual(out, ['ab'], 'under the budget: at once');
  pacer.push('cd😀ef');
  while (timers.step());
  assert.equal(out.join(''), 'abcd😀ef');
  for (const s of out) assert.ok(!/[\uD800-\uDBFF]$/.test(s), `no lone high surrogate at the end of ${JSON.stringify(s)}`);
  pacer.push('x'.repeat(100));
  pacer.flush();
  assert.equal(out.join('').length, 'abcd😀ef'.length + 100);
  pacer.dispose();
  pacer.push('late');
  assert.ok(!out.join('').includes('late'));
});
