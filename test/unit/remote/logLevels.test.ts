// The "vsim" log's levels for remote commands: what repeats (a successful listing every poll, the same
// failure while a host stays down, a stream ending) at debug, a new failure as a warning; bound
// streams are logged as their program.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { boundToChannel, programOf } from '../../../src/remote/boundStream';
import { CommandLogLevels, type CommandLogEntry } from '../../../src/remote/log';

const entry = (argv: string[], code: number | null, extra: Partial<CommandLogEntry> = {}): CommandLogEntry => ({ host: 'hv1', argv, code, durationMs: 3, via: 'shell', ...extra });
const LIST = ['virsh', '-c', 'qemu:///system', 'domstats', '--state'];

test('a poll that succeeds is debug however often it runs', () => {
  const l = new CommandLogLevels();
  for (let i = 0; i < 5; i++) assert.equal(l.level(entry(LIST, 0)), 'debug');
});

test('a failure is a warning once; the same failure again is debug; a different one, or one after a success, warns again', () => {
  const l = new CommandLogLevels();
  const down = entry(LIST, null, { error: 'connection lost' });
  assert.equal(l.level(down), 'warn');
  assert.equal(l.level(down), 'debug', 'the host stays down: every poll says the same');
  assert.equal(l.level(entry(LIST, 1)), 'warn', 'a different failure');
  assert.equal(l.level({ ...down, host: 'hv2' }), 'warn', 'another host');
  assert.equal(l.level(entry(LIST, 0)), 'debug');
  assert.equal(l.level(entry(LIST, 1)), 'warn', 'failing again after it worked');
  assert.equal(l.level(entry(['virsh', 'start', 'a'], 1)), 'warn', 'another command');
});

test('a stream that ends (a view hidden, a host disconnected) is debug, whatever its exit code', () => {
  const l = new CommandLogLevels();
  assert.equal(l.level(entry(boundToChannel(['virsh', 'event', '--loop']), 143, { via: 'stream' })), 'debug');
  assert.equal(l.level(entry(['journalctl', '-f'], null, { via: 'stream' })), 'debug');
});

test('programOf: a bound argv is logged as its program; any other argv as it is', () => {
  assert.deepEqual(programOf(boundToChannel(['virsh', 'event', '--loop'])), ['virsh', 'event', '--loop']);
  assert.deepEqual(programOf(['sh', '-c', 'echo hi', 'sh', 'x']), ['sh', '-c', 'echo hi', 'sh', 'x']);
  assert.deepEqual(programOf(['virsh', 'list']), ['virsh', 'list']);
});
