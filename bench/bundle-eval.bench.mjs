// Bundle evaluation without VS Code: node evaluates dist/extension.js (what activation loads) and then
// dist/lib/model.js (yaml, checks, IntelliSense: loaded on the first topology document), each run in a
// fresh process with a stand-in vscode module (bench/lib/evalBundle.mjs). Side by side: the extension
// bundle alone, and both bundles (what activation evaluated when the model was part of the one bundle).
// Run after a production build (`npm run bench` builds one first).  Prints figures; asserts nothing.
// Usage: node bench/bundle-eval.bench.mjs [RUNS]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const runs = Number(process.argv[2] ?? 21);
const files = ['dist/extension.js', 'dist/lib/model.js'].map((f) => path.join(REPO, f));
for (const f of files) if (!existsSync(f)) throw new Error(`${path.relative(REPO, f)} is missing: run node scripts/build.mjs --production`);

const samples = { ext: { wall: [], cpu: [] }, model: { wall: [], cpu: [] }, both: { wall: [], cpu: [] } };
execFileSync(process.execPath, [path.join(REPO, 'bench/lib/evalBundle.mjs'), ...files]); // warm the file cache
for (let i = 0; i < runs; i++) {
  const [a, b] = execFileSync(process.execPath, [path.join(REPO, 'bench/lib/evalBundle.mjs'), ...files], { encoding: 'utf8' })
    .trim().split(' ').map((x) => x.split(':').map(Number));
  for (const k of ['wall', 'cpu']) {
    const j = k === 'wall' ? 0 : 1;
    samples.ext[k].push(a[j]);
    samples.model[k].push(b[j]);
    samples.both[k].push(a[j] + b[j]);
  }
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const range = (xs) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)} ms`;
const kib = (f) => (statSync(f).size / 1024).toFixed(0);
const line = (label, s) => console.log(`  ${label.padEnd(54)} cpu ${median(s.cpu).toFixed(1)} ms (${range(s.cpu)}), wall ${median(s.wall).toFixed(1)} ms (${range(s.wall)})`);
console.log(`bundle evaluation in node, ${runs} fresh processes (median, min–max):`);
line(`dist/extension.js (${kib(files[0])} KiB), at activation`, samples.ext);
line(`dist/lib/model.js (${kib(files[1])} KiB), first topology file`, samples.model);
line('both, as one bundle would cost at activation', samples.both);
const ext = samples.ext.cpu;
const both = samples.both.cpu;

const results = path.join(REPO, 'bench', 'results');
mkdirSync(results, { recursive: true });
writeFileSync(path.join(results, 'bundle-eval.json'), JSON.stringify({ date: new Date().toISOString(), runs, samples, summary: [{
  measure: 'bundle evaluation at activation (node, stand-in vscode, CPU time)', value: median(ext), unit: 'ms', spread: range(ext), goal: '< 25 ms',
  versus: { label: 'with the model in the same bundle', value: median(both) }, ratio: median(ext) / median(both), met: median(ext) < 25,
}] }, null, 2));
