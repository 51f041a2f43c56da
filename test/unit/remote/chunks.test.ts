// The output buffer of the control shell (issue 20 item 8): marks found across chunk boundaries
// whatever the split, what precedes the start mark dropped, and the line splitter of `follow`
// keeping a character that is split between chunks whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Chunks, formatBytes, Framed, LineSplitter } from '../../../src/remote/chunks';

test('Chunks: indexOf across chunk boundaries, resuming where the last search stopped; slice and drop', () => {
  const text = 'noise...MARK-in-the-middle...MARK';
  for (let size = 1; size <= text.length; size++) {
    const c = new Chunks();
    let from = 0;
    const found: number[] = [];
    for (let i = 0; i < text.length; i += size) {
      c.push(Buffer.from(text.slice(i, i + size)));
      for (;;) {
        const at = c.indexOf(Buffer.from('MARK'), from);
        if (at < 0) { from = Math.max(from, c.resumeFrom(4)); break; }
        found.push(at);
        from = at + 1;
      }
    }
    assert.deepEqual(found, [8, 29], `chunk size ${size}`);
    assert.equal(c.slice(8, 12).toString(), 'MARK');
    c.drop(10);
    assert.equal(c.slice(0, c.length).toString(), text.slice(10));
  }
});

test('Framed: drops what precedes the start line (its pid kept), ends at the end mark, reads the trailer; any split', () => {
  const stream = 'rc noise\nM-s 4242\nout put\nno newlineM-e 007\n';
  for (let size = 1; size <= stream.length; size++) {
    const f = new Framed(Buffer.from('M-s'), Buffer.from('M-e '), 4);
    for (let i = 0; i < stream.length; i += size) {
      assert.equal(f.done, false);
      f.push(Buffer.from(stream.slice(i, i + size)));
    }
    assert.equal(f.done, true, `chunk size ${size}`);
    assert.equal(f.output().toString(), 'out put\nno newline');
    assert.equal(Number(f.trailer()), 7);
    assert.equal(f.startInfo, '4242');
  }
});

test('LineSplitter: lines split anywhere, multi-byte characters split between chunks stay whole', () => {
  const bytes = Buffer.from("event 'lifecycle' for domain 'vm-日本🙂': Started Booted\nsecond é\npartial");
  for (let size = 1; size <= 7; size++) {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    for (let i = 0; i < bytes.length; i += size) s.push(bytes.subarray(i, i + size));
    assert.deepEqual(lines, ["event 'lifecycle' for domain 'vm-日本🙂': Started Booted", 'second é'], `chunk size ${size}`);
  }
});

test('LineSplitter: CRLF and LF end lines alike, also when the CR and LF arrive in different chunks', () => {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l));
  for (const part of ['copying path\r', '\nbuilt\r\n', 'done\n']) s.push(Buffer.from(part));
  assert.deepEqual(lines, ['copying path', 'built', 'done']);
});

test('LineSplitter: a line without newline longer than maxLine comes out in pieces of maxLine', () => {
  const lines: string[] = [];
  const s = new LineSplitter((l) => lines.push(l), 4);
  s.push(Buffer.from('abcdefghij'));
  assert.deepEqual(lines, ['abcd', 'efgh']);
  s.push(Buffer.from('\n'));
  assert.deepEqual(lines, ['abcd', 'efgh', 'ij']);
});

test('formatBytes', () => {
  assert.deepEqual([formatBytes(64 * 1024 * 1024), formatBytes(512 * 1024), formatBytes(100)], ['64 MiB', '512 KiB', '100 bytes']);
});
