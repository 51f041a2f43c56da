// qemu (n3x) backend against the sandbox's jetson-1 (real QEMU, QMP + serial unix sockets) on vsim-hv1.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createQemuBackend, MonitorError } from '../../src/backends/qemu/backend';
import { startQemu } from '../../src/backends/qemu/start';
import { context, sandboxTopology, timeIt, writeFigures } from './lab';
import { SANDBOX, sandboxEnv, until } from './sshRunner';

const envOrReason = sandboxEnv();
const qmpLocal = join(SANDBOX, 'qemu', 'jetson-1', 'qmp.sock');
const skip = typeof envOrReason === 'string' ? envOrReason
  : !existsSync(qmpLocal) ? 'jetson-1 not running (start it with bash test/sandbox/qemu/up.sh)'
    : !existsSync('/run/vsim-sandbox/qemu') ? '/run/vsim-sandbox is not a link to .sandbox (the topology\'s socket paths)' : false;
if (skip) console.log(`# SKIP qemu sandbox tests: ${skip}`);
const topo = sandboxTopology();
topo.vms = { ...topo.vms, 'jetson-9': { host: 'vsim-hv1', backend: 'qemu', sockets: { qmp: '/run/vsim-sandbox/qemu/jetson-9/qmp.sock' } } };
const figures: Record<string, unknown> = {};
let ctx: ReturnType<typeof context>;

before(async () => {
  if (skip || typeof envOrReason === 'string') return;
  ctx = context(envOrReason, topo, 'vsim-hv1');
  await createQemuBackend().lifecycle(ctx, 'jetson-1', 'resume').catch(() => undefined); // a previous run may have left it paused
});
after(async () => {
  if (skip) return;
  await createQemuBackend().lifecycle(ctx, 'jetson-1', 'resume').catch(() => undefined);
  ctx.run.close();
  writeFigures('qemu', figures);
});

test('list over QMP in one round trip; pause/resume seen in re-lists; start refused clearly', { skip }, async () => {
  const b = createQemuBackend();
  const calls = ctx.run.calls.length;
  const l = await b.list(ctx, ['jetson-1', 'jetson-9']);
  assert.equal(ctx.run.calls.length - calls, 1, 'one exec');
  assert.equal(l.vms['jetson-1']?.state, 'running');
  assert.equal(l.vms['jetson-9']?.state, 'stopped');
  figures.listOpenConnectionMs = await timeIt(5, () => b.list(ctx, ['jetson-1', 'jetson-9']));
  await b.lifecycle(ctx, 'jetson-1', 'suspend');
  assert.equal((await b.list(ctx, ['jetson-1'])).vms['jetson-1']?.state, 'paused');
  await b.lifecycle(ctx, 'jetson-1', 'resume');
  assert.equal((await b.list(ctx, ['jetson-1'])).vms['jetson-1']?.state, 'running');
  // Start of a running VM: its QMP socket accepts a client, so the launcher is not run again.
  assert.equal(await startQemu(ctx, 'jetson-1'), 'already');
  await assert.rejects(b.lifecycle(ctx, 'jetson-9', 'shutdown'), (e: Error) => e instanceof MonitorError &&
    e.message === 'QMP system_powerdown for jetson-9 on vsim-hv1 failed: no socket /run/vsim-sandbox/qemu/jetson-9/qmp.sock (QEMU not running)');
  console.log(`# qemu list (2 VMs): open connection ${JSON.stringify(figures.listOpenConnectionMs)} ms`);
});

test('a QMP socket held by another client: listed as busy, lifecycle says so', { skip }, async () => {
  const b = createQemuBackend();
  // Another client (ours, stopped by its pid) holds the socket; QEMU serves one at a time.
  const holder = spawn('socat', ['-', `UNIX-CONNECT:${qmpLocal}`], { stdio: ['pipe', 'pipe', 'ignore'] });
  try {
    await until('the holder got the greeting', 5000, async () => new Promise<boolean>((r) => {
      holder.stdout.once('data', () => r(true));
      setTimeout(() => r(false), 200);
    }));
    const t0 = Date.now();
    const l = await b.list(ctx, ['jetson-1']);
    figures.busyListMs = Date.now() - t0;
    assert.equal(l.vms['jetson-1']?.state, 'unknown');
    assert.match(l.vms['jetson-1']?.detail ?? '', /QMP socket busy/);
    await assert.rejects(b.lifecycle(ctx, 'jetson-1', 'suspend'), /QMP stop for jetson-1 on vsim-hv1 failed: QMP socket busy/);
  } finally {
    holder.kill('SIGTERM');
  }
  await until('jetson-1 answers again', 15_000, async () => (await b.list(ctx, ['jetson-1'])).vms['jetson-1']?.state === 'running');
});
