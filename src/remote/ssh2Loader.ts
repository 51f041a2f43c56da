// Lazy access to ssh2 (see src/lib/ssh2.ts).
// - In the bundles (dist/extension.js, dist/cli.js) __dirname is dist/, and scripts/build.mjs has
//   built dist/lib/ssh2.js next to it: require that file on first use.
// - From source (tsx: unit tests, bench) __dirname is src/remote/: require src/lib/ssh2.ts, which
//   tsx compiles on the fly.
// (src/loader/requireBundled.ts keeps esbuild from pulling ssh2 into the extension bundle.)
import path from 'node:path';
import { requireBundled } from '../loader/requireBundled';

export type Ssh2 = typeof import('../lib/ssh2');

let cached: Ssh2 | undefined;

export function loadSsh2(): Ssh2 {
  cached ??= requireBundled<Ssh2>('the ssh2 bundle', [path.join(__dirname, 'lib', 'ssh2.js'), path.join(__dirname, '..', 'lib', 'ssh2.ts')]);
  return cached;
}
