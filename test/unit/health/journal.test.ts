import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { CommandRunner } from '../../../src/backends/backend';
import { cleanLine, JournalFollow, journalArgv, MAX_KEPT, MAX_LINE } from '../../../src/health/journal';

/** streamRaw for real on this machine: the program's bytes as they come; dispose kills it. */
function spawnRunner(): CommandRunner & { killed: () => boolean } {
  let killed = false;
  return {
    killed: () => killed,
    exec: () => Promise.reject(new Error('not used')),
    streamRaw(argv, sinks) {
      const p = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      p.stdout.on('data', (b: Buffer) => sinks.onStdout(b));
      p.stderr.on('data', (b: Buffer) => sinks.onStderr(b));
      const done = new Promise<number>((resolve) => p.on('close', (code) => resolve(code ?? -1)));
      // Its whole process group, as the remote side's bound script ends journalctl with the channel.
      return { done, dispose: () => { killed = true; process.kill(-p.pid!, 'SIGTERM'); } };
    },
  };
}

test('journal argv: -u UNIT -f -n N, the unit checked, N bounded', () => {
  assert.deepEqual(journalArgv('vsim-flaky.service', 50), ['journalctl', '-u', 'vsim-flaky.service', '-f', '-n', '50', '--no-pager', '--no-hostname']);
  assert.throws(() => journalArgv('-x'), /Invalid systemd unit name/);
  assert.throws(() => journalArgv('a', 10_001), /0 to 10000/);
});

test('clean line: controls shown as ^X, colour escapes kept, other escapes defused, long lines cut', () => {
  assert.equal(cleanLine('a\x01b\x7fc\td'), 'a^Ab^?c\td');
  assert.equal(cleanLine('\x1b[31mred\x1b[0m'), '\x1b[31mred\x1b[0m');
  assert.equal(cleanLine('\x1b]0;title\x07'), '^[]0;title^G');
  const long = cleanLine('x'.repeat(MAX_LINE + 100));
  assert.ok(long.startsWith('x'.repeat(MAX_LINE)) && long.endsWith(`[line cut at ${MAX_LINE} characters]`));
});

test('follow a real program: bytes that are not UTF-8 and controls arrive cleaned, split across chunks, stderr and exit code reported', async () => {
  const got: string[] = [];
  let end: [number, string] | undefined;
  const f = new JournalFollow(spawnRunner(), ['sh', '-c', "printf 'one\\n'; sleep 0.05; printf 'jun'; sleep 0.05; printf 'k \\001\\377\\376 \\303\\251t\\303'; sleep 0.05; printf '\\251\\ntail-without-newline'; echo oops >&2; exit 3"], {
    onLines: (l) => got.push(...l),
    onEnd: (code, stderr) => { end = [code, stderr]; },
  });
  assert.equal(await f.done, 3);
  assert.deepEqual(got, ['one', 'junk ^A\uFFFD\uFFFD ét\u00e9', 'tail-without-newline']);
  assert.deepEqual(end, [3, 'oops']);
  assert.deepEqual(f.lines(), got);
});

test('follow: memory bounded (last MAX_KEPT lines kept of many), a line without end cut, stop kills the program', async () => {
  const run = spawnRunner();
  let n = 0;
  const f = new JournalFollow(run, ['sh', '-c', `i=0; while [ $i -lt ${MAX_KEPT + 500} ]; do echo "line $i"; i=$((i+1)); done; head -c ${MAX_LINE * 3} /dev/zero | tr '\\0' y; sleep 1000`], {
    onLines: (l) => { n += l.length; },
    onEnd: () => undefined,
  });
  while (n < MAX_KEPT + 501) await new Promise((r) => setTimeout(r, 20));
  assert.equal(f.lines().length, MAX_KEPT);
  assert.match(f.lines()[0]!, /^line 50[0-2]$/, 'the oldest lines went (the cut pieces of the last line count too)');
  assert.equal(f.lines().filter((l) => l.startsWith('line')).at(-1), `line ${MAX_KEPT + 499}`);
  assert.ok(f.lines().slice(-1).every((l) => l.startsWith('yyy') && l.length <= MAX_LINE + 40), 'the newline-less run of 3×MAX_LINE bytes arrives in cut pieces');
  f.dispose();
  await f.done;
  assert.ok(run.killed() && f.isStopped);
});

test('follow needs a runner that can stream', () => {
  assert.throws(() => new JournalFollow({ exec: () => Promise.reject(new Error('x')) }, ['true'], { onLines: () => undefined, onEnd: () => undefined }), /cannot stream/);
});
