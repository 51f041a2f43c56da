import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { ConsoleSession, type ConsoleChannel } from '../../../src/console/session';
import type { EndInfo } from '../../../src/console/failure';

class FakeChannel extends EventEmitter {
  readonly stderr = new EventEmitter();
  written: (string | Buffer)[] = [];
  windows: number[][] = [];
  closes = 0;
  ends = 0;
  write(d: string | Buffer): boolean { this.written.push(d); return true; }
  end(): void { this.ends++; }
  close(): void {
    this.closes++;
    if (this.closes === 1) queueMicrotask(() => this.emit('close'));
  }
  setWindow(rows: number, cols: number, h: number, w: number): void { this.windows.push([rows, cols, h, w]); }
}

function session(pty = true, detach?: string) {
  const ch = new FakeChannel();
  const s = new ConsoleSession(ch as unknown as ConsoleChannel, { pty, ...(detach ? { detach } : {}) });
  const out: string[] = [];
  const ends: EndInfo[] = [];
  s.onData((d) => out.push(d));
  s.onEnd((e) => ends.push(e));
  return { ch, s, out, ends };
}

test('session: a multi-byte character split across chunks arrives whole; chunks pass as they came', () => {
  const { ch, out } = session();
  const euro = Buffer.from('a€b', 'utf8'); // € is 3 bytes
  ch.emit('data', euro.subarray(0, 2));
  ch.emit('data', euro.subarray(2, 3));
  ch.emit('data', euro.subarray(3));
  ch.emit('data', Buffer.from('line\r\nnext'));
  assert.deepEqual(out, ['a', '€b', 'line\r\nnext']);
});

test('session: polkit noise at the start is dropped; non-pty output gets CRLF; stderr shown without pty', () => {
  const a = session(true);
  a.ch.emit('data', Buffer.from('Authorization not available. Check if polkit service is running or see debug message for more information.\r\n/ # '));
  assert.deepEqual(a.out, ['/ # ']);
  const b = session(false);
  b.ch.emit('data', Buffer.from('one\ntwo\r\n'));
  b.ch.stderr.emit('data', Buffer.from('warn\n'));
  assert.deepEqual(b.out, ['one\r\ntwo\r\n', 'warn\r\n']);
});

test('session: resize → setWindow(rows, cols, 0, 0); close writes the detach key, closes once, ends as requested', async () => {
  const { ch, s, ends } = session(true, '\x1d');
  s.resize(120, 40);
  assert.deepEqual(ch.windows, [[40, 120, 0, 0]]);
  s.close();
  s.close();
  assert.deepEqual(ch.written, ['\x1d']);
  assert.equal(ch.closes, 1);
  await new Promise((r) => setImmediate(r));
  assert.equal(ends.length, 1);
  assert.equal(ends[0]!.requested, true);
  s.write('late');
  assert.deepEqual(ch.written, ['\x1d']);
});

test('session: a server-side end carries exit code, signal and the tail of the output', () => {
  const { ch, ends } = session();
  ch.emit('data', Buffer.from('error: operation failed: Active console session exists for this domain\r\n'));
  ch.emit('exit', 1);
  ch.emit('close');
  assert.equal(ends.length, 1);
  assert.equal(ends[0]!.code, 1);
  assert.equal(ends[0]!.requested, false);
  assert.match(ends[0]!.tail, /Active console session exists/);
  const k = session();
  k.ch.emit('exit', null, 'TERM');
  k.ch.emit('close');
  assert.equal(k.ends[0]!.signal, 'TERM');
});

test('session: with a ready line, ready only after the virsh banner (input typed earlier would be flushed by virsh)', () => {
  const ch = new FakeChannel();
  const s = new ConsoleSession(ch as unknown as ConsoleChannel, { pty: true, readyLine: /^Escape character is / });
  const out: string[] = [];
  let readies = 0;
  s.onData((d) => out.push(d));
  s.onReady(() => readies++);
  assert.equal(s.ready, false);
  ch.emit('data', Buffer.from('Authorization not available. Check if polkit service is running or see debug message for more information.\r\n'));
  ch.emit('data', Buffer.from("Connected to domain 'chassis'\r\n"));
  assert.equal(s.ready, false);
  ch.emit('data', Buffer.from('Escape character is ^] (Ctrl + ])\r\n'));
  assert.equal(s.ready, true);
  assert.equal(readies, 1);
  ch.emit('data', Buffer.from('\r\n/ # '));
  assert.deepEqual(out, ['\r\n/ # ']);
  assert.equal(readies, 1);
});

test('session: without a ready line it is ready at once; unexpected output also counts as attached', () => {
  const a = session();
  assert.equal(a.s.ready, true);
  const ch = new FakeChannel();
  const s = new ConsoleSession(ch as unknown as ConsoleChannel, { pty: true, readyLine: /^Escape character is / });
  ch.emit('data', Buffer.from('something else\r\n'));
  assert.equal(s.ready, true);
});
