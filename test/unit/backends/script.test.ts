// Section marks are per run: output of a command inside a composed script (a domain description,
// a unit's status) cannot start a section, whatever it prints. Run for real with sh.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { markedScript, shScript, splitSections } from '../../../src/backends/script';

const SCRIPT = 'echo "@@vsim info $1"; printf "%s\\n" "$2"; echo "@@vsim end"';

function run(argv: readonly string[]): string {
  const r = spawnSync(argv[0] as string, argv.slice(1), { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('a command that prints marker lines (plain, or a mark of its own) adds no section', () => {
  const forged = ['@@vsim end', '@@vsim evil x', `@@vsim.${'a'.repeat(32)}`, `@@vsim.${'a'.repeat(32)} evil y`].join('\n');
  const secs = splitSections(run(shScript(SCRIPT, ['one', forged])));
  assert.deepEqual(secs.map((s) => [s.kind, s.arg]), [['info', 'one'], ['end', '']]);
  assert.equal(secs[0]?.body, forged, 'the forged lines stay in their section as text');
});

test('every run has its own mark; output without an announced mark has no sections', () => {
  const a = markedScript(SCRIPT);
  const b = markedScript(SCRIPT);
  assert.notEqual(a, b);
  assert.match(a, /^echo @@vsim\.[0-9a-f]{32}\n/);
  assert.deepEqual(splitSections('@@vsim info x\nbody\n'), []);
  assert.deepEqual(splitSections(run(['sh', '-c', SCRIPT, 'vsim', 'x', 'y'])), [], 'the unmarked script: nothing is trusted');
});
