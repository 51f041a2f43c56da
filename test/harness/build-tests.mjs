// Compile vsim's integration tests for the extension host with esbuild:
//   test/integration/index.ts and every test/integration/**/*.test.ts → dist-test/integration/**/*.js
// (platform node, CommonJS; `vscode` stays external; mocha is bundled into index.js, and test files that
// `import { describe, it } from 'mocha'` get a tiny shim that forwards to the globals mocha installs).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = path.join(REPO, 'test', 'integration');
const OUT = path.join(REPO, 'dist-test', 'integration');

function walk(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? walk(p) : [p];
  });
}

const tests = walk(SRC).filter((f) => f.endsWith('.test.ts'));
const index = path.join(SRC, 'index.ts');

// In test files, `mocha` resolves to this shim so they never get a second copy of mocha.
const MOCHA_GLOBALS = ['describe', 'context', 'it', 'specify', 'before', 'after', 'beforeEach', 'afterEach', 'xdescribe', 'xit', 'suite', 'test', 'suiteSetup', 'suiteTeardown', 'setup', 'teardown'];
const mochaShim = {
  name: 'mocha-globals-shim',
  setup(build) {
    build.onResolve({ filter: /^mocha$/ }, () => ({ path: 'mocha-globals-shim', namespace: 'vsim-shim' }));
    build.onLoad({ filter: /.*/, namespace: 'vsim-shim' }, () => ({
      loader: 'js',
      contents:
        `const fwd = (n) => Object.assign((...a) => globalThis[n](...a), {\n` +
        `  only: (...a) => globalThis[n].only(...a),\n  skip: (...a) => globalThis[n].skip(...a),\n});\n` +
        MOCHA_GLOBALS.map((n) => `export const ${n} = fwd('${n}');`).join('\n') + '\n',
    }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: 'inline',
  external: ['vscode'],
  outbase: SRC,
  outdir: OUT,
  logLevel: 'warning',
  // mocha's parallel mode (never used here) resolves worker files at run time.
  logOverride: { 'require-resolve-not-external': 'silent' },
};

const t0 = performance.now();
fs.rmSync(OUT, { recursive: true, force: true });
await Promise.all([
  esbuild.build({ ...common, entryPoints: [index], sourcemap: false }),
  tests.length ? esbuild.build({ ...common, entryPoints: tests, plugins: [mochaShim] }) : null,
]);
console.log(`build-tests: ${tests.length} test file(s) + index → ${path.relative(REPO, OUT)}/ in ${Math.round(performance.now() - t0)} ms`);
