#!/usr/bin/env node
// Run vsim's integration suite inside the real VS Code (code-server + headless Chromium), then the UI checks.
//
//   node test/harness/run-integration.mjs [--vsix dist/vsim.vsix] [--tests dist-test/integration/index.js]
//        [--workspace DIR] [--screenshots test-results] [--deadline-min 30] [--suite-timeout-min 10]
//        [--no-ui] [--grep TEXT] [--verbose]
//
// env: VSIM_WORKSPACE_SETTINGS='{"k":v}'  → <workspace>/.vscode/settings.json (only for the default workspace)
//      VSIM_USER_SETTINGS='{"k":v}'       → extra user settings
//      VSIM_TEST_GREP=text                → only suite tests whose full title matches (same as --grep)
//      VSIM_UI_GREP=regex                 → only the UI checks whose name matches
//
// Exit code: 0 when every suite test and UI check passed; 1 on failures; 124 on the global deadline;
// 130/143 on SIGINT/SIGTERM. Writes <screenshots>/integration.json and screenshots.
import fs from 'node:fs';
import path from 'node:path';
import { format, parseArgs } from 'node:util';
import {
  REPO,
  assertCodeServerInstalled,
  installVsix,
  isolatedEnv,
  jsonFromEnv,
  killGroupSync,
  launchChromium,
  makeDevStub,
  makeRunDir,
  makeWorkspace,
  runLayout,
  since,
  startCodeServer,
  writeUserSettings,
} from './codeServer.mjs';
import { uiChecks } from './ui-checks.mjs';

const { values: opt } = parseArgs({
  options: {
    vsix: { type: 'string', default: 'dist/vsim.vsix' },
    tests: { type: 'string', default: 'dist-test/integration/index.js' },
    workspace: { type: 'string' },
    screenshots: { type: 'string', default: 'test-results' },
    'deadline-min': { type: 'string', default: '30' },
    'suite-timeout-min': { type: 'string', default: '10' },
    'no-ui': { type: 'boolean', default: false },
    grep: { type: 'string' },
    verbose: { type: 'boolean', short: 'v', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (opt.help) {
  console.log(fs.readFileSync(new URL(import.meta.url), 'utf8').split('\n').slice(1, 14).map((l) => l.replace(/^\/\/ ?/, '')).join('\n'));
  process.exit(0);
}

const WORKBENCH_NOISE =
  /^(Resolving connection token|Resolved connection token|Creating a socket|Ignoring fetching additional builtin|\[Service Worker\]|ChatSessionStore:|Updating additional builtin extensions cache|No search provider registered)/;
const abs = (p) => path.resolve(REPO, p);
const vsix = abs(opt.vsix);
const testsEntry = abs(opt.tests);
const resultsDir = abs(opt.screenshots);
const deadlineMs = Number(opt['deadline-min']) * 60_000;
const suiteTimeoutMs = Number(opt['suite-timeout-min']) * 60_000;
const T0 = performance.now();
const log = (...a) => console.log(`[vsim-it +${(since(T0) / 1000).toFixed(1)}s]`, ...a);

// ---------------------------------------------------------------- results
const result = {
  passed: 0,
  failed: 0,
  skipped: 0,
  durationMs: 0,
  failures: [],
  suite: null, // the VSIM-RESULT object from the extension host
  ui: [], // [{name, ok, ms, error?}]
  timings: {},
  exitCode: null,
  runDir: null,
};
function fail(title, error, source) {
  result.failed++;
  result.failures.push({ title, error: String(error?.message ?? error), source });
}
let resultWritten = false;
function writeResult(exitCode) {
  if (resultWritten) return;
  resultWritten = true;
  result.durationMs = since(T0);
  result.exitCode = exitCode;
  fs.mkdirSync(resultsDir, { recursive: true });
  fs.writeFileSync(path.join(resultsDir, 'integration.json'), JSON.stringify(result, null, 2) + '\n');
  for (const f of result.failures) console.log(`  ✗ [${f.source}] ${f.title}: ${f.error.replace(/\s+/g, ' ').trim().slice(0, 300)}`);
  const t = Object.entries(result.timings).map(([k, v]) => `${k.replace(/Ms$/, '')} ${v} ms`).join(', ');
  if (t) console.log(`timings: ${t}`);
  // The closing line CI reads.
  console.log(`${result.passed} passed, ${result.failed} failed, ${result.skipped} skipped (${(result.durationMs / 1000).toFixed(1)} s) — ${path.relative(REPO, path.join(resultsDir, 'integration.json'))}`);
}

// ---------------------------------------------------------------- cleanup
let server = null;
let browser = null;
let cleaning = null;
function cleanup() {
  cleaning ??= (async () => {
    if (browser) await Promise.race([browser.close().catch(() => {}), new Promise((r) => setTimeout(r, 5000))]);
    if (server) await server.stop();
  })();
  return cleaning;
}
let finishing = null;
function finish(code) {
  // The first caller (signal, deadline or main) decides the exit code.
  finishing ??= (async () => {
    writeResult(code);
    await cleanup();
    process.exit(code);
  })();
  return finishing;
}
process.on('exit', () => server && killGroupSync(server.pgid)); // last resort, synchronous
for (const [sig, code] of [['SIGINT', 130], ['SIGTERM', 143]]) {
  process.on(sig, () => {
    log(`${sig}: stopping`);
    fail('run', `interrupted by ${sig}`, 'harness');
    finish(code);
  });
}
const deadline = setTimeout(() => {
  log(`global deadline of ${opt['deadline-min']} min reached: stopping`);
  fail('run', `global deadline of ${opt['deadline-min']} min exceeded`, 'harness');
  finish(124);
}, deadlineMs);
process.on('unhandledRejection', (e) => {
  log('unhandled rejection:', e);
  fail('harness', e, 'harness');
  finish(1);
});

// ---------------------------------------------------------------- main
async function main() {
  assertCodeServerInstalled();
  if (!fs.existsSync(testsEntry)) throw new Error(`no test entry ${testsEntry}; run: node test/harness/build-tests.mjs`);
  // Failure screenshots of an earlier run would mislead: drop them (other files in resultsDir are not ours).
  if (fs.existsSync(resultsDir)) {
    for (const f of fs.readdirSync(resultsDir)) if (/^fail-.*\.png$/.test(f)) fs.rmSync(path.join(resultsDir, f));
  }
  const runDir = makeRunDir('run');
  result.runDir = path.relative(REPO, runDir);
  const L = runLayout(runDir);
  const grep = opt.grep ?? process.env.VSIM_TEST_GREP;
  const env = isolatedEnv(runDir, grep ? { VSIM_TEST_GREP: grep } : {});
  log(`run dir ${result.runDir}`);

  const workspace = opt.workspace
    ? abs(opt.workspace)
    : makeWorkspace(path.join(runDir, 'workspace'), { settings: jsonFromEnv('VSIM_WORKSPACE_SETTINGS') });
  writeUserSettings(L.userDataDir, jsonFromEnv('VSIM_USER_SETTINGS'));

  let t = performance.now();
  const inst = await installVsix({ vsix, extensionsDir: L.extensionsDir, userDataDir: L.userDataDir, env });
  result.timings.installVsixMs = since(t);
  log(`installed ${path.relative(REPO, vsix)} in ${inst.ms} ms`);

  const devStub = makeDevStub(path.join(runDir, 'dev-stub'));
  server = await startCodeServer({ runDir, env, workspaceTrust: process.env.VSIM_WORKSPACE_TRUST === '1' });
  result.timings.serverUpMs = server.startMs;
  log(`code-server up on ${server.url} in ${server.startMs} ms (log: ${path.relative(REPO, server.logFile)})`);

  t = performance.now();
  browser = await launchChromium(env);
  result.timings.chromiumLaunchMs = since(t);
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 } });
  const page = await context.newPage();
  const pageLog = fs.createWriteStream(path.join(runDir, 'browser-console.log'));
  page.on('console', (m) => pageLog.write(`[${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => pageLog.write(`[pageerror] ${e.stack ?? e}\n`));

  // Extension-host output and the suite's exit code come back through these two hooks.
  const suiteLines = [];
  let suiteDone = null;
  let firstLogMs = null;
  let resolveExit;
  const exited = new Promise((r) => (resolveExit = r));
  let tGoto = 0;
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    if (firstLogMs === null) result.timings.pageToFirstOutputMs = firstLogMs = since(tGoto);
    if (process.env.VSIM_DEBUG_LOG) fs.appendFileSync(path.join(runDir, 'raw-log.jsonl'), JSON.stringify([type, args]) + '\n');
    const text = format(...(Array.isArray(args) ? args : [args]));
    for (const line of text.split('\n')) {
      suiteLines.push(line);
      if (line.startsWith('VSIM-RESULT ')) {
        result.timings.pageToResultMs = since(tGoto);
        try {
          result.suite = JSON.parse(line.slice('VSIM-RESULT '.length));
        } catch (e) {
          log('unparsable VSIM-RESULT line:', line);
        }
      }
    }
    // The workbench's own logger shares this hook: hide its routine chatter unless --verbose.
    // After the suite, the workbench log (page reload, UI phase) goes to the run dir's suite.log only.
    if (opt.verbose || (suiteDone === null && (type === 'error' || type === 'warn' || !WORKBENCH_NOISE.test(text)))) {
      (type === 'error' ? process.stderr : process.stdout).write(text + '\n');
    }
  });
  await page.exposeFunction('codeAutomationExit', (code) => resolveExit(Number(code)));

  const payload = [
    ['extensionDevelopmentPath', server.remoteUri(devStub)],
    ['extensionTestsPath', server.remoteUri(testsEntry)],
  ];
  tGoto = performance.now();
  await page.goto(server.urlFor(workspace, payload));
  log('workbench opened; running the suite in the extension host');
  const suiteCode = await Promise.race([
    exited,
    new Promise((r) => setTimeout(() => r('timeout'), suiteTimeoutMs)),
  ]);
  result.timings.pageToSuiteExitMs = since(tGoto);
  suiteDone = suiteLines.length;
  fs.writeFileSync(path.join(runDir, 'suite.log'), suiteLines.join('\n') + '\n');

  if (suiteCode === 'timeout') {
    fail('integration suite', `did not finish within ${opt['suite-timeout-min']} min (see ${result.runDir}/browser-console.log)`, 'suite');
  } else if (!result.suite) {
    fail('integration suite', `exited with code ${suiteCode} without a VSIM-RESULT line (test entry failed to load? see ${result.runDir}/browser-console.log)`, 'suite');
  } else {
    const s = result.suite;
    result.passed += s.passed;
    result.failed += s.failed;
    result.skipped += s.skipped;
    result.timings.suiteMs = s.durationMs;
    for (const f of s.failures ?? []) result.failures.push({ ...f, source: 'suite' });
    if (suiteCode !== 0 && s.failed === 0) fail('integration suite', `exit code ${suiteCode} although no test failed`, 'suite');
  }
  log(`suite finished (exit ${suiteCode}) ${since(tGoto)} ms after opening the page`);

  // ------------------------------------------------------------ UI phase (same browser session)
  if (!opt['no-ui']) {
    fs.mkdirSync(resultsDir, { recursive: true });
    // The test run stops the extension hosts when it exits: reopen the workbench as a user would
    // (no test payload) so the installed vsim runs normally for the UI checks.
    const tReload = performance.now();
    await page.goto(server.urlFor(workspace));
    result.timings.uiReloadMs = since(tReload);
    const ctx = {
      repo: REPO,
      runDir,
      workspace,
      server,
      resultsDir,
      timings: result.timings,
      log: (...a) => log('  ', ...a),
      screenshot: async (name, target = page) => {
        const file = path.join(resultsDir, name.endsWith('.png') ? name : `${name}.png`);
        await target.screenshot({ path: file, animations: 'disabled' });
        return file;
      },
    };
    const tUi = performance.now();
    // VSIM_UI_GREP=regex: only the UI checks whose name matches (the others are not run, and say so).
    const uiGrep = process.env.VSIM_UI_GREP ? new RegExp(process.env.VSIM_UI_GREP, 'i') : undefined;
    if (uiGrep) log(`UI checks matching ${uiGrep}: ${uiChecks.filter((c) => uiGrep.test(c.name)).length} of ${uiChecks.length}`);
    for (const check of uiChecks.filter((c) => !uiGrep || uiGrep.test(c.name))) {
      const t1 = performance.now();
      try {
        await Promise.race([
          check.run(page, ctx),
          new Promise((_, rej) => setTimeout(() => rej(new Error(`UI check timed out after ${check.timeoutMs ?? 60_000} ms`)), check.timeoutMs ?? 60_000)),
        ]);
        result.passed++;
        result.ui.push({ name: check.name, ok: true, ms: since(t1) });
        console.log(`    ✔ [ui] ${check.name} (${since(t1)}ms)`);
      } catch (e) {
        fail(check.name, e, 'ui');
        result.ui.push({ name: check.name, ok: false, ms: since(t1), error: String(e?.message ?? e) });
        console.log(`    ✗ [ui] ${check.name}: ${String(e?.message ?? e).split('\n')[0]}`);
        await ctx.screenshot(`fail-${check.name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`).catch(() => {});
        // Leave the workbench in a neutral state for the next check.
        await page.keyboard.press('Escape').catch(() => {});
      }
    }
    result.timings.uiMs = since(tUi);
    fs.writeFileSync(path.join(runDir, 'workbench-after-suite.log'), suiteLines.slice(suiteDone).join('\n') + '\n');
  }
  clearTimeout(deadline);
  await finish(result.failed > 0 ? 1 : 0);
}

main().catch((e) => {
  log('error:', e?.stack ?? e);
  fail('harness', e, 'harness');
  finish(1);
});
