import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isNoiseLine, StartupNoiseFilter } from '../../../src/console/noise';

const POLKIT = 'Authorization not available. Check if polkit service is running or see debug message for more information.\r\n';

test('noise: the polkit line and the virsh banner are dropped at the start, the rest passes', () => {
  const f = new StartupNoiseFilter();
  assert.equal(f.push(POLKIT + "Connected to domain 'chassis'\r\nEscape character is ^] (Ctrl + ])\r\n/ # "), '/ # ');
  assert.equal(f.done, true);
  // Afterwards nothing is filtered, not even the same line.
  assert.equal(f.push(POLKIT), POLKIT);
});

test('noise: a noise line split over chunks is held until complete, then dropped', () => {
  const f = new StartupNoiseFilter();
  assert.equal(f.push('Authorization not av'), '');
  assert.equal(f.push(POLKIT.slice('Authorization not av'.length, 40)), '');
  assert.equal(f.push(POLKIT.slice(40)), '');
  assert.equal(f.done, false);
  assert.equal(f.push('hello'), 'hello');
  assert.equal(f.done, true);
});

test('noise: output that cannot be noise passes at once (a prompt without newline is not held)', () => {
  const f = new StartupNoiseFilter();
  assert.equal(f.push('/ # '), '/ # ');
  assert.equal(f.done, true);
  const g = new StartupNoiseFilter();
  assert.equal(g.push('A'), ''); // could still become "Authorization…"
  assert.equal(g.push('B'), 'AB');
});

test('noise: errors are never filtered; flush returns what was held', () => {
  const f = new StartupNoiseFilter();
  assert.equal(f.push(POLKIT + 'error: operation failed: Active console session exists for this domain\r\n'),
    'error: operation failed: Active console session exists for this domain\r\n');
  const g = new StartupNoiseFilter();
  assert.equal(g.push('Connected to'), '');
  assert.equal(g.flush(), 'Connected to');
  assert.equal(isNoiseLine("Connected to domain 'x'\r"), true);
  assert.equal(isNoiseLine('Connected to the internet'), false);
});

test('noise: a long partial line is not held forever', () => {
  const f = new StartupNoiseFilter();
  const long = `Connected to domain '${'x'.repeat(600)}`;
  assert.equal(f.push(long), long);
});
