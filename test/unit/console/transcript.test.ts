// The console transcript on a real temp directory: file naming, control sequences kept out, the
// per-file cap, the per-VM count, a disk that fails, a burst that does not block the caller.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleTranscript, ControlStripper, listTranscripts, pathSegment, pruneTranscripts, transcriptDir, transcriptStamp } from '../../../src/console/transcript';

function withDir(f: (dir: string) => Promise<void>): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vsim-transcript-'));
    try {
      await f(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

const at = (s: string): (() => Date) => () => new Date(s);

test('names: HOST/VM segments safe as they are, anything else encoded; the stamp is local YYYYMMDD-HHMMSS', () => {
  assert.equal(pathSegment('edge.Gateway'), 'edge.Gateway');
  assert.equal(pathSegment('vsim-hv1'), 'vsim-hv1');
  assert.equal(pathSegment('..'), '%2E.');
  assert.equal(pathSegment('a/b'), 'a%2Fb');
  assert.equal(pathSegment(".x*'"), '%2Ex%2A%27');
  assert.equal(pathSegment(''), '%00');
  assert.equal(transcriptDir('/r', 'h', 'a/../b'), '/r/transcripts/h/a%2F..%2Fb');
  assert.equal(transcriptStamp(new Date(2025, 0, 2, 3, 4, 5)), '20250102-030405');
});

test('control sequences are kept out, also when split across chunks; text, newlines and tabs stay', () => {
  const s = new ControlStripper();
  const parts = ['\x1b[1;32mgreen\x1b[0m\r\n', 'tab\there\x1b', '[2', 'Jclear\x1b]0;title\x07after OSC\r\n',
    '\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ done\n', 'bell\x07 bs\x08 del\x7f \x1b(Bcharset \x9b31mc1\n', 'ünïcødé ✓\n'];
  const out = parts.map((p) => s.push(p)).join('');
  assert.equal(out, 'green\ntab\thereclearafter OSC\nlink done\nbell bs del charset c1\nünïcødé ✓\n');
  // An OSC that never ends gives the text back after a bound.
  const t = new ControlStripper();
  assert.equal(t.push(`\x1b]${'x'.repeat(5000)}`).length, 5000 - 4097);
});

test('a session: file made on the first text, header, stripped text, notes; none for a console that printed nothing', withDir(async (root) => {
  const quiet = new ConsoleTranscript({ root, host: 'hv1', vm: 'vm1', now: at('2025-03-04T05:06:07') });
  quiet.write('\x1b[0m');
  await quiet.close();
  assert.deepEqual(await listTranscripts(root, 'hv1', 'vm1'), []);

  const t = new ConsoleTranscript({ root, host: 'hv1', vm: 'vm1', now: at('2025-03-04T05:06:07') });
  t.note('attached');
  t.write('/ # echo hi\r\n\x1b[1mhi\x1b[0m\r\n');
  t.write('/ # ');
  await t.close();
  t.write('after close');
  const [f] = await listTranscripts(root, 'hv1', 'vm1');
  assert.ok(f);
  assert.equal(f.name, '20250304-050607.log');
  assert.equal(f.path, join(root, 'transcripts', 'hv1', 'vm1', '20250304-050607.log'));
  assert.equal(f.started.getTime(), new Date('2025-03-04T05:06:07').getTime());
  const text = readFileSync(f.path, 'utf8');
  assert.match(text, /^# vsim: console of vm1 on hv1, opened .* \(control sequences removed\)\n\n# vsim: attached\n\/ # echo hi\nhi\n\/ # $/);
  assert.equal(f.size, Buffer.byteLength(text));
  assert.equal(t.bytesWritten, f.size);
}));

test('two sessions in the same second get -1; listed newest first; the oldest beyond `keep` go when a new one starts', withDir(async (root) => {
  const stamps = ['2025-01-01T10:00:00', '2025-01-01T10:00:00', '2025-01-01T09:59:59', '2025-01-02T00:00:00'];
  for (const s of stamps) {
    const t = new ConsoleTranscript({ root, host: 'hv', vm: 'v', now: at(s), keep: 3 });
    t.write(`${s}\n`);
    await t.close();
  }
  const dir = transcriptDir(root, 'hv', 'v');
  writeFileSync(join(dir, 'notes.txt'), 'not ours'); // other files are left alone
  assert.deepEqual((await listTranscripts(root, 'hv', 'v')).map((f) => f.name), ['20250102-000000.log', '20250101-100000-1.log', '20250101-100000.log']);
  assert.deepEqual(await pruneTranscripts(root, 'hv', 'v', 1), ['20250101-100000-1.log', '20250101-100000.log']);
  assert.deepEqual(readdirSync(dir).sort(), ['20250102-000000.log', 'notes.txt']);
}));

test('the per-file cap: the file ends with one line saying so, later output is dropped', withDir(async (root) => {
  const t = new ConsoleTranscript({ root, host: 'hv', vm: 'v', capBytes: 4096, maxQueued: 1 << 20 });
  for (let i = 0; i < 1000; i++) t.write(`line ${i} ${'x'.repeat(40)}\r\n`);
  await t.flushed();
  t.write('more after the cap\n');
  await t.close();
  const [f] = await listTranscripts(root, 'hv', 'v');
  const text = readFileSync(f!.path, 'utf8');
  assert.ok(f!.size <= 4096, `${f!.size} bytes`);
  assert.match(text, /\n# vsim: transcript capped at 4096 bytes; later output not kept\n$/);
  assert.doesNotMatch(text, /more after the cap/);
  assert.match(text, /line 0 x+\nline 1 /);
}));

test('a burst: write() returns at once, the queue is bounded, and what could not wait is counted in the file', withDir(async (root) => {
  const t = new ConsoleTranscript({ root, host: 'hv', vm: 'v', maxQueued: 64 * 1024, capBytes: 64 * 1024 * 1024 });
  const chunk = `${'y'.repeat(1023)}\n`;
  const t0 = performance.now();
  for (let i = 0; i < 10_000; i++) t.write(chunk); // 10 MB in one tick: the disk cannot keep up
  const ms = performance.now() - t0;
  await t.close();
  const [f] = await listTranscripts(root, 'hv', 'v');
  const text = readFileSync(f!.path, 'utf8');
  assert.ok(f!.size < 1024 * 1024, `kept ${f!.size} bytes of 10 MB`);
  assert.match(text, /# vsim: \d+ characters not kept here \(the disk was slower than the console\)/);
  console.log(`# 10 MB written into the transcript in ${ms.toFixed(0)} ms of the caller's time; ${f!.size} bytes kept`);
}));

test('a directory that cannot be written: the error is reported once, write() goes on without throwing', withDir(async (root) => {
  if (process.getuid?.() === 0) {
    // root writes anywhere: make the VM's directory a file instead.
    mkdirSync(join(root, 'transcripts', 'hv'), { recursive: true });
    writeFileSync(join(root, 'transcripts', 'hv', 'v'), '');
  } else {
    mkdirSync(join(root, 'transcripts'), { recursive: true });
    chmodSync(join(root, 'transcripts'), 0o500);
  }
  const errors: string[] = [];
  const t = new ConsoleTranscript({ root, host: 'hv', vm: 'v', onError: (e) => errors.push(e.message) });
  t.write('a\n');
  await t.flushed();
  t.write('b\n');
  await t.close();
  assert.equal(errors.length, 1, errors.join('\n'));
  assert.match(errors[0]!, /EACCES|ENOTDIR|EEXIST/);
}));
