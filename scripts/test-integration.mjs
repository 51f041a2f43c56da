// `npm run test:integration`: everything the real-VS-Code suite needs, then the suite.
// 1. installs (idempotent): code-server + Chromium, the sandbox's Debian packages;
// 2. starts the sandbox hypervisor (real sshd, libvirt, QEMU) unless VSIM_NO_SANDBOX=1;
// 3. packages the .vsix and builds the tests; 4. runs them in code-server; 5. stops the sandbox.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

const sh = (cmd, args, env = {}) => {
  console.log(`\n[test:integration] $ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status}`);
};

const useSandbox = process.env.VSIM_NO_SANDBOX !== '1' && existsSync('test/sandbox/sandbox.sh');
// A sandbox that was already up (npm test starts it once for several suites) is left running.
const alreadyUp = existsSync('.sandbox/env.json');
let sandboxUp = false;
let code = 1;
const stop = () => {
  if (sandboxUp) {
    sandboxUp = false;
    spawnSync('bash', ['test/sandbox/sandbox.sh', 'down'], { stdio: 'inherit' });
  }
};
process.on('SIGINT', () => { stop(); process.exit(130); });
process.on('SIGTERM', () => { stop(); process.exit(143); });

try {
  sh('bash', ['test/harness/install-code-server.sh']);
  // Machine-scoped settings (where to connect, what runs as root on the hypervisor) come from the
  // user's settings; the workspace tries to set them too, and test/integration/settings.test.ts checks
  // that vsim does not read those values.
  const userSettings = {};
  const settings = {
    'vsim.ssh.configFile': 'from-workspace-config',
    'vsim.nix.environment': { VSIM_FROM_WORKSPACE: '1' },
    'vsim.nix.config': 'post-build-hook = /from/workspace',
  };
  if (useSandbox) {
    if (!alreadyUp) {
      sh('bash', ['test/sandbox/install-deps.sh']);
      sandboxUp = true;
      sh('bash', ['test/sandbox/sandbox.sh', 'up']);
    }
    userSettings['vsim.ssh.configFile'] = resolve('.sandbox/ssh/config');
    // The sandbox guest's last boot line (test/sandbox/guest/build-guest.sh): the end of the boot progress.
    userSettings['vsim.boot.readyPattern'] = '^vsim-guest \\S+ ready';
  } else {
    console.log('[test:integration] sandbox not started (VSIM_NO_SANDBOX=1): tests that need it skip with that reason');
  }
  sh('npm', ['run', '--silent', 'package']);
  sh(process.execPath, ['test/harness/build-tests.mjs']);
  const wsSettings = JSON.stringify({ ...settings, ...JSON.parse(process.env.VSIM_WORKSPACE_SETTINGS ?? '{}') });
  const userJson = JSON.stringify({ ...userSettings, ...JSON.parse(process.env.VSIM_USER_SETTINGS ?? '{}') });
  const r = spawnSync(process.execPath, ['test/harness/run-integration.mjs'], {
    stdio: 'inherit',
    env: { ...process.env, VSIM_WORKSPACE_SETTINGS: wsSettings, VSIM_USER_SETTINGS: userJson },
  });
  code = r.status ?? 1;
  // Second pass: the same suite in an untrusted window (workspace trust on, the folder not trusted);
  // only test/integration/untrusted.test.ts registers tests there. Results: test-results/untrusted/.
  if (!process.env.VSIM_TEST_GREP || /untrusted/.test(process.env.VSIM_TEST_GREP)) {
    console.log('\n[test:integration] untrusted pass: workspace trust enabled, the folder untrusted');
    const u = spawnSync(process.execPath, ['test/harness/run-integration.mjs', '--no-ui', '--screenshots', 'test-results/untrusted'], {
      stdio: 'inherit',
      env: {
        ...process.env,
        VSIM_WORKSPACE_SETTINGS: wsSettings,
        VSIM_WORKSPACE_TRUST: '1',
        VSIM_TEST_GREP: 'untrusted workspace', // the other suites need a trusted window
        VSIM_USER_SETTINGS: JSON.stringify({ ...JSON.parse(userJson), 'security.workspace.trust.enabled': true }),
      },
    });
    if (u.status !== 0) code = code || (u.status ?? 1);
  }
} catch (err) {
  console.error(`[test:integration] ${err.message}`);
  code = 1;
} finally {
  stop();
}
process.exit(code);
