import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Emitter } from '../../../src/remote/events';

test('Emitter: subscribe, dispose a listener, a throwing listener does not stop the others', () => {
  const e = new Emitter<number>();
  const seen: number[] = [];
  const origError = console.error;
  console.error = () => undefined;
  try {
    e.event(() => { throw new Error('boom'); });
    const sub = e.event((n) => seen.push(n));
    e.fire(1);
    sub.dispose();
    e.fire(2);
  } finally {
    console.error = origError;
  }
  assert.deepEqual(seen, [1]);
  e.dispose();
  e.fire(3);
});
