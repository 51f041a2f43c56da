// `npm test`: every suite, one closing line `N passed, N failed, N skipped` over all of them.
// Suites: typecheck, lint, unit (node:test), nix (real nix eval), fresh-clone (the README's commands
// in a new clone), sandbox (backends against the real local hypervisors), integration (real VS Code +
// the same sandbox).
// First installs node_modules (npm ci) when it is missing or differs from package-lock.json, so this
// works as the first command in a fresh clone: until then only node's own modules are used.
// VSIM_SUITES=typecheck,lint runs only the named suites; VSIM_SKIP_INTEGRATION=1 leaves out sandbox
// and integration (both print what they left out).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { ensureNodeModules } from './lib/nodeModules.mjs';

const SUITES = ['typecheck', 'lint', 'unit', 'nix', 'fresh-clone', 'sandbox', 'integration'];
const chosen = process.env.VSIM_SUITES ? process.env.VSIM_SUITES.split(',').map((s) => s.trim()).filter(Boolean) : SUITES;
const unknown = chosen.filter((s) => !SUITES.includes(s));
if (unknown.length) {
  console.error(`VSIM_SUITES: unknown suite ${unknown.join(', ')}; the suites are ${SUITES.join(', ')}`);
  process.exit(2);
}
const skipIntegration = process.env.VSIM_SKIP_INTEGRATION === '1';
const wanted = (name) => chosen.includes(name) && !(skipIntegration && (name === 'sandbox' || name === 'integration'));

const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];

function run(cmd, args, opts = {}) {
  const t0 = Date.now();
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  return { ok: r.status === 0, ms: Date.now() - t0, status: r.status };
}

function single(name, cmd, args) {
  const r = run(cmd, args);
  r.ok ? totals.passed++ : totals.failed++;
  lines.push(`${name}: ${r.ok ? 'passed' : 'FAILED'} (${(r.ms / 1000).toFixed(1)} s)`);
  return r.ok;
}

function tapCounts(file) {
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  const n = (k) => Number(new RegExp(`^# ${k} (\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { passed: n('pass'), failed: n('fail') + n('cancelled'), skipped: n('skipped') + n('todo') };
}

function suite(name, cmd, args, resultFile, reader) {
  if (existsSync(resultFile)) rmSync(resultFile);
  const r = run(cmd, args);
  const c = reader(resultFile);
  if (!c) {
    totals.failed++;
    lines.push(`${name}: FAILED to report results (exit ${r.status})`);
    return;
  }
  // A suite that exits non-zero with no failed test still counts as one failure.
  if (!r.ok && c.failed === 0) c.failed = 1;
  totals.passed += c.passed;
  totals.failed += c.failed;
  totals.skipped += c.skipped;
  lines.push(`${name}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped (${(r.ms / 1000).toFixed(1)} s)`);
}

const jsonCounts = (f) => (existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : undefined);
// The integration suite runs twice (trusted, then untrusted): both passes count.
const UNTRUSTED_RESULTS = 'test-results/untrusted/integration.json';
const integrationCounts = (f) => {
  const a = jsonCounts(f);
  const b = jsonCounts(UNTRUSTED_RESULTS);
  if (!a || !b) return undefined;
  return { passed: a.passed + b.passed, failed: a.failed + b.failed, skipped: a.skipped + b.skipped };
};

const left = SUITES.filter((s) => !wanted(s));
if (left.length) {
  const why = [process.env.VSIM_SUITES ? `VSIM_SUITES=${process.env.VSIM_SUITES}` : '', skipIntegration ? 'VSIM_SKIP_INTEGRATION=1' : ''].filter(Boolean).join(', ');
  console.log(`left out: ${left.join(', ')} (${why})`);
  lines.push(`left out by ${why}: ${left.join(', ')}`);
}

// node_modules first: every suite runs tools from it.
if (!ensureNodeModules(process.cwd())) {
  console.log('\nnpm ci failed: no suite can run without node_modules');
  console.log(`0 passed, 1 failed, 0 skipped`);
  process.exit(1);
}

// Installs, all idempotent and fast when done: Debian packages for the real-program unit tests, nix.
if (wanted('unit') && existsSync('test/unit/backends/install-test-deps.sh')) run('bash', ['test/unit/backends/install-test-deps.sh']);
if (wanted('nix') && existsSync('test/nix/install-nix.sh')) run('bash', ['test/nix/install-nix.sh']);

// The tools by their path in node_modules/.bin: `npx tsc` would offer to download an unrelated package.
const bin = (name) => `node_modules/.bin/${name}`;
if (wanted('typecheck')) {
  single('typecheck', bin('tsc'), ['-p', '.', '--noEmit']);
  single('typecheck (webview)', bin('tsc'), ['-p', 'webview', '--noEmit']);
}
if (wanted('lint')) single('lint', bin('eslint'), ['.']);
if (wanted('unit')) suite('unit', process.execPath, ['scripts/test-unit.mjs'], 'test-results/unit.tap', tapCounts);
if (wanted('nix') && existsSync('test/nix/run.mjs')) suite('nix', process.execPath, ['test/nix/run.mjs'], 'test-results/nix.json', jsonCounts);
if (wanted('fresh-clone')) {
  suite('fresh-clone', process.execPath, ['scripts/test-unit.mjs', '--tap', 'test-results/fresh-clone.tap', 'test/fresh-clone'], 'test-results/fresh-clone.tap', tapCounts);
}
if (wanted('sandbox') || wanted('integration')) {
  // The sandbox hypervisor once for both suites that need it; stopped at the end, also on failure.
  let started = false;
  const down = () => { if (started) { started = false; run('bash', ['test/sandbox/sandbox.sh', 'down']); } };
  process.on('SIGINT', () => { down(); process.exit(130); });
  process.on('SIGTERM', () => { down(); process.exit(143); });
  try {
    if (!existsSync('.sandbox/env.json')) {
      run('bash', ['test/sandbox/install-deps.sh']);
      started = true;
      const up = run('bash', ['test/sandbox/sandbox.sh', 'up']);
      if (!up.ok) { totals.failed++; lines.push('sandbox: FAILED to start (see above)'); }
    }
    if (wanted('sandbox')) suite('sandbox', process.execPath, ['scripts/test-unit.mjs', '--tap', 'test-results/sandbox.tap', 'test/sandbox-tests'], 'test-results/sandbox.tap', tapCounts);
    if (wanted('integration')) {
      if (existsSync(UNTRUSTED_RESULTS)) rmSync(UNTRUSTED_RESULTS);
      suite('integration', process.execPath, ['scripts/test-integration.mjs'], 'test-results/integration.json', integrationCounts);
    }
  } finally {
    down();
  }
}

console.log('\n' + lines.join('\n'));
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed ? 1 : 0);
