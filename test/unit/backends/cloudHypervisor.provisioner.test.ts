// cloud-hypervisor provisioner: spec fields from a vm.create body / vm.info config, what inspect
// says per answer, one round trip for every socket, provision's order (start VMM, vm.info,
// vm.create; redefine = vm.delete + vm.create), deprovision's script and the snapshot capability.
// The VMM start / stop scripts are also run for real (sh, curl, the REST API stand-in) on this machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { chSnapshotDir, createCloudHypervisorBackend } from '../../../src/backends/cloudHypervisor/backend';
import { declaredSpec, inspectedFrom, specFromConfig, START_VMM_SCRIPT, STOP_VMM_SCRIPT, vmmUnit } from '../../../src/backends/cloudHypervisor/provisioner';
import { vmConfig } from '../../../src/backends/cloudHypervisor/apiRequests';
import type { Topology } from '../../../src/model/types';
import { ctxFor, fakeRunner, localRunner, unmarked } from '../fakes/runner';

const topo: Topology = {
  version: 1,
  hosts: { aspen: { address: 'x' } },
  vms: {
    n1: {
      host: 'aspen', backend: 'cloud-hypervisor', vcpus: 2, memory: '1GiB',
      boot: { kernel: '/k/vmlinuz', initrd: '/k/initrd', cmdline: 'console=hvc0' },
      disks: [{ path: '/d/n1.raw' }],
      nics: [{ network: 'br', mac: '02:AA:00:00:00:01', tap: 'tap1' }, { network: 'br' }],
      sockets: { api: '/run/ch/n1.sock' },
    },
    n2: { host: 'aspen', backend: 'cloud-hypervisor', sockets: { api: '/run/ch/n2.sock' }, nics: [{ network: 'br', tap: 't2' }] },
  },
} as Topology;

test('declaredSpec: the vm.create body\'s fields; a NIC without mac/tap declares nothing; no boot → no payload fields', () => {
  assert.deepEqual(declaredSpec(topo, 'n1'), {
    vcpus: '2', memory: '1024 MiB', kernel: '/k/vmlinuz', initrd: '/k/initrd', cmdline: 'console=hvc0',
    'disks[0].path': '/d/n1.raw', 'nics[0].tap': 'tap1', 'nics[0].mac': '02:aa:00:00:00:01',
  });
  assert.deepEqual(declaredSpec(topo, 'n2'), { vcpus: '1', memory: '512 MiB', 'nics[0].tap': 't2' });
  assert.deepEqual(specFromConfig(vmConfig(topo, 'n1')), declaredSpec(topo, 'n1'), 'one source: the vm.create body');
});

test('inspectedFrom: absent / unreachable / 404 → missing; 200 → exists, running for Running and Paused, spec from config', () => {
  assert.deepEqual(inspectedFrom({ kind: 'absent' }), { exists: false, running: false, detail: 'no VMM: API socket absent' });
  assert.match(inspectedFrom({ kind: 'unreachable', curlExit: 7 }).detail ?? '', /curl exit 7/);
  assert.deepEqual(inspectedFrom({ kind: 'http', status: 404, body: '["VM is not created"]' }), { exists: false, running: false, detail: 'VMM up, VM not created' });
  const cfg = { cpus: { boot_vcpus: 2 }, memory: { size: 268435456 }, payload: { kernel: '/k' }, net: [{ tap: 't', mac: '52:54:00:12:34:56', id: '_net0' }] };
  for (const [state, running] of [['Created', false], ['Running', true], ['Paused', true], ['Shutdown', false]] as const) {
    const i = inspectedFrom({ kind: 'http', status: 200, body: JSON.stringify({ state, config: cfg }) });
    assert.deepEqual([i.exists, i.running, i.detail], [true, running, state]);
    assert.deepEqual(i.spec, { vcpus: '2', memory: '256 MiB', kernel: '/k', 'nics[0].tap': 't', 'nics[0].mac': '52:54:00:12:34:56' });
  }
  assert.match(inspectedFrom({ kind: 'http', status: 500, body: '["Error from API","boom"]' }).detail ?? '', /HTTP 500: Error from API: boom/);
});

test('inspect: ONE exec for every socket; provision: start VMM, vm.info, vm.create with the body; redefine when stopped; refuse when running', async () => {
  const info = (state: string, mem: number) => JSON.stringify({ state, config: { ...vmConfig(topo, 'n1'), memory: { size: mem } } });
  let infoAnswer: string | undefined;
  const run = fakeRunner((argv) => {
    const path = argv[5];
    if (unmarked(argv[2]) === START_VMM_SCRIPT) return { stdout: '@@vsim pid 42\n@@vsim ready\n' };
    if (path === 'vm.info') {
      return { stdout: infoAnswer === undefined ? '@@vsim sock /run/ch/n1.sock\n["VM is not created"]\n404\n@@vsim rc 0\n' : `@@vsim sock /run/ch/n1.sock\n${infoAnswer}\n200\n@@vsim rc 0\n` };
    }
    return { stdout: '@@vsim sock /run/ch/n1.sock\n\n204\n@@vsim rc 0\n' };
  });
  const b = createCloudHypervisorBackend();
  const ctx = ctxFor(topo, 'aspen', run);
  const prov = b.provisioner;
  assert.ok(prov);
  await prov.inspect(ctx, ['n1', 'n2']);
  assert.equal(run.calls.length, 1);
  assert.deepEqual(run.calls[0]?.slice(4), ['GET', 'vm.info', '', '/run/ch/n1.sock', '/run/ch/n2.sock']);

  run.calls.length = 0;
  await prov.provision(ctx, 'n1');
  assert.deepEqual(run.calls[0]?.slice(3), ['vsim', '/run/ch/n1.sock', 'vsim-ch-n1']);
  assert.deepEqual(run.calls.slice(1).map((c) => c[5]), ['vm.info', 'vm.create']);
  assert.deepEqual(JSON.parse(run.calls[2]?.[6] ?? ''), vmConfig(topo, 'n1'));

  run.calls.length = 0;
  infoAnswer = info('Created', 1024 * 1048576);
  await prov.provision(ctx, 'n1');
  assert.deepEqual(run.calls.slice(1).map((c) => c[5]), ['vm.info'], 'as declared: nothing to do');

  run.calls.length = 0;
  infoAnswer = info('Shutdown', 512 * 1048576);
  await prov.provision(ctx, 'n1');
  assert.deepEqual(run.calls.slice(1).map((c) => c[5]), ['vm.info', 'vm.delete', 'vm.create'], 'stopped + differs: redefined');

  infoAnswer = info('Running', 512 * 1048576);
  await assert.rejects(prov.provision(ctx, 'n1'), /n1 on aspen runs with another configuration/);

  run.calls.length = 0;
  await prov.deprovision(ctx, 'n1');
  assert.equal(unmarked(run.calls[0]?.[2]), STOP_VMM_SCRIPT);
  assert.deepEqual(run.calls[0]?.slice(3), ['vsim', '/run/ch/n1.sock', 'vsim-ch-n1']);
  assert.equal(vmmUnit('n1'), 'vsim-ch-n1');
  assert.throws(() => vmmUnit('a;b'), /Invalid/);
});

test('snapshots capability: directory next to the API socket; create pauses a running VM and resumes; revert deletes first', async () => {
  assert.equal(chSnapshotDir(topo, 'n1', 's1'), '/run/ch/snapshots/n1/s1');
  assert.throws(() => chSnapshotDir(topo, 'n1', '../x'), /Invalid/);
  const run = fakeRunner((argv) => ({ stdout: argv[0] === 'sh' && argv[2]?.startsWith('ls') ? 's1\nbad name\ns2\n' : '@@vsim sock /run/ch/n1.sock\n\n204\n@@vsim rc 0\n' }));
  const b = createCloudHypervisorBackend();
  const ctx = ctxFor(topo, 'aspen', run);
  assert.ok(b.snapshots);
  assert.deepEqual(await b.snapshots.list(ctx, 'n1'), ['s1', 's2']);
  run.calls.length = 0;
  await b.snapshots.create(ctx, 'n1', 's3', { running: true });
  assert.deepEqual(run.calls.map((c) => c[0] === 'mkdir' ? c.join(' ') : c[5]), ['mkdir -p -- /run/ch/snapshots/n1/s3', 'vm.pause', 'vm.snapshot', 'vm.resume']);
  run.calls.length = 0;
  await b.snapshots.revert(ctx, 'n1', 's3', { running: false });
  assert.deepEqual(run.calls.map((c) => [c[5], c[6]]), [['vm.delete', ''], ['vm.restore', '{"source_url":"file:///run/ch/snapshots/n1/s3"}']]);
  assert.match(b.snapshots.revertDetail(topo, 'n1', 's3'), /vm\.delete/);
});

test('START_VMM_SCRIPT / STOP_VMM_SCRIPT for real: sh + curl + the REST API stand-in as `cloud-hypervisor` on PATH (no systemd here: pid file)', async (t) => {
  if (existsSync('/run/systemd/system')) return t.skip('this machine runs systemd: the script would use systemd-run');
  const repo = resolve(__dirname, '../../..');
  const dir = join(repo, '.sandbox', 'unit-ch');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(join(dir, 'bin'), { recursive: true });
  symlinkSync(join(repo, 'test/sandbox/stand-ins/cloud-hypervisor'), join(dir, 'bin', 'cloud-hypervisor'));
  const sock = join(dir, 'vmm', 'u1.sock');
  const run = localRunner({ PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}` });
  const r = await run.exec(['sh', '-c', START_VMM_SCRIPT, 'vsim', sock, 'vsim-ch-u1']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /@@vsim pid (\d+)\n@@vsim ready/);
  const pid = Number(/@@vsim pid (\d+)/.exec(r.stdout)?.[1]);
  assert.match(readFileSync(`/proc/${pid}/cmdline`, 'utf8'), /cloud-hypervisor-stand-in\.mjs\0--api-socket\0path=/);
  const again = await run.exec(['sh', '-c', START_VMM_SCRIPT, 'vsim', sock, 'vsim-ch-u1']);
  assert.match(again.stdout, /@@vsim vmm already/);
  const stop = await run.exec(['sh', '-c', STOP_VMM_SCRIPT, 'vsim', sock, 'vsim-ch-u1']);
  assert.equal(stop.code, 0, stop.stderr);
  assert.ok(!existsSync(sock) && !existsSync(`${sock}.pid`), 'socket and pid file removed');
  const missing = await localRunner({ PATH: '/usr/bin:/bin' }).exec(['sh', '-c', START_VMM_SCRIPT, 'vsim', sock, 'vsim-ch-u1']);
  assert.equal(missing.code, 127);
  assert.match(missing.stderr, /cloud-hypervisor is not installed on this host/);
  rmSync(dir, { recursive: true, force: true });
});
