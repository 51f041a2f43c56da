// runSteps (src/plan/apply.ts) for real with sh: a sequence of steps goes in one round trip; a failing
// step stops the sequence there (nothing after it runs) and its error names host, command and
// stderr; a tolerated failure (code and stderr as its Tolerance says) lets the rest run, in the next
// round trip.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import type { Topology } from '../../../src/model/types';
import { runSteps } from '../../../src/plan/apply';
import type { TcStep } from '../../../src/tc/steps';
import { ctxFor, localRunner } from '../fakes/runner';

const topo = { version: 1, hosts: { hv: { address: 'x' } } } as unknown as Topology;
const dir = mkdtempSync(path.join(process.env.TMPDIR ?? tmpdir(), 'vsim-runsteps-'));
const trace = path.join(dir, 'trace');
after(() => rmSync(dir, { recursive: true, force: true }));

/** A step that appends its name to the trace file, then exits with `code` after printing `stderr`. */
const step = (name: string, code = 0, stderr = '', tolerate?: TcStep['tolerate']): TcStep => ({
  argv: ['sh', '-c', 'echo "$1" >> "$2"; [ -n "$3" ] && echo "$3" >&2; exit "$4"', 'step', name, trace, stderr, String(code)],
  ...(tolerate ? { tolerate } : {}),
});
const ran = (): string[] => readFileSync(trace, 'utf8').trim().split('\n');

test('steps that succeed: all run, in order, in one round trip', async () => {
  rmSync(trace, { force: true });
  const run = localRunner();
  await runSteps(ctxFor(topo, 'hv', run), [step('a'), step('b'), step('c')]);
  assert.deepEqual(ran(), ['a', 'b', 'c']);
  assert.equal(run.calls.length, 1, 'one exec');
});

test('a failing step stops the sequence: nothing after it runs; the error names host, the step and its stderr', async () => {
  rmSync(trace, { force: true });
  const run = localRunner();
  await assert.rejects(runSteps(ctxFor(topo, 'hv', run), [step('a'), step('b', 2, 'RTNETLINK answers: Operation not permitted'), step('c')]),
    /^RemoteCommandError: sh -c .* step b .* on hv failed \(exit 2\): RTNETLINK answers: Operation not permitted$/);
  assert.deepEqual(ran(), ['a', 'b']);
  assert.equal(run.calls.length, 1);
});

test('a tolerated failure goes on with the rest in the next round trip; an untolerated one with the same code does not', async () => {
  rmSync(trace, { force: true });
  const run = localRunner();
  const exists = { exitCodes: [2], stderr: /File exists/ };
  await runSteps(ctxFor(topo, 'hv', run), [step('a'), step('b', 2, 'RTNETLINK answers: File exists', exists), step('c')]);
  assert.deepEqual(ran(), ['a', 'b', 'c']);
  assert.equal(run.calls.length, 2, 'the steps after the tolerated one in a second exec');
  rmSync(trace, { force: true });
  await assert.rejects(runSteps(ctxFor(topo, 'hv', localRunner()), [step('a', 2, 'Operation not permitted', exists), step('b')]), /failed \(exit 2\): Operation not permitted/);
  assert.deepEqual(ran(), ['a']);
});
