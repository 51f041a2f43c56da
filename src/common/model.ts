// The topology model (src/lib/model.ts), required on first use instead of at activation:
// - in the extension bundle (dist/extension.js) __dirname is dist/: scripts/build.mjs built
//   dist/lib/model.js next to it;
// - from source (tsx: unit tests, bench) __dirname is src/common/: tsx compiles src/lib/model.ts.
import path from 'node:path';
import { requireBundled } from '../loader/requireBundled';

export type Model = typeof import('../lib/model');

let cached: Model | undefined;

/** The model's functions; the first call evaluates its bundle (yaml, checks, IntelliSense). */
export function model(): Model {
  cached ??= requireBundled<Model>('the topology model bundle', [path.join(__dirname, 'lib', 'model.js'), path.join(__dirname, '..', 'lib', 'model.ts')]);
  return cached;
}

/** Whether model() has been called in this process (activation leaves it unloaded). */
export function modelLoaded(): boolean {
  return cached !== undefined;
}
