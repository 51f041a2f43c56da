#!/usr/bin/env node
// `npm run demo`: from a fresh machine (as root) to vsim running in the real VS Code in your browser.
//
//   node scripts/demo.mjs [--port N] [--no-sandbox] [--skip-install] [--vsix FILE] [--screenshot FILE [--exit]]
//
// 1. installs what is missing: node_modules (npm ci when missing or stale versus package-lock.json), code-server + Chromium (test/harness/install-code-server.sh),
//    the sandbox hypervisor's packages (test/sandbox/install-deps.sh, when present);
// 2. brings the local sandbox hypervisor up (test/sandbox/sandbox.sh up, when present) unless --no-sandbox;
// 3. packages vsim (npm run package → dist/vsim.vsix) and installs the .vsix into a private code-server;
// 4. opens a workspace holding a copy of examples/ (with vsim.ssh.configFile → .sandbox/ssh/config when the
//    sandbox wrote one) and prints the URL;
// 5. --screenshot FILE: drives the workbench in headless Chromium (Labs view with live states, the sandbox
//    topology graph beside its text) and saves a PNG; --exit then stops everything instead of staying up.
// Ctrl-C stops everything it started: the code-server process group, and the sandbox (if this run started it).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  REPO,
  assertCodeServerInstalled,
  installVsix,
  isolatedEnv,
  jsonFromEnv,
  killGroupSync,
  makeRunDir,
  makeWorkspace,
  runLayout,
  since,
  startCodeServer,
  writeUserSettings,
} from '../test/harness/codeServer.mjs';
import { ensureNodeModules } from './lib/nodeModules.mjs';

const { values: opt } = parseArgs({
  options: {
    port: { type: 'string' },
    'no-sandbox': { type: 'boolean', default: false },
    'skip-install': { type: 'boolean', default: false },
    vsix: { type: 'string' }, // use this .vsix instead of running `npm run package`
    screenshot: { type: 'string' },
    exit: { type: 'boolean', default: false },
  },
});

const T0 = performance.now();
const log = (...a) => console.log(`[demo +${(since(T0) / 1000).toFixed(1)}s]`, ...a);
const rel = (p) => path.relative(REPO, p) || '.';

function run(cmd, args, { allowFail = false } = {}) {
  log(`$ ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0 && !allowFail) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status ?? r.signal})`);
  return r.status === 0;
}
const exists = (p) => fs.existsSync(path.join(REPO, p));

let server = null;
let sandboxStartedHere = false;
let stopping = null;
function stopAll() {
  stopping ??= (async () => {
    if (server) {
      log('stopping code-server');
      await server.stop();
    }
    if (sandboxStartedHere) {
      run('bash', ['test/sandbox/sandbox.sh', 'down'], { allowFail: true });
    }
  })();
  return stopping;
}
process.on('exit', () => server && killGroupSync(server.pgid));
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, async () => {
    console.log();
    log(`${sig}: stopping what the demo started`);
    await stopAll();
    process.exit(0);
  });
}

async function main() {
  if (process.getuid?.() !== 0 && !opt['skip-install']) {
    log('warning: not root; installs (apt, code-server postinstall, sandbox) may fail — use --skip-install if all is installed');
  }

  // 1. installs
  if (!opt['skip-install']) {
    if (!ensureNodeModules(REPO, log)) throw new Error('npm ci failed');
    run('bash', ['test/harness/install-code-server.sh']);
    if (!opt['no-sandbox'] && exists('test/sandbox/install-deps.sh')) run('bash', ['test/sandbox/install-deps.sh']);
  }
  assertCodeServerInstalled();

  // 2. sandbox hypervisor
  if (!opt['no-sandbox'] && exists('test/sandbox/sandbox.sh')) {
    const alreadyUp = spawnSync('bash', ['test/sandbox/sandbox.sh', 'status'], { cwd: REPO, stdio: 'ignore' }).status === 0;
    if (alreadyUp) {
      log('sandbox already up (left running on exit)');
    } else {
      sandboxStartedHere = true; // `down` also cleans up after a partial `up`
      if (!run('bash', ['test/sandbox/sandbox.sh', 'up'], { allowFail: true })) {
        log('warning: the sandbox did not come up; vsim runs without a hypervisor (see test/sandbox/README.md)');
      }
    }
  }

  // 3. package vsim
  let vsix = path.join(REPO, 'dist', 'vsim.vsix');
  if (opt.vsix) vsix = path.resolve(REPO, opt.vsix);
  else run('npm', ['run', 'package']);

  // 4. code-server with vsim installed from the .vsix
  const runDir = makeRunDir('demo', 3);
  const L = runLayout(runDir);
  const env = isolatedEnv(runDir);
  const sshConfig = path.join(REPO, '.sandbox', 'ssh', 'config');
  const wsSettings = { ...jsonFromEnv('VSIM_WORKSPACE_SETTINGS') };
  // vsim.ssh.configFile is machine-scoped (a workspace cannot choose where vsim connects): user settings.
  const userSettings = { ...jsonFromEnv('VSIM_USER_SETTINGS') };
  if (fs.existsSync(sshConfig)) userSettings['vsim.ssh.configFile'] = sshConfig;
  const workspace = makeWorkspace(path.join(runDir, 'workspace'), { settings: wsSettings });
  writeUserSettings(L.userDataDir, userSettings);
  const inst = await installVsix({ vsix, extensionsDir: L.extensionsDir, userDataDir: L.userDataDir, env });
  log(`installed ${rel(vsix)} in ${inst.ms} ms`);
  server = await startCodeServer({ runDir, env, workspace, port: opt.port ? Number(opt.port) : undefined });
  const url = server.urlFor(workspace);

  console.log(`
  vsim is running in VS Code (code-server ${'4.100.3'}):

      ${url}

  workspace: ${rel(workspace)} (a copy of examples/)${fs.existsSync(sshConfig) ? `\n  ssh config: ${rel(sshConfig)} (sandbox hypervisor)` : ''}
  server log: ${rel(server.logFile)}
  From another machine: ssh -L ${server.port}:127.0.0.1:${server.port} <this host>, then open the URL.
  Ctrl-C stops everything the demo started.
`);

  if (opt.screenshot) {
    await screenshot(url, env, path.resolve(REPO, opt.screenshot)).catch((e) => log(`screenshot failed: ${e.message}`));
    if (opt.exit) {
      await stopAll();
      process.exit(0);
    }
  }

  // Stay up until Ctrl-C or until code-server dies.
  await new Promise((resolve) => server.proc.on('exit', resolve));
  if (stopping) return; // Ctrl-C: the signal handler is stopping everything
  log(`code-server exited (${JSON.stringify(server.exited())}); see ${rel(server.logFile)}`);
  await stopAll();
  process.exit(1);
}

/** The demo as a user sees it: the Labs tree with live VM states and the sandbox graph beside its text. */
async function screenshot(url, env, file) {
  const { launchChromium } = await import('../test/harness/codeServer.mjs');
  const { workbenchReady, runCommand, openFile, showVsimView } = await import('../test/harness/ui-checks.mjs');
  const browser = await launchChromium(env);
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    await page.goto(url);
    await workbenchReady(page);
    await showVsimView(page, { timeout: 30_000 });
    await openFile(page, 'sandbox.vsim.yaml');
    await runCommand(page, 'vsim: Open Topology Graph');
    // Expand the sandbox file's hosts in the tree and wait for live states to arrive.
    const tree = page.locator('.part.sidebar .monaco-list-row');
    const sandboxRow = tree.filter({ hasText: 'sandbox.vsim.yaml' }).first();
    await sandboxRow.waitFor({ state: 'visible', timeout: 30_000 });
    if ((await sandboxRow.getAttribute('aria-expanded')) !== 'true') await sandboxRow.click();
    const hv1 = tree.filter({ hasText: 'vsim-hv1' }).first();
    await hv1.waitFor({ state: 'visible', timeout: 30_000 });
    if ((await hv1.getAttribute('aria-expanded')) !== 'true') await hv1.click();
    await tree.filter({ hasText: /running · libvirt/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
    await page.waitForTimeout(2000);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await page.screenshot({ path: file });
    log(`screenshot: ${rel(file)}`);
  } catch (e) {
    // What the page showed when a step timed out, for the message's reader.
    const failed = file.replace(/(\.png)?$/, '.failed.png');
    await browser.contexts()[0]?.pages()[0]?.screenshot({ path: failed }).then(() => log(`what the page showed: ${rel(failed)}`), () => undefined);
    throw e;
  } finally {
    await browser.close();
  }
}

main().catch(async (e) => {
  log('error:', e?.message ?? e);
  await stopAll();
  process.exit(1);
});
