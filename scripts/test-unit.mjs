// Runs the unit tests (node's test runner + tsx) and writes a TAP copy for the totals.
// Usage: node scripts/test-unit.mjs [--tap FILE] [dir-or-file…]   (default: test/unit → test-results/unit.tap)
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { withDialGuard } from './lib/sandboxNetworks.mjs';

function find(p, out = []) {
  const st = statSync(p);
  if (st.isFile()) {
    if (p.endsWith('.test.ts')) out.push(p);
  } else {
    for (const e of readdirSync(p).sort()) find(join(p, e), out);
  }
  return out;
}

const args = process.argv.slice(2);
const tapAt = args.indexOf('--tap');
const tap = tapAt >= 0 ? args.splice(tapAt, 2)[1] : 'test-results/unit.tap';
const roots = args.length ? args : ['test/unit'];
const files = roots.flatMap((r) => find(r));
mkdirSync('test-results', { recursive: true });
// Temporary files of the tests (os.tmpdir()) and of the programs they run stay in the checkout, never in the
// host's /tmp; only the fresh-clone test, which needs a directory outside the checkout, is given the system's.
const tmp = resolve('test-results', 'tmp');
mkdirSync(tmp, { recursive: true, mode: 0o700 });
const r = spawnSync(process.execPath, [
  '--import', 'tsx', '--test', '--test-concurrency=2',
  '--test-reporter=spec', '--test-reporter-destination=stdout',
  '--test-reporter=tap', `--test-reporter-destination=${tap}`,
  ...files,
], { stdio: 'inherit', env: { ...withDialGuard(), TMPDIR: tmp, VSIM_OUTSIDE_TMPDIR: tmpdir() } }); // tests dial only loopback and the sandbox's namespaces
process.exit(r.status ?? 1);
