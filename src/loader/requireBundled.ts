// Lazy access to a library built as its own bundle under dist/lib/ (scripts/build.mjs), so that
// activation does not pay for loading it. Callers pass the places to look, computed from their own
// __dirname: in the bundles (dist/extension.js, dist/cli.js) __dirname is dist/, from source (tsx:
// unit tests, bench) it is the caller's folder. The paths are computed, never string literals, so
// esbuild leaves these requires alone and does not pull the library into the bundle.
import { existsSync } from 'node:fs';

/** The module at the first of `candidates` that exists; a clear error naming `what` otherwise. */
export function requireBundled<T>(what: string, candidates: readonly string[]): T {
  const file = candidates.find((f) => existsSync(f));
  if (!file) throw new Error(`vsim: ${what} is missing (looked for ${candidates.join(', ')}); rebuild with npm run build`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require(file) as T;
}
