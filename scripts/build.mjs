// Builds vsim with esbuild: the extension's activation and its features as node/cjs bundles (vscode external),
// the CLI, heavy libraries as their own lazily required bundles, and each webview as a browser bundle.
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

// The schema validator is generated code (Ajv standalone): regenerate it when the schema changed.
const gen = spawnSync(process.execPath, ['scripts/gen-validator.mjs'], { stdio: 'inherit' });
if (gen.status !== 0) process.exit(gen.status ?? 1);

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
// A production build starts clean so no stale source map or bundle ends up in the .vsix.
if (production) rmSync('dist', { recursive: true, force: true });
mkdirSync('dist', { recursive: true });

const common = {
  bundle: true,
  sourcemap: production ? false : 'linked',
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};
const node = { ...common, platform: 'node', format: 'cjs', target: 'node20' };

/** @type {esbuild.BuildOptions[]} */
const builds = [
  // The banner stamps when the bundle starts evaluating: activate() reports module load vs its own time.
  { ...node, entryPoints: ['src/extension.ts'], outfile: 'dist/extension.js', external: ['vscode'],
    banner: { js: 'globalThis.__vsimLoadStart = performance.now();' } },
  // The features (labs, trees, commands, consoles, the graph editor): required on first use. Beside
  // dist/extension.js so that both find dist/lib/ from the same __dirname.
  { ...node, entryPoints: ['src/features.ts'], outfile: 'dist/features.js', external: ['vscode'] },
  { ...node, entryPoints: ['src/cli.ts'], outfile: 'dist/cli.js', banner: { js: '#!/usr/bin/env node' } },
  // ssh2 is heavy; the extension requires it only when it first connects.
  { ...node, entryPoints: ['src/lib/ssh2.ts'], outfile: 'dist/lib/ssh2.js', external: ['cpu-features', '*.node'] },
  // The topology model (yaml, checks, IntelliSense, graph edits): required on the first topology document.
  { ...node, entryPoints: ['src/lib/model.ts'], outfile: 'dist/lib/model.js' },
  // The generated schema validator: required on the first check, not at activation.
  { ...node, entryPoints: ['src/model/generated/topologyValidator.js'], outfile: 'dist/lib/topologyValidator.js' },
];
for (const [entry, out] of [['webview/topology/main.ts', 'dist/webview/topology.js'], ['webview/vmDetails/main.ts', 'dist/webview/vmDetails.js']]) {
  if (existsSync(entry)) {
    builds.push({ ...common, entryPoints: [entry], outfile: out, platform: 'browser', format: 'iife', target: 'es2022',
      loader: { '.css': 'css', '.ttf': 'file', '.woff': 'file', '.woff2': 'file' } });
  }
}

if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('[vsim] watching');
} else {
  const t0 = Date.now();
  await Promise.all(builds.filter((b) => existsSync(b.entryPoints[0])).map((b) => esbuild.build(b)));
  console.log(`[vsim] built ${builds.length} bundles in ${Date.now() - t0} ms${production ? ' (production)' : ''}`);
}
