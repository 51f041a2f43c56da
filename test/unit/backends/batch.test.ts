// A refresh's probes in one `sh -c` (src/backends/batch.ts), run for real with sh: each command's
// stdout comes back exact, with its own stderr and exit code; words reach the commands untouched;
// output that looks like a mark line does not cut a section; a command that fails, a parser that
// throws or a section that is missing spoils only its own probe.
import { strict as assert } from 'node:assert';
import { test } from 'node:test';
import { batchArgv, batchParts, formatBatch, runBatch, splitBatch } from '../../../src/backends/batch';
import type { ExecResult } from '../../../src/backends/backend';
import { mustProbe, type Probe } from '../../../src/backends/probe';
import type { Topology } from '../../../src/model/types';
import { ctxFor, localRunner } from '../fakes/runner';

const topo = { version: 1, hosts: { h: { address: 'x' } } } as unknown as Topology;
const NASTY = ['$(touch /nonexistent/pwned)', "it's", 'a "b" c', '${1}', '"${2}"', 'line1\nline2', '*', ' ', ''];

const COMMANDS: string[][] = [
  ['printf', 'no newline'],
  ['printf', '%s\\n\\n\\n', 'trailing newlines'],
  ['true'],
  ['sh', '-c', 'echo out; echo err >&2; echo more err >&2; exit 3'],
  ['vsim-no-such-command-x'],
  ['printf', '[%s]\\n', ...NASTY],
  ['sh', '-c', `printf '\\nvsim-batch.${'a'.repeat(32)} err 6 0\\nvsim-batch.${'a'.repeat(32)} end\\n'; printf '%s end\\n' "$0"`, 'vsim-batch'],
];

async function runReal(commands: readonly (readonly string[])[]): Promise<{ argv: string[]; r: ExecResult }> {
  const argv = batchArgv(commands);
  return { argv, r: await localRunner().exec(argv) };
}

test('each command gets its own exact stdout, stderr and exit code back (real sh)', async () => {
  const { argv, r } = await runReal(COMMANDS);
  assert.equal(r.code, 0, r.stderr);
  const parts = splitBatch(r.stdout, argv[4]!, COMMANDS.length);
  assert.deepEqual(parts[0], { stdout: 'no newline', stderr: '', code: 0 });
  assert.deepEqual(parts[1], { stdout: 'trailing newlines\n\n\n', stderr: '', code: 0 });
  assert.deepEqual(parts[2], { stdout: '', stderr: '', code: 0 });
  assert.deepEqual(parts[3], { stdout: 'out\n', stderr: 'err\nmore err', code: 3 });
  assert.equal(parts[4]?.code, 127);
  assert.match(parts[4]?.stderr ?? '', /vsim-no-such-command-x: .*not found/);
  assert.equal(parts[5]?.stdout, NASTY.map((w) => `[${w}]\n`).join(''), 'every word reached its command as it was');
  assert.equal(parts[6]?.stdout, `\nvsim-batch.${'a'.repeat(32)} err 6 0\nvsim-batch.${'a'.repeat(32)} end\nvsim-batch end\n`, 'forged mark lines stay text');
  assert.equal(parts[6]?.code, 0);
});

test('the test runners answer a batch as sh prints it (formatBatch ≡ BATCH_SCRIPT)', async () => {
  const { argv, r } = await runReal(COMMANDS);
  const real = splitBatch(r.stdout, argv[4]!, COMMANDS.length);
  const decoded = batchParts(argv);
  assert.deepEqual(decoded?.commands, COMMANDS, 'the argv gives its commands back');
  const fake = splitBatch(formatBatch(decoded!.mark, real.map((p) => p!)), decoded!.mark, COMMANDS.length);
  assert.deepEqual(fake, real);
  assert.equal(batchParts(['sh', '-c', 'echo hi', 'vsim', 'vsim-batch.x']), undefined);
});

test('a batch cut short: the commands it did not finish have no result', async () => {
  const { argv, r } = await runReal([['echo', 'one'], ['echo', 'two']]);
  const cut = r.stdout.slice(0, r.stdout.indexOf(' out 1\n') + 7);
  assert.deepEqual(splitBatch(cut, argv[4]!, 2), [{ stdout: 'one\n', stderr: '', code: 0 }, undefined]);
  assert.deepEqual(splitBatch('garbage', argv[4]!, 2), [undefined, undefined]);
});

test('batchArgv refuses an empty command or a mark of the wrong form', () => {
  assert.throws(() => batchArgv([[]]), /empty command/);
  assert.throws(() => batchArgv([['true']], 'x; reboot'), /bad mark/);
});

const echo = (label: string, word: string, code = 0): Probe<string> =>
  mustProbe(ctxFor(topo, 'h', localRunner()), label, ['sh', '-c', 'printf %s "$1"; exit "$2"', 'sh', word, String(code)], (r) => r.stdout);

test('runBatch: one exec for all probes; a failing command or a throwing parser spoils only its own probe', async () => {
  const run = localRunner();
  const ctx = ctxFor(topo, 'h', run);
  const throwing: Probe<string> = { label: 'picky probe', argv: ['echo', 'x'], parse: () => { throw new Error('picky probe on h: cannot read x'); } };
  const none: Probe<string> = { label: 'nothing to ask', parse: (r) => `asked nothing (${r.code})` };
  const out = await runBatch(ctx, [echo('first', 'a'), echo('failing', 'b', 4), throwing, none, echo('last', 'z')]);
  assert.equal(run.calls.length, 1, 'one round trip');
  assert.deepEqual(out[0], { ok: true, value: 'a' });
  assert.equal(out[1]?.ok, false);
  assert.match(!out[1]?.ok ? out[1]!.error.message : '', /exit 4/);
  assert.deepEqual(!out[2]?.ok && out[2]!.error.message, 'picky probe on h: cannot read x');
  assert.deepEqual(out[3], { ok: true, value: 'asked nothing (0)' });
  assert.deepEqual(out[4], { ok: true, value: 'z' });
  const idle = localRunner();
  assert.deepEqual(await runBatch(ctxFor(topo, 'h', idle), [none]), [{ ok: true, value: 'asked nothing (0)' }]);
  assert.equal(idle.calls.length, 0, 'no command: no round trip');
});

test('runBatch: a missing section names its probe and host; the round trip failing fails every probe with its error', async () => {
  const short = { exec: async (): Promise<ExecResult> => ({ stdout: '', stderr: 'Killed', code: 137, durationMs: 1 }) };
  const [a] = await runBatch(ctxFor(topo, 'h', short), [echo('Services probe', 'a')]);
  assert.equal(!a?.ok && a!.error.message, "Services probe on h: no answer in the refresh's round trip (it exited 137: Killed)");
  const down = { exec: async (): Promise<ExecResult> => { throw new Error('h is unreachable: connect ECONNREFUSED'); } };
  const both = await runBatch(ctxFor(topo, 'h', down), [echo('one', 'a'), echo('two', 'b')]);
  assert.deepEqual(both.map((b) => !b.ok && b.error.message), ['h is unreachable: connect ECONNREFUSED', 'h is unreachable: connect ECONNREFUSED']);
});
