// Lazy access to ssh2 (see src/lib/ssh2.ts).
// - In the bundles (dist/extension.js, dist/cli.js) __dirname is dist/, and scripts/build.mjs has
//   built dist/lib/ssh2.js next to it: require that file on first use.
// - From source (tsx: unit tests, bench) __dirname is src/remote/: require src/lib/ssh2.ts, which
//   tsx compiles on the fly.
// The paths are computed, never string literals, so esbuild leaves these requires alone and does not
// pull ssh2 into the extension bundle.
import { existsSync } from 'node:fs';
import path from 'node:path';

export type Ssh2 = typeof import('../lib/ssh2');

let cached: Ssh2 | undefined;

export function loadSsh2(): Ssh2 {
  if (cached) return cached;
  const candidates = [path.join(__dirname, 'lib', 'ssh2.js'), path.join(__dirname, '..', 'lib', 'ssh2.ts')];
  for (const file of candidates) {
    if (existsSync(file)) {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      cached = require(file) as Ssh2;
      return cached;
    }
  }
  throw new Error(`vsim: the ssh2 bundle is missing (looked for ${candidates.join(', ')}); rebuild with npm run build`);
}
