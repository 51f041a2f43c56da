// Bundle evaluation without VS Code: node evaluates, in one fresh process per run and in this order,
// dist/extension.js (what activation loads), dist/features.js (labs, trees, commands: on first use)
// and dist/lib/model.js (yaml, checks, IntelliSense: on the first topology document), with a
// stand-in vscode module (bench/lib/evalBundle.mjs). Side by side: activation now, and what
// activation evaluated when the features were part of its bundle (extension + features).
// Run after a production build (`npm run bench` builds one first).  Prints figures; asserts nothing.
// Usage: node bench/bundle-eval.bench.mjs [RUNS]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const runs = Number(process.argv[2] ?? 21);
const bundles = {
  ext: ['dist/extension.js', 'at activation'],
  features: ['dist/features.js', 'first use'],
  model: ['dist/lib/model.js', 'first topology file'],
};
const files = Object.values(bundles).map(([f]) => path.join(REPO, f));
for (const f of files) if (!existsSync(f)) throw new Error(`${path.relative(REPO, f)} is missing: run node scripts/build.mjs --production`);

const keys = [...Object.keys(bundles), 'before'];
const samples = Object.fromEntries(keys.map((k) => [k, { wall: [], cpu: [] }]));
const evalOnce = () => execFileSync(process.execPath, [path.join(REPO, 'bench/lib/evalBundle.mjs'), ...files], { encoding: 'utf8' })
  .trim().split(' ').map((x) => x.split(':').map(Number));
evalOnce(); // warm the file cache
for (let i = 0; i < runs; i++) {
  const [ext, features, model] = evalOnce();
  const row = { ext, features, model, before: [ext[0] + features[0], ext[1] + features[1]] };
  for (const k of keys) {
    samples[k].wall.push(row[k][0]);
    samples[k].cpu.push(row[k][1]);
  }
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const range = (xs) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)} ms`;
const kib = (f) => (statSync(path.join(REPO, f)).size / 1024).toFixed(0);
const line = (label, s) => console.log(`  ${label.padEnd(58)} cpu ${median(s.cpu).toFixed(1)} ms (${range(s.cpu)}), wall ${median(s.wall).toFixed(1)} ms (${range(s.wall)})`);
console.log(`bundle evaluation in node, ${runs} fresh processes (median, min–max):`);
for (const [k, [f, when]] of Object.entries(bundles)) line(`${f} (${kib(f)} KiB), ${when}`, samples[k]);
line('extension + features, as one bundle cost at activation', samples.before);
const now = samples.ext.cpu;
const before = samples.before.cpu;

const results = path.join(REPO, 'bench', 'results');
mkdirSync(results, { recursive: true });
writeFileSync(path.join(results, 'bundle-eval.json'), JSON.stringify({ date: new Date().toISOString(), runs, samples, summary: [{
  measure: 'bundle evaluation at activation (node, stand-in vscode, CPU time)', value: median(now), unit: 'ms', spread: range(now), goal: '< 25 ms',
  versus: { label: 'with the features in the same bundle', value: median(before) }, ratio: median(now) / median(before), met: median(now) < 25,
}] }, null, 2));
