// qemu (n3x style) started by vsim from its declared argv: a jetson-1-like guest of our own
// (ob-jet1, own sockets, MAC, address and TAP on vsimbr0) whose `start.argv` is the sandbox's
// launcher (.sandbox/bin/vsim-sandbox-qemu-up = test/sandbox/qemu/up.sh, which runs REAL QEMU/TCG
// with -daemonize). Lifecycle start runs it detached (log next to the QMP socket) and returns
// once the QMP socket accepts; the VM is then running by QMP; it boots; ACPI shutdown stops it.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createQemuBackend } from '../../src/backends/qemu/backend';
import { startQemu } from '../../src/backends/qemu/start';
import { context, sandboxTopology, writeFigures } from './lab';
import { REPO, SANDBOX, sandboxEnv, until } from './sshRunner';

const envOrReason = sandboxEnv();
const skip = typeof envOrReason === 'string' ? envOrReason
  : !existsSync(join(SANDBOX, 'bin', 'vsim-sandbox-qemu-up')) ? 'no .sandbox/bin/vsim-sandbox-qemu-up (run bash test/sandbox/sandbox.sh up)' : false;
if (skip) console.log(`# SKIP ob- qemu start tests: ${skip}`);

const VM = 'ob-jet1';
const DIR = `/run/vsim-sandbox/qemu/${VM}`;
const topo = sandboxTopology();
topo.vms = {
  ...topo.vms,
  [VM]: {
    host: 'vsim-hv1', backend: 'qemu', accel: 'tcg', memory: 256,
    nics: [{ network: 'vsimbr0', mac: '52:54:00:0b:00:01', ip: '192.168.100.61', tap: 'ob-tap-jet1' }],
    sockets: { qmp: `${DIR}/qmp.sock`, serial: `${DIR}/serial.sock` },
    start: { argv: ['/run/vsim-sandbox/bin/vsim-sandbox-qemu-up', VM, '52:54:00:0b:00:01', '192.168.100.61/24', 'ob-tap-jet1'] },
  },
};
const figures: Record<string, unknown> = {};
let ctx: ReturnType<typeof context>;
const b = createQemuBackend();
const down = (): Promise<unknown> => ctx.run.exec(['env', `VSIM_SANDBOX_DIR=${SANDBOX}`, join(REPO, 'test/sandbox/qemu/down.sh'), VM]);

before(async () => {
  if (skip || typeof envOrReason === 'string') return;
  ctx = context(envOrReason, topo, 'vsim-hv1');
  await down();
});
after(async () => {
  if (skip) return;
  await down().catch(() => undefined);
  ctx.run.close();
  writeFigures('ob-qemu-start', figures);
});

test('ob-qemu: stopped → start runs the declared argv detached → running by QMP → boots → second start is a no-op → ACPI shutdown → stopped', { skip }, async () => {
  const prov = b.provisioner;
  assert.ok(prov);
  const before = await prov.inspect(ctx, [VM, 'jetson-1']);
  assert.deepEqual([before[VM]?.exists, before[VM]?.running], [true, false], 'declared start → exists; no QMP → not running');
  assert.equal(before['jetson-1']?.running, true, 'jetson-1 seen in the same round trip');
  await prov.provision(ctx, VM); // nothing to define: a no-op

  let t0 = performance.now();
  await b.lifecycle(ctx, VM, 'start');
  figures.startToQmpMs = Math.round(performance.now() - t0);
  const l = await b.list(ctx, [VM]);
  assert.equal(l.vms[VM]?.state, 'running', JSON.stringify(l.vms[VM]));
  assert.equal((await prov.inspect(ctx, [VM]))[VM]?.running, true);
  const log = join(SANDBOX, 'qemu', VM, `${VM}.start.log`);
  assert.ok(existsSync(log), 'launcher output logged next to the QMP socket');
  const pid = Number(readFileSync(join(SANDBOX, 'qemu', VM, 'pid'), 'utf8').trim());
  assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), new RegExp(`process=qemu-${VM}`), 'a real QEMU with our name');

  t0 = performance.now();
  await until('the guest banner', 240_000, async () => readFileSync(join(SANDBOX, 'qemu', VM, 'serial.log'), 'utf8').includes(`vsim-guest ${VM} ready`), 500);
  figures.bootMs = Math.round(performance.now() - t0);
  assert.equal(await startQemu(ctx, VM), 'already', 'a running VM is not launched twice');

  t0 = performance.now();
  await b.lifecycle(ctx, VM, 'shutdown');
  await until('QEMU to exit after ACPI power-off', 60_000, async () => (await b.list(ctx, [VM])).vms[VM]?.state === 'stopped', 300);
  figures.shutdownMs = Math.round(performance.now() - t0);
  assert.equal((await prov.inspect(ctx, [VM]))[VM]?.running, false);
  console.log(`# ob-qemu figures: ${JSON.stringify(figures)}`);
});

test('ob-qemu: a launcher that fails → start fails with its exit code and log tail; no start declared → says how to add one', { skip }, async () => {
  const t2 = structuredClone(topo);
  const v = t2.vms?.[VM];
  if (v) v.start = { argv: ['sh', '-c', 'echo ob-launcher-broken >&2; exit 3'] };
  await assert.rejects(b.lifecycle({ ...ctx, topology: t2 }, VM, 'start'), /exited with 3[\s\S]*ob-launcher-broken/);
  if (v) delete v.start;
  await assert.rejects(b.lifecycle({ ...ctx, topology: t2 }, VM, 'start'), /no start command in the topology/);
  assert.deepEqual((await b.provisioner?.inspect({ ...ctx, topology: t2 }, [VM]))?.[VM]?.exists, false);
});
