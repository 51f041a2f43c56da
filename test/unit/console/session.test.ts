import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { ConsoleSession, TailBuffer, toCrlf, type ConsoleChannel } from '../../../src/console/session';
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

test('session: the end tail is the last 4096 characters, also across many small and large chunks', () => {
  const { ch, ends } = session();
  // 10,000 small chunks: the tail must hold 4096 characters (not just the last few chunks).
  let all = '';
  for (let i = 0; i < 10000; i++) {
    const piece = `${i % 10}`.repeat((i % 7) + 1);
    all += piece;
    ch.emit('data', Buffer.from(piece));
  }
  const big = 'x'.repeat(5000) + 'END';
  all += big;
  ch.emit('data', Buffer.from(big));
  ch.emit('data', Buffer.from('after'));
  all += 'after';
  ch.emit('close');
  assert.equal(ends[0]!.tail, all.slice(-4096));
  const short = session();
  short.ch.emit('data', Buffer.from('a'));
  short.ch.emit('data', Buffer.from('b'));
  short.ch.emit('close');
  assert.equal(short.ends[0]!.tail, 'ab');
});

test('TailBuffer: matches a plain concatenation for random chunk sizes', () => {
  const t = new TailBuffer(100);
  let all = '';
  let seed = 7;
  for (let i = 0; i < 5000; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const piece = String.fromCharCode(97 + (i % 26)).repeat(seed % 150);
    all += piece;
    t.push(piece);
    if (i % 97 === 0) assert.equal(t.text(), all.slice(-100));
  }
  assert.equal(t.text(), all.slice(-100));
});

test('session: a UTF-8 character split at every byte boundary of a long run decodes without mojibake', () => {
  const text = 'zß€😀 '.repeat(1000); // 1-, 2-, 3- and 4-byte characters
  const bytes = Buffer.from(text, 'utf8');
  for (const size of [1, 2, 3, 5, 4096, 65536]) {
    const { ch, out, ends } = session();
    for (let i = 0; i < bytes.length; i += size) ch.emit('data', bytes.subarray(i, i + size));
    ch.emit('close');
    assert.equal(out.join(''), text, `chunk size ${size}`);
    assert.equal(ends[0]!.tail, text.slice(-4096));
  }
});

test('toCrlf / non-pty session: lone \\n → \\r\\n, \\r\\n kept, also when split between chunks', () => {
  assert.equal(toCrlf('a\nb\n', false), 'a\r\nb\r\n');
  assert.equal(toCrlf('a\r\nb\n', false), 'a\r\nb\r\n');
  assert.equal(toCrlf('\nb', true), '\nb');
  assert.equal(toCrlf('\r\nb', true), '\r\nb');
  assert.equal(toCrlf('b\n', true), 'b\r\n');
  const { ch, out } = session(false);
  ch.emit('data', Buffer.from('one\r'));
  ch.emit('data', Buffer.from('\ntwo\n'));
  ch.emit('data', Buffer.from('\nthree\r'));
  ch.stderr.emit('data', Buffer.from('\nerr\n')); // stderr's \n is its own line end, not stdout's \r\n
  ch.emit('data', Buffer.from('x'.repeat(70000) + '\n'));
  assert.deepEqual(out.slice(0, 4), ['one\r', '\ntwo\r\n', '\r\nthree\r', '\r\nerr\r\n']);
  assert.equal(out[4], `${'x'.repeat(70000)}\r\n`);
});
