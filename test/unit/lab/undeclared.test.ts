// VMs a host has that the file does not declare: driven by name through the backend's
// `undeclared` capability (never without it), discovered on a host the file has no VM of, and
// listed in natural order for the tree.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, type LabDeps } from '../../../src/lab/lab';
import { naturalCompare, undeclaredIndex, type HostLive } from '../../../src/lab/hostState';
import { mustRun, type CommandRunner, type VmBackend } from '../../../src/backends/backend';
import type { Topology } from '../../../src/model/types';
import { fakeRunner } from '../fakes/runner';

function backend(kind: 'libvirt' | 'qemu', undeclared: boolean): VmBackend {
  return {
    kind,
    tool: kind === 'libvirt' ? 'virsh' : 'qemu',
    async list(ctx, names) {
      const r = await mustRun(ctx, [this.tool, 'list']);
      const all = r.stdout.split('\n').filter(Boolean);
      return {
        vms: Object.fromEntries(names.map((n) => [n, { state: all.includes(n) ? 'running' as const : 'missing' as const }])),
        undeclared: all.filter((n) => !names.includes(n)).map((name) => ({ name, status: { state: 'stopped' as const, detail: 'shut off' } })),
      };
    },
    async lifecycle(ctx, vm, op) {
      await mustRun(ctx, [this.tool, op, vm]);
    },
    ...(undeclared ? { undeclared: { read: async () => ({}) } } : {}),
  };
}

const topo: Topology = { version: 1, hosts: { h1: { address: 'x' }, h2: { address: 'y' } }, vms: { web: { host: 'h1', backend: 'libvirt' }, qm: { host: 'h1', backend: 'qemu' } } };
const deps = (run: CommandRunner, withCapability = true): LabDeps => ({
  runnerFor: async () => run, trusted: () => true,
  backends: { libvirt: backend('libvirt', withCapability), qemu: backend('qemu', false) },
});

test('an undeclared VM is started by name through its backend, queued, and its host re-listed', async () => {
  const run = fakeRunner((argv) => ({ stdout: argv[1] !== 'list' ? '' : argv[0] === 'qemu' ? 'qm\n' : 'web\nstray-1\n' }));
  const lab = new Lab(topo, deps(run));
  await lab.refresh('h1');
  assert.deepEqual(lab.host('h1').undeclared.map((u) => [u.name, u.backend]), [['stray-1', 'libvirt']]);
  assert.equal(lab.status('stray-1', 'h1')?.detail, 'shut off');
  assert.equal(lab.vmRef('stray-1', 'h1').declared, false);
  run.calls.length = 0;
  await lab.lifecycle('stray-1', 'start', 'h1');
  assert.deepEqual(run.calls.map((c) => c.join(' ')), ['virsh start stray-1', 'virsh list', 'qemu list']);
  // Without a host it is looked up in the file, where it is not.
  await assert.rejects(lab.lifecycle('stray-1', 'start'), /No VM named stray-1 in this topology/);
  await assert.rejects(lab.lifecycle('ghost', 'start', 'h1'), /neither in this topology nor listed on h1/);
});

test('a backend without the `undeclared` capability never drives a VM the file does not declare', async () => {
  const run = fakeRunner((argv) => ({ stdout: argv[1] === 'list' ? 'web\nstray\n' : '' }));
  const lab = new Lab(topo, deps(run, false));
  await lab.refresh('h1');
  run.calls.length = 0;
  await assert.rejects(lab.lifecycle('stray', 'start', 'h1'), /cannot drive libvirt VMs that are not in the file/);
  assert.deepEqual(run.calls, [], 'nothing ran');
  assert.equal(lab.backendOf('stray', 'h1'), undefined);
});

test('discovery: a host the file has no VM on is listed by every backend with the capability; VMs declared anywhere are left out', async () => {
  const run = fakeRunner((argv) => ({ stdout: argv[1] === 'list' ? 'web\nnew-a\nnew-b\n' : '' }));
  const lab = new Lab(topo, deps(run));
  const d = await lab.discoverUndeclared('h2');
  assert.deepEqual(d.found.map((f) => [f.name, f.backend]), [['new-a', 'libvirt'], ['new-b', 'libvirt']]);
  assert.deepEqual(run.calls.map((c) => c.join(' ')), ['virsh list'], 'only the backend that can drive them');
  const failing = new Lab(topo, deps(fakeRunner(() => ({ code: 127, stderr: 'virsh: not found' }))));
  const f = await failing.discoverUndeclared('h2');
  assert.deepEqual(f.found, []);
  assert.match(f.notes[0] ?? '', /^libvirt: could not list h2/);
});

test('the tree\'s order: natural by name (vm-2 before vm-10, case folded), computed once per listing', () => {
  const names = ['vm-10', 'VM-3', 'vm-2', 'alpha', 'vm-1', 'Beta', 'vm-20', 'vm-100'];
  const h: HostLive = { connection: { kind: 'connected' }, vms: {}, undeclared: names.map((name) => ({ name, backend: 'libvirt', status: { state: 'stopped' } })) };
  const idx = undeclaredIndex(h);
  assert.deepEqual(idx.rows.map((u) => u.name), ['alpha', 'Beta', 'vm-1', 'vm-2', 'VM-3', 'vm-10', 'vm-20', 'vm-100']);
  assert.equal(undeclaredIndex(h), idx, 'the same listing: the same index');
  assert.equal(idx.byName.get('vm-20')?.name, 'vm-20');
  assert.equal(naturalCompare('a', 'A') !== 0, true, 'a total order: names differing in case do not tie');
});
