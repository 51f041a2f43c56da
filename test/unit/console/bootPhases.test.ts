import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BootTracker, DEFAULT_READY, lastBoot, phaseOf, phaseSummary, readyPattern } from '../../../src/console/bootPhases';

const BOOT = [
  'SeaBIOS (version 1.16.2-debian-1.16.2-1)',
  'Booting from ROM..',
  '[    0.000000] Linux version 6.1.0-28-amd64 (debian-kernel@lists.debian.org) (gcc-12) #1 SMP',
  '[    0.512000] Freeing unused kernel image (initmem) memory: 2800K',
  '[    0.513000] Run /init as init process',
  'vsim-guest chassis ready',
  'chassis login: ',
];

test('phaseOf: firmware, kernel, init, ready (default: a login prompt or systemd multi-user)', () => {
  const re = new RegExp(DEFAULT_READY);
  assert.equal(phaseOf(BOOT[0]!, re), 'firmware');
  assert.equal(phaseOf(BOOT[2]!, re), 'kernel');
  assert.equal(phaseOf('[  OK  ] \x1b[0;1;39mReached target Multi-User System\x1b[0m.', re), 'ready');
  assert.equal(phaseOf('[    1.0] systemd[1]: Detected architecture arm64.', re), 'init');
  assert.equal(phaseOf('chassis login: ', re), 'ready');
  assert.equal(phaseOf('random text', re), undefined);
});

test('BootTracker: phases in order with times; skipped phases; never back; last lines kept', () => {
  let now = 0;
  const t = new BootTracker(readyPattern('^vsim-guest \\S+ ready$').re, () => now);
  now = 100; assert.equal(t.push(BOOT[2]!)?.phase, 'kernel'); // no firmware line: skipped
  now = 150; assert.equal(t.push(BOOT[0]!), undefined, 'a firmware line after the kernel does not go back');
  now = 900; assert.equal(t.push(BOOT[4]!)?.phase, 'init');
  assert.equal(t.done, false);
  now = 2500; assert.equal(t.push(BOOT[5]!)?.phase, 'ready');
  assert.equal(t.done, true);
  assert.deepEqual(t.marks.map((m) => [m.phase, m.atMs]), [['started', 0], ['kernel', 100], ['init', 900], ['ready', 2500]]);
  assert.equal(phaseSummary(t.marks), 'kernel booting 0.1 s · userspace (init) 0.9 s · login prompt 2.5 s');
  assert.deepEqual(t.lastLines().slice(-1), ['vsim-guest chassis ready']);
});

test('readyPattern: empty → default; invalid → default with the reason', () => {
  assert.equal(readyPattern('').re.source, DEFAULT_READY);
  const bad = readyPattern('(');
  assert.equal(bad.re.source, DEFAULT_READY);
  assert.match(bad.error ?? '', /vsim.boot.readyPattern "\(" is not a regular expression/);
});

test('lastBoot: an appended log is cut at its last firmware banner, else its last kernel banner', () => {
  const two = [...BOOT, 'vsim-guest: ACPI power button, powering off', ...BOOT.slice(0, 3)].join('\n');
  assert.equal(lastBoot(two), BOOT.slice(0, 3).join('\n'));
  const noFw = ['[ 0.0] Linux version 6.1 a', 'x', '[ 0.0] Linux version 6.1 b', 'y'].join('\n');
  assert.equal(lastBoot(noFw), '[ 0.0] Linux version 6.1 b\ny');
  assert.equal(lastBoot('just text\nmore'), 'just text\nmore');
});

test('BootTracker.reach: the SSH phase after the login prompt, once, with its time and the identification line', () => {
  let t = 0;
  const tr = new BootTracker(new RegExp(DEFAULT_READY), () => t);
  for (const l of BOOT) { t += 100; tr.push(l); }
  assert.equal(tr.phase, 'ready');
  assert.equal(tr.done, true);
  t = 2000;
  const m = tr.reach('SSH-2.0-dropbear_2022.83');
  assert.deepEqual(m, { phase: 'reachable', atMs: 2000, line: 'SSH-2.0-dropbear_2022.83' });
  assert.equal(tr.done, true);
  assert.equal(tr.reach('SSH-2.0-again'), undefined, 'reached once');
  assert.equal(tr.push('chassis login: '), undefined, 'a later login prompt does not go back');
  assert.match(phaseSummary(tr.marks), /login prompt 0\.7 s · SSH reachable 2\.0 s$/);
});
