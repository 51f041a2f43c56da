// qemu (n3x) monitors on the sandbox: jetson-1's two monitor sockets (QMP qmp.sock, HMP
// monitor.sock — test/sandbox/qemu/up.sh) read over each protocol, and a guest of our own (ob-mon1,
// same launcher, REAL QEMU/TCG) stopped by system_powerdown over HMP (its acpid powers off), by
// quit over HMP (what the seed does: `echo quit | socat - unix-connect:monitor.sock`) and by quit
// over QMP.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createQemuBackend } from '../../src/backends/qemu/backend';
import type { Topology } from '../../src/model/types';
import { context, sandboxTopology, writeFigures } from './lab';
import { REPO, SANDBOX, sandboxEnv, until } from './sshRunner';

const envOrReason = sandboxEnv();
const skip = typeof envOrReason === 'string' ? envOrReason
  : !existsSync(join(SANDBOX, 'qemu', 'jetson-1', 'monitor.sock')) ? 'jetson-1 not running with its HMP socket (bash test/sandbox/qemu/up.sh)'
    : !existsSync(join(SANDBOX, 'bin', 'vsim-sandbox-qemu-up')) ? 'no .sandbox/bin/vsim-sandbox-qemu-up (run bash test/sandbox/sandbox.sh up)' : false;
if (skip) console.log(`# SKIP qemu monitor sandbox tests: ${skip}`);

const VM = 'ob-mon1';
const DIR = `/run/vsim-sandbox/qemu/${VM}`;
const J1 = '/run/vsim-sandbox/qemu/jetson-1';
/** The sandbox topology with jetson-1 and ob-mon1 given only the named monitor. */
function only(protocol: 'qmp' | 'hmp'): Topology {
  const t = sandboxTopology();
  const sock = (dir: string) => (protocol === 'qmp' ? { qmp: `${dir}/qmp.sock` } : { hmp: `${dir}/monitor.sock` });
  t.vms = {
    ...t.vms,
    'jetson-1': { ...t.vms!['jetson-1']!, sockets: { ...sock(J1), serial: `${J1}/serial.sock` } },
    [VM]: {
      host: 'vsim-hv1', backend: 'qemu', accel: 'tcg', memory: 256,
      nics: [{ network: 'vsimbr0', mac: '52:54:00:0b:00:02', ip: '192.168.100.62', tap: 'ob-tap-mon1' }],
      sockets: { ...sock(DIR), serial: `${DIR}/serial.sock` },
      start: { argv: ['/run/vsim-sandbox/bin/vsim-sandbox-qemu-up', VM, '52:54:00:0b:00:02', '192.168.100.62/24', 'ob-tap-mon1'] },
    },
  };
  return t;
}
const figures: Record<string, unknown> = {};
const b = createQemuBackend();
let hmp: ReturnType<typeof context>;
let qmp: ReturnType<typeof context>;
const down = (): Promise<unknown> => hmp.run.exec(['env', `VSIM_SANDBOX_DIR=${SANDBOX}`, join(REPO, 'test/sandbox/qemu/down.sh'), VM]);
const state = async (ctx: typeof hmp, vm: string) => (await b.list(ctx, [vm])).vms[vm];

before(async () => {
  if (skip || typeof envOrReason === 'string') return;
  hmp = context(envOrReason, only('hmp'), 'vsim-hv1');
  qmp = { ...hmp, topology: only('qmp') };
  await down();
});
after(async () => {
  if (skip) return;
  await down().catch(() => undefined);
  hmp.run.close();
  writeFigures('qemu-monitors', figures);
});

test('jetson-1 over HMP and over QMP: the same state, stop/cont over HMP seen over QMP', { skip }, async () => {
  const h = await state(hmp, 'jetson-1');
  assert.deepEqual([h?.state, h?.facts], ['running', { hmp: `${J1}/monitor.sock` }], JSON.stringify(h));
  assert.equal((await state(qmp, 'jetson-1'))?.state, 'running');
  await b.lifecycle(hmp, 'jetson-1', 'suspend');
  try {
    assert.deepEqual([(await state(qmp, 'jetson-1'))?.state, (await state(hmp, 'jetson-1'))?.state], ['paused', 'paused']);
  } finally {
    await b.lifecycle(hmp, 'jetson-1', 'resume');
  }
  assert.equal((await state(qmp, 'jetson-1'))?.state, 'running');
});

test('ob-mon1: system_powerdown over HMP (guest ACPI), quit over HMP, quit over QMP — each stops the real QEMU', { skip }, async () => {
  // The launcher writes the pid file after QEMU daemonized, which may be after its socket accepts.
  const pidFile = join(SANDBOX, 'qemu', VM, 'pid');
  const pid = async () => {
    await until('the launcher\'s pid file', 10_000, async () => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '');
    return Number(readFileSync(pidFile, 'utf8').trim());
  };
  const stopped = (ctx: typeof hmp, what: string) => until(what, 60_000, async () => (await state(ctx, VM))?.state === 'stopped', 300);

  await b.lifecycle(hmp, VM, 'start');
  assert.equal((await state(hmp, VM))?.state, 'running', 'running by its HMP monitor');
  let t0 = performance.now();
  await until('the guest banner (acpid runs)', 240_000, async () => readFileSync(join(SANDBOX, 'qemu', VM, 'serial.log'), 'utf8').includes(`vsim-guest ${VM} ready`), 500);
  figures.bootMs = Math.round(performance.now() - t0);
  t0 = performance.now();
  await b.lifecycle(hmp, VM, 'shutdown');
  await stopped(hmp, 'QEMU to exit after system_powerdown over HMP');
  figures.hmpPowerdownMs = Math.round(performance.now() - t0);

  await b.lifecycle(hmp, VM, 'start');
  const p1 = await pid();
  assert.equal((await state(hmp, VM))?.state, 'running');
  await b.lifecycle(hmp, VM, 'destroy');
  await stopped(hmp, 'QEMU to exit after quit over HMP');
  assert.equal(existsSync(`/proc/${p1}/cmdline`) && readFileSync(`/proc/${p1}/cmdline`, 'utf8').includes(VM), false, 'the QEMU process is gone');

  await b.lifecycle(qmp, VM, 'start');
  const p2 = await pid();
  assert.notEqual(p2, p1);
  await b.lifecycle(qmp, VM, 'destroy');
  await stopped(qmp, 'QEMU to exit after quit over QMP');
  assert.equal(existsSync(`/proc/${p2}/cmdline`) && readFileSync(`/proc/${p2}/cmdline`, 'utf8').includes(VM), false, 'the QEMU process is gone');
  console.log(`# qemu monitors figures: ${JSON.stringify(figures)}`);
});
