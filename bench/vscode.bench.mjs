// The figures only the real VS Code can give: runs the integration suite (code-server + Chromium,
// against the sandbox when it is up) with VSIM_FIGURES_FILE set, so the tests record what they
// measure (test/integration/util.ts `figure`), then writes bench/results/vscode.json for the table.
// Activation as VS Code reports it (Running Extensions), bundle evaluation vs activate(), topology
// graph command → all nodes and edit round trip (10…1000 VMs), virsh start → tree, idle polling,
// tc apply → readback, serial console echo, build cancel.
//
// The peer figures in the "compared with" column are the ones the benchmark issue quotes for this
// machine kind (a peer tree+graph extension); that peer cannot be installed offline here, so they are
// labelled "quoted", not measured in this run.  Prints figures; asserts nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const RESULTS = path.join(REPO, 'bench', 'results');
mkdirSync(RESULTS, { recursive: true });
const figuresFile = path.join(RESULTS, 'vscode-figures.jsonl');
rmSync(figuresFile, { force: true });

const grep = process.env.VSIM_BENCH_GREP; // e.g. "activation|topology editor" for a quick run
const t0 = Date.now();
const r = spawnSync(process.execPath, ['scripts/test-integration.mjs'], {
  cwd: REPO,
  stdio: 'inherit',
  env: { ...process.env, VSIM_FIGURES_FILE: figuresFile, ...(grep ? { VSIM_TEST_GREP: grep } : {}) },
});
console.log(`[vscode.bench] integration suite: exit ${r.status} in ${((Date.now() - t0) / 1000).toFixed(0)} s`);

const figs = new Map();
if (existsSync(figuresFile)) {
  for (const line of readFileSync(figuresFile, 'utf8').split('\n').filter(Boolean)) {
    const f = JSON.parse(line);
    figs.set(f.name, [...(figs.get(f.name) ?? []), f.value]);
  }
}
let timings = {};
try {
  timings = JSON.parse(readFileSync(path.join(REPO, 'test-results', 'integration.json'), 'utf8')).timings ?? {};
} catch { /* the suite did not write it */ }

const one = (name) => figs.get(name)?.at(-1);
const summary = [];
const row = (measure, value, unit, extra = {}) => {
  if (typeof value === 'number' && Number.isFinite(value)) summary.push({ measure, value, unit, ...extra });
};

row('activation in the real extension host (Running Extensions)', timings.vsimActivationMs, 'ms', {
  goal: '< 25 ms', spread: `bundle evaluation ${fmt(one('activation.bundleEvaluation'))} ms + activate() ${fmt(one('activation.activateCall'))} ms`,
  versus: { label: 'peer tree+graph extension (quoted)', value: 590 }, ratio: timings.vsimActivationMs / 590, met: timings.vsimActivationMs < 25,
});
for (const n of [10, 100, 500, 1000]) {
  const open = one(`editor.open.${n}`);
  const edit = one(`editor.edit.${n}`);
  const peer = n === 100 ? 5700 : n === 500 ? 6800 : undefined;
  const goal = n === 1000 ? 2000 : 1500;
  row(`topology graph: open command → all nodes drawn, ${n} VMs`, open, 'ms', {
    goal: `< ${goal / 1000} s`, met: open < goal,
    ...(peer ? { versus: { label: `peer graph editor, ${n} nodes (quoted)`, value: peer }, ratio: open / peer } : {}),
    // Most of an open is VS Code creating the webview: the 10-VM graph of the same run is that floor.
    ...(n === 1000 ? { versus: { label: 'the 10-VM graph, same run', value: one('editor.open.10') }, ratio: open / one('editor.open.10') } : {}),
  });
  const editGoal = n === 1000 ? 80 : 100; // issue 17: a move at 1 000 VMs under 80 ms
  row(`topology graph: edit round trip (move), ${n} VMs`, edit, 'ms', { goal: `< ${editGoal} ms`, met: edit < editGoal });
}
row('UI: palette command → graph of 500 VMs drawn (Chromium)', timings.topologyGraph500VmsMs, 'ms', { goal: '< 1.5 s', met: timings.topologyGraph500VmsMs < 1500 });
row('UI: palette command → graph of 1000 VMs drawn (Chromium)', timings.topologyGraph1000VmsMs, 'ms', { goal: '< 1.5 s', met: timings.topologyGraph1000VmsMs < 1500 });
row('virsh start outside vsim → running in the tree (event stream)', one('labs.virshStartToTree'), 'ms');
row('idle (Labs view and graphs hidden, 20 s): remote commands', one('labs.idleRemoteCommands'), 'commands', { goal: '0 (no polling)', met: one('labs.idleRemoteCommands') === 0 });
row('tc profile apply → kernel readback through the extension', one('tc.applyReadback'), 'ms');
row('serial console: echo round trip', one('console.serialEcho'), 'ms');
row('nix build: Cancel → remote builder gone', one('build.cancelLatency'), 'ms');

writeFileSync(path.join(RESULTS, 'vscode.json'), `${JSON.stringify({ date: new Date().toISOString(), suiteExit: r.status, timings, figures: Object.fromEntries(figs), summary }, null, 2)}\n`);
for (const s of summary) console.log(`  ${s.measure.padEnd(66)} ${fmt(s.value).padStart(8)} ${s.unit}${s.goal ? `   goal ${s.goal}` : ''}`);

function fmt(v) {
  return typeof v === 'number' && Number.isFinite(v) ? (v >= 100 ? v.toFixed(0) : v.toFixed(1)) : '?';
}
