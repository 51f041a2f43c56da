#!/usr/bin/env node
// The same integration suite through @vscode/test-electron (desktop VS Code, downloaded from Microsoft's
// update server). For machines that can reach update.code.visualstudio.com and have a display
// (on a headless Linux box: `xvfb-run -a node test/harness/electron.mjs`). Not run in CI here: these
// machines are offline, so CI uses run-integration.mjs (code-server + headless Chromium) instead.
//
//   node test/harness/electron.mjs [--vsix dist/vsim.vsix] [--tests dist-test/integration/index.js]
//        [--workspace DIR] [--vscode-version 1.100.3] [--dev]
//
// Default: installs the .vsix into a private extensions dir and runs the suite against that installed copy
// (dev-stub trick, as in run-integration.mjs). --dev instead loads the repo itself as the development
// extension (needs `npm run build` first). Exit code: the suite's.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { downloadAndUnzipVSCode, resolveCliArgsFromVSCodeExecutablePath, runTests } from '@vscode/test-electron';
import { REPO, VSCODE_TEST, jsonFromEnv, makeDevStub, makeRunDir, makeWorkspace, runLayout, writeUserSettings } from './codeServer.mjs';

const { values: opt } = parseArgs({
  options: {
    vsix: { type: 'string', default: 'dist/vsim.vsix' },
    tests: { type: 'string', default: 'dist-test/integration/index.js' },
    workspace: { type: 'string' },
    'vscode-version': { type: 'string', default: '1.100.3' },
    dev: { type: 'boolean', default: false },
  },
});
const abs = (p) => path.resolve(REPO, p);

const runDir = makeRunDir('electron');
const L = runLayout(runDir);
const workspace = opt.workspace
  ? abs(opt.workspace)
  : makeWorkspace(path.join(runDir, 'workspace'), { settings: jsonFromEnv('VSIM_WORKSPACE_SETTINGS') });
writeUserSettings(L.userDataDir, jsonFromEnv('VSIM_USER_SETTINGS'));

let vscodeExecutablePath;
try {
  vscodeExecutablePath = await downloadAndUnzipVSCode({
    version: opt['vscode-version'],
    cachePath: path.join(VSCODE_TEST, 'electron-cache'),
  });
} catch (e) {
  console.error(`cannot download VS Code ${opt['vscode-version']} (${e?.code ?? e?.message ?? e}); offline machines use:`);
  console.error('  node test/harness/build-tests.mjs && node test/harness/run-integration.mjs');
  process.exit(2);
}

let extensionDevelopmentPath = REPO;
if (!opt.dev) {
  const [cli, ...cliArgs] = resolveCliArgsFromVSCodeExecutablePath(vscodeExecutablePath);
  const r = spawnSync(cli, [...cliArgs, '--install-extension', abs(opt.vsix), '--extensions-dir', L.extensionsDir, '--user-data-dir', L.userDataDir, '--force'], {
    encoding: 'utf8',
    stdio: 'inherit',
  });
  if (r.status !== 0) throw new Error(`installing ${opt.vsix} failed (exit ${r.status})`);
  extensionDevelopmentPath = makeDevStub(path.join(runDir, 'dev-stub'));
}

let code;
try {
  code = await runTests({
    vscodeExecutablePath,
    extensionDevelopmentPath,
    extensionTestsPath: abs(opt.tests),
    // vsim's test hooks (vsim._editor.*) exist only in test mode (src/editor/topologyEditor.ts).
    extensionTestsEnv: { VSIM_TEST_HOOKS: '1' },
    launchArgs: [
      workspace,
      '--user-data-dir', L.userDataDir,
      '--extensions-dir', L.extensionsDir,
      '--disable-workspace-trust',
      '--disable-telemetry',
      '--disable-updates',
      '--skip-welcome',
      '--skip-release-notes',
    ],
  });
} catch (e) {
  console.error('electron run failed:', e?.message ?? e);
  code = typeof e === 'number' ? e : 1;
}
fs.writeFileSync(path.join(runDir, 'exit-code'), `${code}\n`);
process.exit(code);
