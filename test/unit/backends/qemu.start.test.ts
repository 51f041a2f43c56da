// qemu start: the declared argv reaches sh only as "$@" of the constant START_SCRIPT; the log path;
// validation; and the script run for real (sh, socat, a unix-socket listener started by the launcher).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createQemuProvisioner, NO_START_COMMAND, START_SCRIPT, startCommand, startLogPath, startQemu } from '../../../src/backends/qemu/start';
import type { Topology } from '../../../src/model/types';
import { ctxFor, fakeRunner, localRunner, unmarked } from '../fakes/runner';

const topo = (start?: unknown, qmp = '/run/n3x/monitor.sock'): Topology => ({
  version: 1,
  hosts: { ws: { address: 'x' } },
  vms: { ev: { host: 'ws', backend: 'qemu', sockets: { qmp }, ...(start ? { start } : {}) } },
} as Topology);

test('startQemu: argv after the constant script, log next to the QMP socket, cwd passed, result from the script', async () => {
  const t = topo({ argv: ['nix', 'run', '.#emulation-vm-bg; rm -rf /'], cwd: '/home/dev/n3x' });
  const run = fakeRunner(() => ({ stdout: '@@vsim pid 9\n@@vsim socket\n' }));
  assert.equal(await startQemu(ctxFor(t, 'ws', run), 'ev', 5), 'socket');
  assert.deepEqual([...(run.calls[0] ?? []).slice(0, 2), unmarked(run.calls[0]?.[2]), ...(run.calls[0] ?? []).slice(3)], ['sh', '-c', START_SCRIPT, 'vsim', '/run/n3x/ev.start.log', '/home/dev/n3x', '/run/n3x/monitor.sock', '5', 'nix', 'run', '.#emulation-vm-bg; rm -rf /']);
  assert.equal(startLogPath(t, 'ev'), '/run/n3x/ev.start.log');
  await assert.rejects(startQemu(ctxFor(topo(), 'ws', run), 'ev'), new RegExp(NO_START_COMMAND.replace(/[.()#[\]]/g, '\\$&')));
  assert.throws(() => startCommand(topo({ argv: ['a\nb'] }), 'ev'), /without newlines/);
  assert.throws(() => startCommand(topo({ argv: [] }), 'ev'), /non-empty/);
  assert.throws(() => startCommand(topo({ argv: ['x'], cwd: 'rel' }), 'ev'), /Invalid/);
});

test('qemu provisioner: exists = start declared or QMP answers; provision refuses without a start command', async () => {
  const run = fakeRunner(() => ({ stdout: '@@vsim qmp /run/n3x/monitor.sock\n@@vsim absent\n' }));
  const p = createQemuProvisioner();
  assert.deepEqual((await p.inspect(ctxFor(topo({ argv: ['x'] }), 'ws', run), ['ev'])).ev, { exists: true, running: false, detail: 'no QMP socket (QEMU not running)' });
  const none = (await p.inspect(ctxFor(topo(), 'ws', run), ['ev'])).ev;
  assert.deepEqual([none?.exists, none?.running], [false, false]);
  await p.provision(ctxFor(topo({ argv: ['x'] }), 'ws', run), 'ev');
  await assert.rejects(p.provision(ctxFor(topo(), 'ws', run), 'ev'), /vsim cannot make this QEMU VM/);
  assert.deepEqual(p.declared(topo(), 'ev'), {});
});

const hasSocat = spawnSync('sh', ['-c', 'command -v socat']).status === 0;

test('START_SCRIPT for real: a launcher that opens the socket → socket; already listening → already; failing launcher → exit 1 + log tail', { skip: hasSocat ? false : 'socat not installed (test/unit/backends/install-test-deps.sh installs it)' }, async () => {
  const dir = join(resolve(__dirname, '../../..'), '.sandbox', 'unit-qemu-start');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const sock = join(dir, 'qmp.sock');
  const log = join(dir, 'ev.start.log');
  const run = localRunner();
  // The "launcher" starts a listener in the background and exits 0, as nix run .#emulation-vm-bg does.
  const launcher = ['sh', '-c', 'echo launching; setsid socat UNIX-LISTEN:"$0",fork EXEC:cat >/dev/null 2>&1 </dev/null & exit 0', sock];
  const r = await run.exec(['sh', '-c', START_SCRIPT, 'vsim', log, dir, sock, '20', ...launcher]);
  try {
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /@@vsim socket/);
    assert.match(readFileSync(log, 'utf8'), /launching/);
    const again = await run.exec(['sh', '-c', START_SCRIPT, 'vsim', log, dir, sock, '20', 'false']);
    assert.match(again.stdout, /@@vsim already/);
    const bad = await run.exec(['sh', '-c', START_SCRIPT, 'vsim', log, '', join(dir, 'other.sock'), '20', 'sh', '-c', 'echo it broke; exit 4']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /exited with 4[\s\S]*it broke/);
    const missing = await run.exec(['sh', '-c', START_SCRIPT, 'vsim', log, '', join(dir, 'other.sock'), '20', 'no-such-launcher-xyz']);
    assert.equal(missing.code, 127);
  } finally {
    // Stop only the listener we started (its command line names our socket).
    const p = await run.exec(['pgrep', '-f', `UNIX-LISTEN:${sock}`]);
    for (const pid of p.stdout.split('\n').filter(Boolean)) process.kill(Number(pid));
    rmSync(dir, { recursive: true, force: true });
    assert.ok(!existsSync(dir));
  }
});
