// node_modules as package-lock.json says it should be, for the README's commands (`npm test`,
// `npm run demo`) run first in a fresh clone. Node's own modules only: nothing is installed yet.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

/**
 * Why node_modules in `repo` does not match package-lock.json, or undefined when it does.
 * npm records what it installed in node_modules/.package-lock.json (same shape as the lockfile):
 * every package the lockfile lists must be there at its version (optional ones, such as other
 * platforms' esbuild binaries, may be absent), and on disk.
 */
export function staleReason(repo) {
  const modules = path.join(repo, 'node_modules');
  if (!existsSync(modules)) return 'node_modules is missing';
  const record = path.join(modules, '.package-lock.json');
  if (!existsSync(record)) return 'node_modules has no record of an npm install (node_modules/.package-lock.json)';
  const want = readJson(path.join(repo, 'package-lock.json')).packages ?? {};
  const have = readJson(record).packages ?? {};
  for (const [at, pkg] of Object.entries(want)) {
    if (at === '' || pkg.link) continue;
    const got = have[at];
    if (!got) {
      if (pkg.optional) continue;
      return `${at} is not installed`;
    }
    if (got.version !== pkg.version) return `${at} is ${got.version}, package-lock.json wants ${pkg.version}`;
    if (!existsSync(path.join(repo, at, 'package.json'))) return `${at} is recorded as installed but missing on disk`;
  }
  for (const at of Object.keys(have)) {
    if (!(at in want)) return `${at} is installed but not in package-lock.json`;
  }
  return undefined;
}

/**
 * Runs `npm ci` in `repo` when node_modules is missing or stale, saying what it installs and why.
 * Returns whether node_modules is now in place (true also when nothing had to be done).
 */
export function ensureNodeModules(repo, log = console.log) {
  const reason = staleReason(repo);
  if (!reason) return true;
  const manifest = readJson(path.join(repo, 'package.json'));
  const lock = readJson(path.join(repo, 'package-lock.json'));
  const count = Object.keys(lock.packages ?? {}).filter((k) => k !== '').length;
  const names = (o) => Object.keys(o ?? {}).join(', ');
  log(`[vsim] ${reason}: running \`npm ci\` — installs the ${count} packages package-lock.json pins into node_modules/:`);
  log(`[vsim]   the extension's libraries: ${names(manifest.dependencies)}`);
  log(`[vsim]   the tools the tests and the build use: ${names(manifest.devDependencies)}`);
  log('[vsim]   then its `prepare` script builds dist/ (the extension and the `vsim` CLI)');
  const r = spawnSync('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: repo, stdio: 'inherit' });
  if (r.status !== 0) {
    log(`[vsim] npm ci failed (exit ${r.status ?? r.signal})`);
    return false;
  }
  return true;
}
