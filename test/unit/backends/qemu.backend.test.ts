import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createQemuBackend, MonitorError } from '../../../src/backends/qemu/backend';
import { NO_START_COMMAND } from '../../../src/backends/qemu/start';
import type { Topology } from '../../../src/model/types';
import { ctxFor, fakeRunner, localRunner } from '../fakes/runner';
import { socatConsoleArgv } from '../../../src/backends/serialSocket';

const topo = (dir = '/run/q'): Topology => ({
  version: 1,
  hosts: { hv: { address: 'x' } },
  vms: {
    j1: { host: 'hv', backend: 'qemu', sockets: { qmp: `${dir}/j1/qmp.sock`, serial: `${dir}/j1/serial.sock` } },
    j2: { host: 'hv', backend: 'qemu', sockets: { qmp: `${dir}/j2/qmp.sock` } },
    j3: { host: 'hv', backend: 'qemu', sockets: { qmp: `${dir}/j3/qmp.sock` } },
    j4: { host: 'hv', backend: 'qemu', sockets: { qmp: `${dir}/j4/qmp.sock` } },
    nosock: { host: 'hv', backend: 'qemu' },
  },
});
const GREETING = '{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}}, "capabilities": ["oob"]}}';

test('list: ONE exec for every socket; running/paused, absent → stopped, busy → unknown, stale → stopped', async () => {
  const run = fakeRunner(() => ({ stdout: [
    '@@vsim qmp /run/q/j1/qmp.sock', GREETING, '{"return": {}}', '{"return": {"status": "running", "singlestep": false, "running": true}}', '@@vsim rc 0',
    '@@vsim qmp /run/q/j2/qmp.sock', '@@vsim absent',
    '@@vsim qmp /run/q/j3/qmp.sock', '@@vsim rc 0',
    '@@vsim qmp /run/q/j4/qmp.sock', '2026/11/23 09:20:25 socat[21221] E connect(, AF=1 "/run/q/j4/qmp.sock", 25): Connection refused', '@@vsim rc 1', ''].join('\n') }));
  const l = await createQemuBackend().list(ctxFor(topo(), 'hv', run), ['j1', 'j2', 'j3', 'j4', 'nosock']);
  assert.equal(run.calls.length, 1);
  assert.deepEqual(run.calls[0]?.slice(3), ['vsim', 'query-status', 'info status', 'qmp', '/run/q/j1/qmp.sock', 'qmp', '/run/q/j2/qmp.sock', 'qmp', '/run/q/j3/qmp.sock', 'qmp', '/run/q/j4/qmp.sock']);
  assert.deepEqual(l.vms.j1, { state: 'running', detail: 'running', facts: { qmp: '/run/q/j1/qmp.sock' } });
  assert.equal(l.vms.j2?.state, 'stopped');
  assert.equal(l.vms.j3?.state, 'unknown');
  assert.match(l.vms.j3?.detail ?? '', /QMP socket busy/);
  assert.equal(l.vms.j4?.state, 'stopped');
  assert.match(l.vms.j4?.detail ?? '', /stale/);
  assert.equal(l.vms.nosock?.state, 'unknown');
});

test('lifecycle: QMP commands; errors and start refused clearly', async () => {
  let answer = ['@@vsim qmp /run/q/j1/qmp.sock', GREETING, '{"return": {}}', '{"timestamp": {}, "event": "STOP"}', '{"return": {}}', '@@vsim rc 0'].join('\n');
  const run = fakeRunner(() => ({ stdout: answer }));
  const b = createQemuBackend();
  const ctx = ctxFor(topo(), 'hv', run);
  for (const op of ['suspend', 'resume', 'shutdown', 'reboot', 'destroy'] as const) await b.lifecycle(ctx, 'j1', op);
  assert.deepEqual(run.calls.map((c) => c[4]), ['stop', 'cont', 'system_powerdown', 'system_reset', 'quit']);
  await assert.rejects(b.lifecycle(ctx, 'j1', 'start'), (e: Error) => e.message === `j1 on hv: ${NO_START_COMMAND}.`);
  answer = ['@@vsim qmp /run/q/j1/qmp.sock', GREETING, '{"return": {}}', '{"error": {"class": "GenericError", "desc": "VM is not running"}}', '@@vsim rc 0'].join('\n');
  await assert.rejects(b.lifecycle(ctx, 'j1', 'suspend'), (e: Error) => e instanceof MonitorError && e.message === 'QMP stop for j1 on hv failed: GenericError: VM is not running');
  answer = '@@vsim qmp /run/q/j1/qmp.sock\n@@vsim rc 0\n';
  await assert.rejects(b.lifecycle(ctx, 'j1', 'resume'), /QMP cont for j1 on hv failed: QMP socket busy/);
  answer = '@@vsim qmp /run/q/j1/qmp.sock\n@@vsim absent\n';
  await assert.rejects(b.lifecycle(ctx, 'j1', 'shutdown'), /no socket \/run\/q\/j1\/qmp.sock \(QEMU not running\)/);
  assert.deepEqual(b.console(ctx, 'j1'), { argv: socatConsoleArgv('/run/q/j1/serial.sock'), pty: true });
  assert.throws(() => b.console(ctx, 'j2'), /no sockets.serial/);
});

/** A fake QMP server on a unix socket: greeting, then answers per line; `hold` never greets (busy). */
function qmpServer(path: string, mode: 'ok' | 'hold'): Promise<Server> {
  const srv = createServer((c) => {
    if (mode === 'hold') return;
    c.write(`${GREETING}\r\n`);
    let buf = '';
    c.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const cmd = JSON.parse(buf.slice(0, nl)) as { execute: string };
        buf = buf.slice(nl + 1);
        // Answer late, as QEMU may: the client must keep its write side open meanwhile.
        setTimeout(() => c.write(cmd.execute === 'query-status' ? '{"return": {"status": "paused", "running": false}}\r\n' : '{"return": {}}\r\n'), 50);
      }
    });
  });
  return new Promise((r) => srv.listen(path, () => r(srv)));
}

// A busy socket must not hang the listing: the script's own bound ends it; the test's timeout catches a hang.
test('the QMP script itself with real sh + socat against unix-socket servers (answer, busy, absent)', { timeout: 60_000 }, async (t) => {
  if (spawnSync('sh', ['-c', 'command -v socat']).status !== 0) return t.skip('socat not installed');
  const dir = mkdtempSync(join(resolve('test-results'), 'qmp-'));
  const servers: Server[] = [];
  try {
    for (const n of ['j1', 'j3']) mkdirSync(join(dir, n));
    servers.push(await qmpServer(join(dir, 'j1', 'qmp.sock'), 'ok'), await qmpServer(join(dir, 'j3', 'qmp.sock'), 'hold'));
    const run = localRunner();
    const l = await createQemuBackend().list(ctxFor(topo(dir), 'hv', run), ['j1', 'j2', 'j3']);
    assert.equal(run.calls.length, 1);
    assert.equal(l.vms.j1?.state, 'paused');
    assert.equal(l.vms.j2?.state, 'stopped');
    assert.match(l.vms.j3?.detail ?? '', /busy/);
  } finally {
    servers.forEach((s) => s.close());
    rmSync(dir, { recursive: true, force: true });
  }
});
