// The generated tc profile script, run for real in a throwaway namespace on veth "taps".
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../../src/model/analyze';
import { renderTcScript } from '../../../src/deploy/renderTcScript';
import { activeShaping, parseQdiscJson } from '../../../src/tc/parseQdisc';
import { Netns } from './netns';

const root = join(__dirname, '../../..');
const sandbox = analyze(readFileSync(join(root, 'examples/sandbox.vsim.yaml'), 'utf8')).topology!;
const chassis = analyze(readFileSync(join(root, 'examples/chassis-emulator.vsim.yaml'), 'utf8')).topology!;

test('script: one case per profile plus status, syntax-checked by sh -n', () => {
  for (const t of [sandbox, chassis]) {
    const s = renderTcScript(t);
    assert.match(s, /^#!\/bin\/sh\n/);
    for (const p of [...Object.keys(t.profiles ?? {}), 'status']) assert.match(s, new RegExp(`\\n  ${p}\\)\\n`));
    const r = spawnSync('sh', ['-n'], { input: s, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  }
  const c = renderTcScript(chassis);
  // The chassis override (10mbit, 50ms) and the others (100mbit, 10ms).
  assert.match(c, /tc qdisc add dev tap-chassis root handle 1: netem delay 50ms &&\n\s+tc qdisc add dev tap-chassis parent 1:1 handle 10: tbf rate 10mbit/);
  assert.match(c, /tc qdisc add dev tap-compute parent 1:1 handle 10: tbf rate 100mbit/);
});

let ns: Netns | undefined;
let skip: string | false = spawnSync('sh', ['-c', 'command -v tc && command -v nsenter']).status === 0 ? false : 'tc/nsenter not installed';
const dir = mkdtempSync(join(tmpdir(), 'vsim-tcscript-'));
const script = join(dir, 'tc-profiles.sh');
before(() => {
  writeFileSync(script, renderTcScript(sandbox, 'vsim-hv1'));
  if (skip) return;
  // Three of the four taps exist (jetson-1 "not running").
  const n = Netns.openWith([['tap-chassis', 'p-chassis'], ['tap-compute', 'p-compute'], ['tap-storage', 'p-storage']]
    .flatMap(([a, b]) => [['ip', 'link', 'add', a!, 'type', 'veth', 'peer', 'name', b!], ['ip', 'link', 'set', a!, 'up']]));
  if (typeof n === 'string') skip = n;
  else ns = n;
});
after(() => {
  ns?.close();
  rmSync(dir, { recursive: true, force: true });
});

const rate = (dev: string): number | undefined => activeShaping(parseQdiscJson(ns!.run(['tc', '-s', '-j', 'qdisc', 'show', 'dev', dev]).stdout)).rateBits;

test('constrained applies the rate on every present tap, reports the missing one; default clears', (t) => {
  if (skip) return t.skip(skip);
  const r = ns!.run(['sh', script, 'constrained']);
  assert.equal(r.status, 1, 'a missing tap makes the exit status 1');
  assert.match(r.stderr, /tap-jetson1 not found \(VM not running\?\), skipped/);
  for (const d of ['tap-chassis', 'tap-compute', 'tap-storage']) assert.equal(rate(d), 10_000_000, d);
  const again = ns!.run(['sh', script, 'constrained']);
  assert.doesNotMatch(again.stderr, /failed/, 'applying twice is fine');
  const st = ns!.run(['sh', script, 'status']);
  assert.match(st.stdout, /== tap-chassis\nqdisc tbf 1: root/);
  assert.match(st.stdout, /== tap-jetson1\n {2}\(not present\)/);
  ns!.run(['sh', script, 'default']);
  for (const d of ['tap-chassis', 'tap-compute', 'tap-storage']) assert.equal(rate(d), undefined, d);
  const u = ns!.run(['sh', script, 'bogus']);
  assert.equal(u.status, 2);
  assert.match(u.stderr, /usage: .* default\|constrained\|lossy\|status/);
});

test('lossy on a kernel without netem says so (and applies nothing it cannot)', (t) => {
  if (skip) return t.skip(skip);
  const probe = ns!.run(['unshare', '-n', 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms']);
  const r = ns!.run(['sh', script, 'lossy']);
  if (probe.status === 0) {
    assert.doesNotMatch(r.stderr, /netem not available/);
  } else {
    assert.match(r.stderr, /netem not available on /);
    assert.doesNotMatch(r.stderr, /applying lossy on tap-chassis failed/);
  }
  ns!.run(['sh', script, 'default']);
});
