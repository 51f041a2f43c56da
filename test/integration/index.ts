// Integration-test entry for the real VS Code extension host (the @vscode/test-electron convention:
// the workbench loads this file as `extensionTestsPath` and awaits `run()`).
// Built by test/harness/build-tests.mjs into dist-test/integration/index.js with mocha bundled in.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export interface VsimFailure {
  title: string;
  file?: string;
  error: string;
  stack?: string;
}

export interface VsimResult {
  passed: number;
  failed: number;
  skipped: number;
  durationMs: number;
  failures: VsimFailure[];
}

/** Every compiled `*.test.js` below this folder, sorted for a stable order. */
function testFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(p));
    else if (entry.name.endsWith('.test.js')) out.push(p);
  }
  return out.sort();
}

function oneLine(s: string, max = 2000): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

export function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    timeout: 60_000,
    color: process.env.VSIM_TEST_COLOR === '1',
    reporter: 'spec',
  });
  // Optional filter, e.g. VSIM_TEST_GREP=diagnostics (code-server passes its environment to the extension host).
  if (process.env.VSIM_TEST_GREP) mocha.grep(process.env.VSIM_TEST_GREP);

  const files = testFiles(__dirname);
  for (const f of files) mocha.addFile(f);

  return new Promise<void>((resolve, reject) => {
    const result: VsimResult = { passed: 0, failed: 0, skipped: 0, durationMs: 0, failures: [] };
    const t0 = Date.now();
    let runner: Mocha.Runner;
    try {
      runner = mocha.run((failures) => {
        result.durationMs = Date.now() - t0;
        // One machine-readable line for test/harness/run-integration.mjs; '%s' keeps it verbatim.
        console.log('VSIM-RESULT %s', JSON.stringify(result));
        if (failures > 0) reject(new Error(`${failures} integration test(s) failed`));
        else resolve();
      });
    } catch (err) {
      // A test file threw while loading: report it as one failure so the launcher still gets a result.
      const e = err as Error;
      result.failed = 1;
      result.failures.push({ title: 'loading test files', error: oneLine(String(e?.message ?? e)), stack: e?.stack ? oneLine(e.stack, 4000) : undefined });
      result.durationMs = Date.now() - t0;
      console.error(e);
      console.log('VSIM-RESULT %s', JSON.stringify(result));
      reject(e);
      return;
    }
    runner.on('pass', () => result.passed++);
    runner.on('pending', () => result.skipped++);
    runner.on('fail', (test: Mocha.Runnable, err: Error) => {
      result.failed++;
      result.failures.push({
        title: test.fullTitle(),
        file: test.file ? path.relative(__dirname, test.file) : undefined,
        error: oneLine(String(err?.message ?? err)),
        stack: err?.stack ? oneLine(err.stack, 4000) : undefined,
      });
    });
  });
}
