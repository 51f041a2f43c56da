// Shared helpers to run the real VS Code (code-server) for vsim: used by run-integration.mjs and scripts/demo.mjs.
// Facts behind every flag: the project's note "real-vscode-tests.md" (summarised in test/harness/README.md).
import { spawn, execFile } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { SANDBOX_NETWORKS } from '../../scripts/lib/sandboxNetworks.mjs';

const execFileP = promisify(execFile);

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const VSCODE_TEST = path.join(REPO, '.vscode-test');
export const CODE_SERVER_VERSION = '4.100.3';
export const CODE_SERVER_BIN = path.join(VSCODE_TEST, 'code-server', 'node_modules', '.bin', 'code-server');
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Milliseconds since `t0`, rounded. */
export const since = (t0) => Math.round(performance.now() - t0);

/** Poll `fn` until it returns a truthy value or the deadline passes (no fixed sleeps). */
export async function pollUntil(fn, { timeoutMs = 30_000, intervalMs = 100, what = 'condition' } = {}) {
  const end = Date.now() + timeoutMs;
  let lastErr;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      lastErr = e;
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastErr ? `: ${lastErr.message}` : ''}`);
}

/** A free TCP port on 127.0.0.1 (asks the kernel for port 0). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export function isCodeServerInstalled() {
  return fs.existsSync(CODE_SERVER_BIN);
}

export function assertCodeServerInstalled() {
  if (!isCodeServerInstalled()) {
    throw new Error(`code-server is not installed at ${path.relative(REPO, CODE_SERVER_BIN)}; run: bash test/harness/install-code-server.sh (as root)`);
  }
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} missing; run: bash test/harness/install-code-server.sh (as root)`);
}

/**
 * Create a fresh run directory `.vscode-test/<prefix>-N` (N = highest existing + 1) and keep only the
 * newest `keep` ones of that prefix. Returns the absolute path.
 */
export function makeRunDir(prefix = 'run', keep = 5) {
  fs.mkdirSync(VSCODE_TEST, { recursive: true });
  const re = new RegExp(`^${prefix}-(\\d+)$`);
  const existing = () =>
    fs.readdirSync(VSCODE_TEST).map((n) => re.exec(n)).filter(Boolean).map((m) => Number(m[1])).sort((a, b) => a - b);
  for (;;) {
    const nums = existing();
    const n = (nums.at(-1) ?? 0) + 1;
    const dir = path.join(VSCODE_TEST, `${prefix}-${n}`);
    try {
      fs.mkdirSync(dir); // not recursive: fails if a concurrent run took N
    } catch (e) {
      if (e.code === 'EEXIST') continue;
      throw e;
    }
    for (const old of nums.slice(0, Math.max(0, nums.length + 1 - keep))) {
      fs.rmSync(path.join(VSCODE_TEST, `${prefix}-${old}`), { recursive: true, force: true });
    }
    return dir;
  }
}

/**
 * Environment that keeps code-server's and Chromium's stray files (logs, heartbeat, deviceid, crash
 * reports, vscode-ipc-*.sock) inside `runDir` instead of `~` and the host's /tmp.
 */
export function isolatedEnv(runDir, extra = {}) {
  const d = (n, mode) => {
    const p = path.join(runDir, n);
    fs.mkdirSync(p, { recursive: true, mode });
    if (mode) fs.chmodSync(p, mode);
    return p;
  };
  return {
    ...process.env,
    XDG_DATA_HOME: d('xdg/data'),
    XDG_CONFIG_HOME: d('xdg/config'),
    XDG_CACHE_HOME: d('xdg/cache'),
    XDG_RUNTIME_DIR: d('xdg/runtime', 0o700),
    TMPDIR: d('tmp'),
    EXTENSIONS_GALLERY: '{}',
    // vsim in this code-server dials only the sandbox (src/remote/dialGuard.ts).
    VSIM_DIAL_ONLY: SANDBOX_NETWORKS,
    // vsim registers its test hooks (vsim._editor.*) only in test mode (src/editor/topologyEditor.ts).
    VSIM_TEST_HOOKS: '1',
    ...extra,
  };
}

/** Standard layout inside a run dir. */
export function runLayout(runDir) {
  const p = (n) => path.join(runDir, n);
  return {
    runDir,
    config: p('config.yaml'),
    userDataDir: p('user-data'),
    extensionsDir: p('extensions'),
    logFile: p('code-server.log'),
  };
}

/**
 * Write `<userDataDir>/User/settings.json`: quiet defaults + `extra`; and the same as the server's
 * machine settings (`<userDataDir>/Machine/settings.json`), where code-server's extension host reads
 * machine-scoped settings (vsim.ssh.configFile, vsim.nix.*) from.
 */
export function writeUserSettings(userDataDir, extra = {}) {
  const dir = path.join(userDataDir, 'User');
  fs.mkdirSync(dir, { recursive: true });
  fs.mkdirSync(path.join(userDataDir, 'Machine'), { recursive: true });
  const settings = {
    'workbench.startupEditor': 'none',
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'security.workspace.trust.enabled': false,
    // Run workspaces live under the repo: no "open the parent git repository?" toast.
    'git.openRepositoryInParentFolders': 'never',
    ...extra,
  };
  fs.writeFileSync(path.join(dir, 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
  fs.writeFileSync(path.join(userDataDir, 'Machine', 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
  return settings;
}

/** Parse a JSON object from an environment variable (empty → {}); throws a clear error on bad JSON. */
export function jsonFromEnv(name) {
  const raw = process.env[name];
  if (!raw) return {};
  try {
    const v = JSON.parse(raw);
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
    return v;
  } catch (e) {
    throw new Error(`${name} must be a JSON object: ${e.message}`);
  }
}

/** Install a .vsix the way a user does: `code-server --install-extension X.vsix --extensions-dir D`. */
export async function installVsix({ vsix, extensionsDir, userDataDir, env }) {
  if (!fs.existsSync(vsix)) throw new Error(`no such .vsix: ${vsix} (run: npm run package)`);
  const t0 = performance.now();
  const { stdout, stderr } = await execFileP(
    CODE_SERVER_BIN,
    ['--install-extension', vsix, '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--force'],
    { env, timeout: 120_000 },
  );
  const out = `${stdout}${stderr}`;
  if (!/successfully installed|was successfully|already installed/i.test(out)) {
    throw new Error(`installing ${vsix} failed:\n${out}`);
  }
  return { ms: since(t0), output: out.trim() };
}

/**
 * Start code-server in its own process group. Resolves once /healthz answers.
 * Returns { proc, port, url, pgid, stop(), urlFor(folder, payload) }.
 */
export async function startCodeServer({ runDir, port, env, workspace, logToStdout = false, timeoutMs = 60_000, workspaceTrust = false }) {
  const L = runLayout(runDir);
  port ??= await freePort();
  fs.mkdirSync(L.userDataDir, { recursive: true });
  fs.mkdirSync(L.extensionsDir, { recursive: true });
  fs.writeFileSync(L.config, `bind-addr: 127.0.0.1:${port}\nauth: none\ncert: false\n`);
  const args = [
    '--config', L.config,
    '--user-data-dir', L.userDataDir,
    '--extensions-dir', L.extensionsDir,
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    // Workspace trust off (the folder is trusted) unless a run asks for it (the untrusted pass).
    ...(workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--ignore-last-opened',
  ];
  if (workspace) args.push(workspace);
  const log = fs.openSync(L.logFile, 'a');
  const t0 = performance.now();
  const proc = spawn(CODE_SERVER_BIN, args, {
    env,
    cwd: runDir,
    detached: true, // own session + process group (setsid): the whole group is killed on stop
    stdio: ['ignore', logToStdout ? 'inherit' : log, logToStdout ? 'inherit' : log],
  });
  fs.closeSync(log);
  let exited = null;
  const exitedP = new Promise((resolve) => proc.on('exit', (code, sig) => resolve((exited = { code, sig }))));
  const base = `http://127.0.0.1:${port}`;
  const server = {
    proc,
    pgid: proc.pid,
    port,
    url: base + '/',
    logFile: L.logFile,
    exited: () => exited,
    stop: () => stopProcessGroup(proc.pid, exitedP),
    /** Workbench URL opening `folder`, with optional `payload` pairs ([[key, value], ...]). */
    urlFor(folder, payload) {
      const q = new URLSearchParams();
      if (folder) q.set('folder', folder);
      if (payload?.length) q.set('payload', JSON.stringify(payload));
      return `${base}/?${q}`;
    },
    /** `vscode-remote://` URI for an absolute server-side path (what `payload` entries take). */
    remoteUri(absPath) {
      return `vscode-remote://127.0.0.1:${port}${absPath.split(path.sep).map(encodeURIComponent).join('/')}`;
    },
  };
  try {
    await pollUntil(
      async () => {
        if (exited) throw new Error(`code-server exited (${JSON.stringify(exited)}); see ${L.logFile}`);
        const r = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(2000) });
        return r.ok;
      },
      { timeoutMs, what: `code-server on port ${port}` },
    );
  } catch (e) {
    await server.stop();
    if (exited) e.message += `\n--- ${L.logFile} ---\n${fs.readFileSync(L.logFile, 'utf8').slice(-4000)}`;
    throw e;
  }
  server.startMs = since(t0);
  return server;
}

/** SIGTERM the process group, wait up to `graceMs`, then SIGKILL whatever is left of it. */
export async function stopProcessGroup(pgid, exitedP, graceMs = 5000) {
  const alive = () => {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (!alive()) return;
  try {
    process.kill(-pgid, 'SIGTERM');
  } catch {
    /* already gone */
  }
  try {
    await pollUntil(() => !alive(), { timeoutMs: graceMs, intervalMs: 50, what: `process group ${pgid} to exit` });
  } catch {
    try {
      process.kill(-pgid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
  if (exitedP) await Promise.race([exitedP, new Promise((r) => setTimeout(r, 1000))]);
}

/** Synchronous last-resort kill (for process 'exit' handlers, where nothing async runs). */
export function killGroupSync(pgid) {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

/**
 * Make a workspace folder: a copy of examples/ (if present) plus optional `.vscode/settings.json`.
 */
export function makeWorkspace(dir, { from = path.join(REPO, 'examples'), settings } = {}) {
  fs.mkdirSync(dir, { recursive: true });
  if (fs.existsSync(from)) fs.cpSync(from, dir, { recursive: true });
  for (const f of fs.readdirSync(dir)) if (/\.vsim\.ya?ml$/.test(f) && f !== SANDBOX_TOPOLOGY) markOffline(path.join(dir, f));
  if (settings && Object.keys(settings).length) {
    fs.mkdirSync(path.join(dir, '.vscode'), { recursive: true });
    fs.writeFileSync(path.join(dir, '.vscode', 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
  }
  return dir;
}

/** The one example whose hosts the workspace may connect to: the local sandbox. */
const SANDBOX_TOPOLOGY = 'sandbox.vsim.yaml';

/**
 * `offline: true` in a copied seed example (after version/name/description, through the yaml
 * Document API so its comments stay): its hosts are other people's labs, never dialed from a test
 * or the demo; the tree says "offline".
 */
export function markOffline(file) {
  // Required here, not imported: scripts/demo.mjs loads this module before it has run `npm ci`.
  const { parseDocument } = createRequire(import.meta.url)('yaml');
  const doc = parseDocument(fs.readFileSync(file, 'utf8'));
  if (doc.get('offline') === true) return;
  const items = doc.contents.items;
  const after = Math.max(...['version', 'name', 'description'].map((k) => items.findIndex((p) => p.key?.value === k)));
  const pair = doc.createPair('offline', true);
  pair.key.commentBefore = ' A seed lab, not the sandbox: vsim never connects to its hosts here (test/demo workspace).';
  items.splice(after + 1, 0, pair);
  fs.writeFileSync(file, doc.toString());
}

/**
 * A stand-in extensionDevelopmentPath: a folder holding only a package.json whose name/publisher differ
 * from vsim's, so that the INSTALLED .vsix (not a dev folder) is what the suite exercises.
 */
export function makeDevStub(dir) {
  fs.mkdirSync(dir, { recursive: true });
  const pkg = {
    name: 'vsim-integration-test-stub',
    publisher: 'vsim-test',
    version: '0.0.0',
    description: 'Empty development extension so the test runner loads; the installed vsim .vsix is under test.',
    engines: { vscode: '^1.100.0' },
  };
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  return dir;
}

/** Launch headless Debian Chromium through playwright-core with the isolated env. */
export async function launchChromium(env) {
  const { chromium } = await import('playwright-core');
  const args = CHROMIUM_ARGS.filter((a) => a !== '--headless'); // playwright adds its own headless flag
  // playwright makes the browser's profile directory in this process's os.tmpdir(): the run's, not the host's /tmp.
  const hostTmp = process.env.TMPDIR;
  if (env.TMPDIR) process.env.TMPDIR = env.TMPDIR;
  try {
    return await chromium.launch({ executablePath: CHROMIUM, headless: true, args, env, timeout: 60_000 });
  } finally {
    if (hostTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = hostTmp;
  }
}
