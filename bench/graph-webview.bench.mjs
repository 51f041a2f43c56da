// The topology graph webview in headless Chromium (webview/bench/graph-bench.mjs: first draw, a one-node
// patch, the patch again with every host expanded), this build side by side with older builds of the
// webview made from git in the same run, rounds interleaved so machine load hits both alike:
//   4e3880b: before the graph rework (hosts as vis-network clusters, SVG icons, no label scaling);
//   abcda33: the rework before its redraw fix (every DataSet change drawn twice, icons rasterized from SVG on each draw).
// Writes bench/results/graph-webview.json. Prints figures; asserts nothing.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const RESULTS = path.join(REPO, 'bench', 'results');
mkdirSync(RESULTS, { recursive: true });
const N = Number(process.env.GRAPH_BENCH_VMS ?? 1000);
const ROUNDS = Number(process.env.GRAPH_BENCH_ROUNDS ?? 3);
const BASELINES = [
  { commit: '4e3880b', label: 'before the graph rework (4e3880b)' },
  { commit: 'abcda33', label: 'rework before the redraw fix (abcda33)' },
];

/** The webview bundle of `commit`, built from `git archive` into test-results/ (kept between runs). */
function buildAt(commit) {
  const dir = path.join(REPO, 'test-results', `graph-webview-${commit}`);
  const out = path.join(dir, 'dist', 'webview');
  if (existsSync(path.join(out, 'topology.js'))) return out;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `git archive ${commit} webview src tsconfig.json package.json | tar -x -C "$1"`, 'sh', dir], { cwd: REPO });
  execFileSync(process.execPath, ['-e', `
    require('esbuild').buildSync({ entryPoints: [${JSON.stringify(path.join(dir, 'webview/topology/main.ts'))}], outfile: ${JSON.stringify(path.join(out, 'topology.js'))},
      bundle: true, platform: 'browser', format: 'iife', target: 'es2022', logLevel: 'error', nodePaths: [${JSON.stringify(path.join(REPO, 'node_modules'))}],
      loader: { '.css': 'css', '.ttf': 'file', '.woff': 'file', '.woff2': 'file' } });`], { cwd: REPO, stdio: 'inherit' });
  return out;
}

function measure(bundle) {
  const r = spawnSync(process.execPath, ['webview/bench/graph-bench.mjs', String(N)], { cwd: REPO, encoding: 'utf8', env: { ...process.env, GRAPH_BUNDLE: bundle, GRAPH_BENCH_JSON: '1' } });
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('GRAPH_BENCH '));
  if (!line) {
    console.log(`[graph-webview] ${bundle}: no figures (exit ${r.status}) ${r.stderr?.slice(-500)}`);
    return undefined;
  }
  return JSON.parse(line.slice('GRAPH_BENCH '.length));
}

const median = (xs) => {
  const v = xs.filter((x) => typeof x === 'number').sort((a, b) => a - b);
  return v.length ? v[Math.floor(v.length / 2)] : undefined;
};

spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: REPO, stdio: 'inherit' });
const builds = [{ label: 'this build', bundle: path.join(REPO, 'dist', 'webview') }, ...BASELINES.map((b) => ({ label: b.label, bundle: buildAt(b.commit) }))];
const runs = new Map(builds.map((b) => [b.label, []]));
for (let i = 0; i < ROUNDS; i++) {
  for (const b of builds) {
    const f = measure(b.bundle);
    if (f) runs.get(b.label).push(f);
    console.log(`[graph-webview] round ${i + 1} ${b.label}: ${JSON.stringify(f)}`);
  }
}
const med = (label, key) => median(runs.get(label).map((f) => f[key]));
const spread = (label, key) => {
  const v = runs.get(label).map((f) => f[key]).filter((x) => typeof x === 'number');
  return v.length ? `${Math.min(...v).toFixed(0)}–${Math.max(...v).toFixed(0)} ms over ${v.length} rounds` : '';
};
const summary = [];
const row = (measure, key, vs, extra = {}) => {
  const value = med('this build', key);
  const other = med(vs, key);
  if (value === undefined) return;
  summary.push({ measure, value, unit: 'ms', spread: spread('this build', key), ...(other !== undefined ? { versus: { label: vs, value: other }, ratio: value / other } : {}), ...extra });
};
const [oldest, prefix] = BASELINES.map((b) => b.label);
row(`graph webview (headless): first draw, ${N} VMs`, 'firstDrawMs', oldest);
row(`graph webview (headless): one-node patch at the first view, ${N} VMs`, 'patchMs', oldest);
row(`graph webview (headless): one-node patch with every host expanded, ${N} VMs`, 'expandedPatchMs', prefix);
row(`graph webview (headless): expanding every host, ${N} VMs`, 'expandMs', prefix);
writeFileSync(path.join(RESULTS, 'graph-webview.json'), `${JSON.stringify({ date: new Date().toISOString(), vms: N, rounds: ROUNDS, runs: Object.fromEntries(runs), summary }, null, 2)}\n`);
for (const s of summary) console.log(`  ${s.measure.padEnd(72)} ${s.value.toFixed(0).padStart(6)} ms${s.versus ? `   ${s.versus.label}: ${s.versus.value.toFixed(0)} ms (×${s.ratio.toFixed(2)})` : ''}`);
