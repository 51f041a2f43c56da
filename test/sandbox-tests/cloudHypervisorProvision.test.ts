// cloud-hypervisor bring-up against the sandbox: a node declared in a derived topology with its own
// API socket under the sandbox dir. inspect says missing → provision launches a VMM process with
// `cloud-hypervisor --api-socket path=…` (vsim-hv1 has no systemd: the setsid + pid-file path; the
// program on hv1's PATH is the launcher STAND-IN test/sandbox/stand-ins/cloud-hypervisor, which
// execs the REST API stand-in) → vm.create → lifecycle start (vm.boot) → running, spec as declared
// → snapshot / revert (vm.delete + vm.restore) → deprovision → socket and process gone.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCloudHypervisorBackend } from '../../src/backends/cloudHypervisor/backend';
import { declaredSpec } from '../../src/backends/cloudHypervisor/provisioner';
import { context, sandboxTopology, writeFigures } from './lab';
import { SANDBOX, sandboxEnv } from './sshRunner';

const envOrReason = sandboxEnv();
const skip = typeof envOrReason === 'string' ? envOrReason
  : !existsSync(join(SANDBOX, 'bin', 'cloud-hypervisor')) ? 'no cloud-hypervisor launcher stand-in in .sandbox/bin (run bash test/sandbox/sandbox.sh up)' : false;
if (skip) console.log(`# SKIP ob- cloud-hypervisor provision tests: ${skip}`);

const VM = 'ob-ch-1';
const SOCK = '/run/vsim-sandbox/ob/ch/ob-ch-1.sock';
const topo = sandboxTopology();
topo.vms = {
  ...topo.vms,
  [VM]: {
    host: 'vsim-hv1', backend: 'cloud-hypervisor', vcpus: 2, memory: '256MiB',
    boot: { kernel: '/run/vsim-sandbox/guest/vmlinuz', initrd: '/run/vsim-sandbox/guest/initramfs.gz', cmdline: 'console=hvc0 vsim.hostname=ob-ch-1' },
    nics: [{ network: 'aspen-br0', mac: '02:0B:00:00:00:01', tap: 'ob-tap0' }],
    sockets: { api: SOCK },
  },
};
const figures: Record<string, unknown> = {};
let ctx: ReturnType<typeof context>;
const b = createCloudHypervisorBackend();
const prov = b.provisioner;

/** The VMM pid recorded next to the socket, if its process is alive (not a zombie). */
function vmmPid(): number | undefined {
  const f = join(SANDBOX, 'ob', 'ch', `${VM}.sock.pid`);
  if (!existsSync(f)) return undefined;
  const pid = Number(readFileSync(f, 'utf8').trim());
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.split(') ')[1]?.startsWith('Z') ? undefined : pid;
  } catch {
    return undefined;
  }
}

before(async () => {
  if (skip || typeof envOrReason === 'string') return;
  ctx = context(envOrReason, topo, 'vsim-hv1');
  await prov?.deprovision(ctx, VM).catch(() => undefined); // a previous run's leftovers
});
after(async () => {
  if (skip) return;
  await prov?.deprovision(ctx, VM).catch(() => undefined);
  ctx.run.close();
  writeFigures('ob-cloud-hypervisor-provision', figures);
});

test('ob-ch: missing → provision launches the VMM (pid, socket) + vm.create → boot → running as declared → revert → deprovision → gone', { skip }, async () => {
  assert.ok(prov, 'cloud-hypervisor has a provisioner');
  let t0 = performance.now();
  const before = await prov.inspect(ctx, [VM, 'node-1']);
  figures.inspectMs = Math.round(performance.now() - t0);
  assert.deepEqual([before[VM]?.exists, before[VM]?.running, before[VM]?.detail], [false, false, 'no VMM: API socket absent']);
  assert.equal(before['node-1']?.exists, true, 'a ch-cluster node is seen in the same round trip');

  t0 = performance.now();
  await prov.provision(ctx, VM);
  figures.provisionMs = Math.round(performance.now() - t0);
  const pid = vmmPid();
  assert.ok(pid, 'the VMM process runs, with its pid file next to the socket');
  assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '), new RegExp(`cloud-hypervisor-stand-in\\.mjs --api-socket path=${SOCK.replace(/[/.]/g, '\\$&')}`));
  assert.ok(existsSync(join(SANDBOX, 'ob', 'ch', `${VM}.sock`)), 'API socket exists');

  const created = await prov.inspect(ctx, [VM]);
  assert.deepEqual([created[VM]?.exists, created[VM]?.running, created[VM]?.detail], [true, false, 'Created']);
  assert.deepEqual(created[VM]?.spec, declaredSpec(topo, VM), 'the VMM holds exactly the declared spec');
  assert.deepEqual(declaredSpec(topo, VM), {
    vcpus: '2', memory: '256 MiB', kernel: '/run/vsim-sandbox/guest/vmlinuz', initrd: '/run/vsim-sandbox/guest/initramfs.gz',
    cmdline: 'console=hvc0 vsim.hostname=ob-ch-1', 'nics[0].tap': 'ob-tap0', 'nics[0].mac': '02:0b:00:00:00:01',
  });

  // Idempotent: a second provision leaves the same process and VM.
  await prov.provision(ctx, VM);
  assert.equal(vmmPid(), pid, 'same VMM');

  await b.lifecycle(ctx, VM, 'start');
  const running = await prov.inspect(ctx, [VM]);
  assert.deepEqual([running[VM]?.exists, running[VM]?.running, running[VM]?.detail], [true, true, 'Running']);
  assert.equal((await b.list(ctx, [VM])).vms[VM]?.state, 'running');

  // Snapshot then revert: vm.restore needs an empty VMM, so revert deletes the VM first (issue 20 item 11).
  assert.ok(b.snapshots);
  await b.snapshots.create(ctx, VM, 'ob-s1', { running: true });
  assert.deepEqual(await b.snapshots.list(ctx, VM), ['ob-s1']);
  await b.snapshots.revert(ctx, VM, 'ob-s1', { running: true });
  assert.equal((await b.list(ctx, [VM])).vms[VM]?.state, 'running', 'restored and resumed');
  await b.snapshots.delete(ctx, VM, 'ob-s1');
  assert.deepEqual(await b.snapshots.list(ctx, VM), []);

  // A running VM with another declared memory: provision refuses to touch it.
  const changed = structuredClone(topo);
  const cvm = changed.vms?.[VM];
  if (cvm) cvm.memory = '384MiB';
  await assert.rejects(prov.provision({ ...ctx, topology: changed }, VM), /runs with another configuration/);

  t0 = performance.now();
  await b.lifecycle(ctx, VM, 'destroy'); // vm.shutdown: back to Created
  // Not running: provision redefines it (vm.delete + vm.create) with the new memory.
  await prov.provision({ ...ctx, topology: changed }, VM);
  assert.equal((await prov.inspect({ ...ctx, topology: changed }, [VM]))[VM]?.spec?.memory, '384 MiB');

  await prov.deprovision(ctx, VM);
  figures.deprovisionMs = Math.round(performance.now() - t0);
  assert.equal(vmmPid(), undefined, 'VMM process gone');
  assert.ok(!existsSync(`/proc/${pid}/cmdline`) || readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.startsWith('Z'), 'the pid is gone (or a zombie awaiting its reaper)');
  assert.ok(!existsSync(join(SANDBOX, 'ob', 'ch', `${VM}.sock`)), 'socket gone');
  const gone = await prov.inspect(ctx, [VM]);
  assert.deepEqual([gone[VM]?.exists, gone[VM]?.running], [false, false]);
  // Deprovision of nothing is harmless.
  await prov.deprovision(ctx, VM);
  console.log(`# ob-ch figures: ${JSON.stringify(figures)}`);
});

test('ob-ch: provision on a host without cloud-hypervisor says so (exit 127 → the message)', { skip }, async () => {
  assert.ok(prov);
  // vsim-hv2 has no cloud-hypervisor on its PATH.
  const t2 = structuredClone(topo);
  const v = t2.vms?.[VM];
  if (v) v.host = 'vsim-hv2';
  if (typeof envOrReason === 'string') return;
  const c2 = context(envOrReason, t2, 'vsim-hv2');
  try {
    await assert.rejects(prov.provision(c2, VM), /cloud-hypervisor is not installed on this host/);
  } finally {
    c2.run.close();
  }
});
