// The README's commands as a newcomer runs them, in a new clone of this checkout's HEAD (no
// node_modules, no dist, no .sandbox): `npm ci` then `npx vsim validate FILE`; and, in the same clone
// made fresh again, `npm test` as the very first command (its install step, then the type check only:
// VSIM_SUITES=typecheck, so the sandbox is never started). The clone is made in a directory of its
// own under the system's temporary directory (outside this checkout, so no parent node_modules can stand
// in; scripts/test-unit.mjs points TMPDIR into the checkout and passes the system's as VSIM_OUTSIDE_TMPDIR)
// and removed.
import { after, before, test } from 'node:test';
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const REPO = path.resolve(__dirname, '..', '..');
const MINUTES = 60_000;
let root = '';
let clone = '';

/**
 * The environment of a shell in the clone: without what `npm test` and node's test runner set for
 * this checkout (npm_* variables, INIT_CWD, this checkout's node_modules/.bin on PATH,
 * NODE_TEST_CONTEXT), any of which would let this checkout's install stand in for the clone's.
 */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^npm_/i.test(k) || k === 'INIT_CWD' || k === 'NODE_TEST_CONTEXT' || k.startsWith('VSIM_')) continue;
    env[k] = v;
  }
  env.PATH = (process.env.PATH ?? '').split(path.delimiter).filter((p) => !p.includes(`node_modules${path.sep}.bin`)).join(path.delimiter);
  return { ...env, ...extra };
}

function sh(cmd: string, args: string[], extraEnv: Record<string, string> = {}) {
  const r = spawnSync(cmd, args, { cwd: clone, env: cleanEnv(extraEnv), encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  const shown = `$ ${cmd} ${args.join(' ')} → exit ${r.status ?? r.signal}\n${out.length > 6000 ? `…${out.slice(-6000)}` : out}`;
  return { status: r.status, stdout: r.stdout ?? '', out, shown };
}

before(() => {
  const head = spawnSync('git', ['-C', REPO, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
  assert.match(head, /^[0-9a-f]{40}$/, 'this checkout has a HEAD commit');
  root = mkdtempSync(path.join(process.env.VSIM_OUTSIDE_TMPDIR ?? tmpdir(), 'vsim-fresh-clone-'));
  clone = path.join(root, 'vsim');
  for (const args of [['clone', '--quiet', '--no-checkout', REPO, clone], ['-C', clone, 'checkout', '--quiet', '--detach', head]]) {
    const r = spawnSync('git', args, { encoding: 'utf8' });
    assert.equal(r.status, 0, `git ${args.join(' ')}: ${r.stderr}`);
  }
});

after(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

test('fresh clone: `npm ci`, then `npx vsim validate examples/sandbox.vsim.yaml` checks the file', { timeout: 10 * MINUTES }, () => {
  for (const p of ['node_modules', 'dist', '.sandbox']) assert.equal(existsSync(path.join(clone, p)), false, `a fresh clone has no ${p}`);
  const ci = sh('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund']);
  assert.equal(ci.status, 0, ci.shown);
  assert.ok(existsSync(path.join(clone, 'dist', 'cli.js')), `npm ci ran the prepare script, which builds dist/cli.js\n${ci.shown}`);

  // `--no`: use the project's own bin, never offer to download a registry package named vsim.
  const ok = sh('npx', ['--no', 'vsim', 'validate', 'examples/sandbox.vsim.yaml']);
  assert.equal(ok.status, 0, ok.shown);
  assert.equal(ok.stdout, '', `a valid topology prints no problem\n${ok.shown}`);

  writeFileSync(path.join(clone, 'broken.vsim.yaml'), 'version: 1\nname: broken\nhosts: {}\nvms:\n  a: { host: nowhere, backend: libvirt }\n');
  const bad = sh('npx', ['--no', 'vsim', 'validate', 'broken.vsim.yaml']);
  assert.equal(bad.status, 1, `errors exit 1\n${bad.shown}`);
  assert.match(bad.stdout, /^broken\.vsim\.yaml:5:\d+: error: No host named `nowhere`/m, bad.shown);
});

test('fresh clone: `npm test` as the first command installs node_modules, then its suites pass', { timeout: 10 * MINUTES }, () => {
  // Back to exactly what git checked out: node_modules, dist and every other untracked file go.
  const clean = spawnSync('git', ['-C', clone, 'clean', '-fdxq'], { encoding: 'utf8' });
  assert.equal(clean.status, 0, clean.stderr);
  assert.equal(existsSync(path.join(clone, 'node_modules')), false);

  // What the README's two commands load before their own `npm ci` may use node's modules only.
  for (const script of ['scripts/demo.mjs', 'scripts/test-all.mjs']) {
    const text = readFileSync(path.join(clone, script), 'utf8');
    for (const [, spec] of text.matchAll(/^import [^;]*?from '(\.[^']+)';/gms)) {
      const mod = path.join(path.dirname(script), spec as string);
      const r = sh(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(`./${mod}`)})`]);
      assert.equal(r.status, 0, `${script} imports ${mod}, which must load without node_modules\n${r.shown}`);
    }
  }

  const t = sh('npm', ['test'], { VSIM_SUITES: 'typecheck' });
  assert.equal(t.status, 0, t.shown);
  assert.match(t.out, /node_modules is missing: running `npm ci`/, `npm test says it installs and why\n${t.shown}`);
  assert.ok(existsSync(path.join(clone, 'node_modules', '.package-lock.json')), 'npm ci installed node_modules');
  assert.match(t.out, /^typecheck: passed/m, t.shown);
  assert.match(t.out, /^typecheck \(webview\): passed/m, t.shown);
  assert.match(t.out, /^left out by VSIM_SUITES=typecheck: lint, unit, nix, fresh-clone, sandbox, integration$/m, t.shown);
  const closing = t.stdout.trimEnd().split('\n').at(-1) ?? ''; // npm's own warnings go to stderr
  assert.equal(closing, '2 passed, 0 failed, 0 skipped', t.shown);
});
