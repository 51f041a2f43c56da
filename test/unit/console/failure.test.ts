import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyEnd, endMessage, holdersIn, lastLines, type EndInfo } from '../../../src/console/failure';
import { keyAction } from '../../../src/console/keys';

const base: EndInfo = { code: 1, tail: '', stderr: '', requested: false };
const ctx = { vm: 'chassis', host: 'vsim-hv1', command: 'virsh -q -c qemu:///system console chassis', canForce: true };

test('classifyEnd: requested, busy, taken over, dropped, detached, not running, failed', () => {
  assert.equal(classifyEnd({ ...base, requested: true, code: null }), 'closed');
  assert.equal(classifyEnd({ ...base, tail: 'error: operation failed: Active console session exists for this domain\r\n' }), 'busy');
  assert.equal(classifyEnd({ ...base, tail: 'error: internal error: character device console0 is not using a PTY\r\nerror: stream had I/O failure' }), 'taken-over');
  assert.equal(classifyEnd({ ...base, code: null }), 'dropped');
  assert.equal(classifyEnd({ ...base, code: 0, linkLost: 'Connection to vsim-hv1 was lost' }), 'dropped');
  assert.equal(classifyEnd({ ...base, code: 0 }), 'detached');
  assert.equal(classifyEnd({ ...base, tail: "error: Requested operation is not valid: domain is not running\r\n" }), 'not-running');
  assert.equal(classifyEnd({ ...base, code: null, signal: 'TERM' }), 'failed');
  assert.equal(classifyEnd({ ...base, code: 2, stderr: 'socat: E connect(5, AF=1 "/x/serial.sock", 21): No such file or directory' }), 'failed');
});

test('endMessage: names host, command and stderr; offers F only where it can force', () => {
  const busy = endMessage('busy', { ...base, tail: 'error: operation failed: Active console session exists for this domain\r\n' }, ctx);
  assert.match(busy, /another console session is attached to chassis on vsim-hv1/);
  assert.match(busy, /Active console session exists/);
  assert.match(busy, /host vsim-hv1, command: virsh -q -c qemu:\/\/\/system console chassis/);
  assert.match(busy, /Press F to take it over/);
  assert.doesNotMatch(endMessage('busy', base, { ...ctx, canForce: false }), /Press F/);
  const dropped = endMessage('dropped', { ...base, code: null, linkLost: 'Connection to vsim-hv1 (127.0.0.1:22) was lost' }, ctx);
  assert.match(dropped, /link to vsim-hv1 was lost: Connection to vsim-hv1/);
  assert.match(dropped, /Press R or Enter to reconnect/);
  assert.equal(endMessage('closed', base, ctx), '');
  // Terminal lines end with CRLF, never a bare LF.
  assert.doesNotMatch(dropped.replace(/\r\n/g, ''), /\n/);
});

test('lastLines: strips ANSI and CRs, keeps the last non-empty lines', () => {
  assert.deepEqual(lastLines('a\r\n\x1b[31mb\x1b[0m\r\n\r\nc\r\nd\r\ne', 3), ['c', 'd', 'e']);
});

test('keyAction: R/Enter reconnect, F only when it can force, Q/Ctrl-C close, others nothing', () => {
  assert.equal(keyAction('\r', false), 'reconnect');
  assert.equal(keyAction('r', false), 'reconnect');
  assert.equal(keyAction('F', true), 'force');
  assert.equal(keyAction('f', false), 'none');
  assert.equal(keyAction('q', true), 'close');
  assert.equal(keyAction('\x03', true), 'close');
  assert.equal(keyAction('x', true), 'none');
});

test('busy serial socket: classified busy; its holders named in the message; F offered', () => {
  const tail = 'vsim: serial console busy: another client holds /run/q/serial.sock on hv1\r\nvsim: held by socat (pid 42, user root, up 00:10, from sshd: root@notty)\r\n';
  const e = { ...base, code: 75, tail };
  assert.equal(classifyEnd(e), 'busy');
  assert.deepEqual(holdersIn(tail), ['socat (pid 42, user root, up 00:10, from sshd: root@notty)']);
  const m = endMessage('busy', { ...e, holders: holdersIn(tail) }, ctx);
  assert.match(m, /another console session is attached to chassis on vsim-hv1/);
  assert.match(m, /held by socat \(pid 42, user root/);
  assert.match(m, /Press F to take it over \(asks first/);
  assert.match(endMessage('busy', base, ctx), /held by a client vsim cannot name/);
  assert.equal(classifyEnd({ ...base, code: 3, tail: 'vsim: no serial socket /run/q/serial.sock on hv1 (is the VM running?)\r\n' }), 'not-running');
});
