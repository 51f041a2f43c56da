// Where a bench's figures go, and how a bench's main is run.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');

/** bench/results/<name>.json: the run's date, then `figures` (with the `summary` rows `npm run bench` tabulates). */
export function writeResults(name: string, figures: Record<string, unknown>): void {
  mkdirSync(path.join(REPO, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(REPO, 'bench', 'results', `${name}.json`), JSON.stringify({ date: new Date().toISOString(), ...figures }, null, 2));
}

/** Runs a bench's main; a failure is printed and exits 1. */
export function runBench(main: () => Promise<void>): void {
  main().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
