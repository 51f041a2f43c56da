// `npm run bench`: every benchmark, then one table of figures with the comparisons measured in
// the same run (ratio column), written to bench/results/summary.{json,md,svg}.
// Benchmarks needing the sandbox (tree refresh, console) start it when it is not up and stop it after.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

const REPO = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const RESULTS = path.join(REPO, 'bench', 'results');
mkdirSync(RESULTS, { recursive: true });
const only = process.argv.slice(2);

function run(cmd, args, opts = {}) {
  console.log(`\n[bench] $ ${cmd} ${args.join(' ')}`);
  const t0 = Date.now();
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: REPO, ...opts });
  console.log(`[bench] ${path.basename(args[args.length - 1] ?? cmd)}: exit ${r.status} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return r.status === 0;
}

// 1. Bundle size of a production build.
run('node', ['scripts/build.mjs', '--production']);
const size = (f) => (existsSync(f) ? statSync(f).size : NaN);
const ext = size(path.join(REPO, 'dist/extension.js'));
const ssh2 = size(path.join(REPO, 'dist/lib/ssh2.js'));
writeFileSync(path.join(RESULTS, 'bundle.json'), JSON.stringify({ date: new Date().toISOString(), extension: ext, ssh2Lazy: ssh2, summary: [
  { measure: 'main extension bundle (production)', value: ext / 1024, unit: 'KiB', goal: '< 1 MB (heavy deps lazy)', versus: { label: 'ssh2, loaded lazily', value: ssh2 / 1024 }, met: ext < 1024 * 1024 },
] }, null, 2));

// 2. The sandbox, for the benchmarks that talk to a hypervisor (not for those that bring up a
//    sandbox part of their own: *netem* benches start test/sandbox/netem/up.sh themselves).
const selected = readdirSync(path.join(REPO, 'bench')).filter((f) => /\.bench\.(ts|mjs)$/.test(f) && (!only.length || only.some((o) => f.includes(o))));
const needsSandbox = selected.some((f) => !f.includes('netem') && !f.includes('graph-webview'));
const sandbox = path.join(REPO, 'test/sandbox/sandbox.sh');
let startedSandbox = false;
if (needsSandbox && existsSync(sandbox) && !existsSync(path.join(REPO, '.sandbox/env.json'))) {
  run('bash', [path.join(REPO, 'test/sandbox/install-deps.sh')]);
  startedSandbox = run('bash', [sandbox, 'up']);
}

// 3. Every bench/*.bench.ts (tsx) and bench/*.bench.mjs.
try {
  for (const f of selected.sort()) {
    if (f.endsWith('.bench.ts')) run(process.execPath, ['--import', 'tsx', path.join('bench', f)]);
    else if (f.endsWith('.bench.mjs')) run(process.execPath, [path.join('bench', f)]);
  }
} finally {
  if (startedSandbox) run('bash', [sandbox, 'down']);
}

// 4. One table.
const rows = [];
for (const f of readdirSync(RESULTS).filter((x) => x.endsWith('.json') && !x.startsWith('summary') && !x.startsWith('baseline')).sort()) {
  try {
    const j = JSON.parse(readFileSync(path.join(RESULTS, f), 'utf8'));
    for (const r of j.summary ?? []) rows.push({ ...r, source: f, date: j.date });
  } catch (err) {
    console.log(`[bench] ${f}: unreadable (${err.message})`);
  }
}
const num = (v, u) => (typeof v === 'number' && Number.isFinite(v) ? `${v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2)}${u ? ` ${u}` : ''}` : String(v));
const lines = ['| measure | vsim | spread | goal | compared with (same run) | ratio | met |', '|---|---|---|---|---|---|---|'];
for (const r of rows) {
  lines.push(`| ${r.measure} | ${num(r.value, r.unit)} | ${r.spread ?? ''} | ${r.goal ?? ''} | ${r.versus ? `${r.versus.label}: ${num(r.versus.value, r.unit)}` : ''} | ${r.ratio !== undefined ? `${r.ratio.toFixed(2)}×` : ''} | ${r.met === undefined ? '' : r.met ? 'yes' : 'NO'} |`);
}
const md = lines.join('\n');
console.log(`\n${md}\n`);
writeFileSync(path.join(RESULTS, 'summary.md'), `${md}\n`);
writeFileSync(path.join(RESULTS, 'summary.json'), JSON.stringify({ date: new Date().toISOString(), rows }, null, 2));
writeFileSync(path.join(RESULTS, 'summary.svg'), chart(rows.filter((r) => r.versus && typeof r.versus.value === 'number')));
console.log(`[bench] wrote bench/results/summary.{md,json,svg}`);

/** Paired horizontal bars: vsim vs the alternative measured in the same run, each on its own scale. */
function chart(items) {
  const W = 900, rowH = 54, top = 40, left = 330;
  const h = top + rowH * items.length + 20;
  const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const parts = [`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="10" y="22" font-size="15" font-weight="bold">vsim benchmarks (blue: vsim, grey: compared with, same run)</text>`];
  items.forEach((r, i) => {
    const y = top + i * rowH;
    const max = Math.max(r.value, r.versus.value) || 1;
    const bw = (v) => Math.max(1, ((W - left - 120) * v) / max);
    parts.push(`<text x="10" y="${y + 16}">${esc(r.measure.slice(0, 48))}</text>`);
    parts.push(`<rect x="${left}" y="${y + 4}" width="${bw(r.value)}" height="16" fill="#3b82f6"/><text x="${left + bw(r.value) + 6}" y="${y + 17}">${esc(num(r.value, r.unit))}</text>`);
    parts.push(`<rect x="${left}" y="${y + 24}" width="${bw(r.versus.value)}" height="16" fill="#9ca3af"/><text x="${left + bw(r.versus.value) + 6}" y="${y + 37}">${esc(`${r.versus.label}: ${num(r.versus.value, r.unit)}`.slice(0, 60))}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
