// `npm test`: every suite, one closing line `N passed, N failed, N skipped` over all of them.
// Suites: type check, lint, unit (node:test), nix (real nix eval), sandbox (backends against the real
// local hypervisors), integration (real VS Code + the same sandbox).
// Set VSIM_SKIP_INTEGRATION=1 to leave out the real-VS-Code suite (it prints that it was skipped).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

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

// Installs, all idempotent and fast when done: Debian packages for the real-program unit tests, nix.
for (const script of ['test/unit/backends/install-test-deps.sh', 'test/nix/install-nix.sh']) {
  if (existsSync(script)) run('bash', [script]);
}

single('typecheck', 'npx', ['tsc', '-p', '.', '--noEmit']);
single('typecheck (webview)', 'npx', ['tsc', '-p', 'webview', '--noEmit']);
single('lint', 'npx', ['eslint', '.']);
suite('unit', process.execPath, ['scripts/test-unit.mjs'], 'test-results/unit.tap', tapCounts);
if (existsSync('test/nix/run.mjs')) suite('nix', process.execPath, ['test/nix/run.mjs'], 'test-results/nix.json', jsonCounts);
if (process.env.VSIM_SKIP_INTEGRATION === '1') {
  console.log('sandbox + integration: skipped (VSIM_SKIP_INTEGRATION=1)');
  lines.push('sandbox + integration: skipped by VSIM_SKIP_INTEGRATION=1');
} else {
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
    suite('sandbox', process.execPath, ['scripts/test-unit.mjs', '--tap', 'test-results/sandbox.tap', 'test/sandbox-tests'], 'test-results/sandbox.tap', tapCounts);
    if (existsSync(UNTRUSTED_RESULTS)) rmSync(UNTRUSTED_RESULTS);
    suite('integration', process.execPath, ['scripts/test-integration.mjs'], 'test-results/integration.json', integrationCounts);
  } finally {
    down();
  }
}

console.log('\n' + lines.join('\n'));
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed ? 1 : 0);
