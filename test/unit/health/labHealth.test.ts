import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab } from '../../../src/lab/lab';
import type { BackendContext, HostListing, VmBackend } from '../../../src/backends/backend';
import { mustProbe, runProbe, type Probe } from '../../../src/backends/probe';
import { healthProbe } from '../../../src/health/probe';
import type { Topology } from '../../../src/model/types';
import { fakeRunner } from '../fakes/runner';

const t: Topology = { version: 1, hosts: { h1: { address: 'x', services: ['k3s'] } }, vms: { a: { host: 'h1', backend: 'libvirt' } } } as Topology;

/** Lists in the refresh's round trip (listProbe): `virsh list`, every VM running. */
const listing = (ctx: BackendContext, names: readonly string[]): Probe<HostListing> =>
  mustProbe(ctx, 'libvirt listing', ['virsh', 'list'], () => ({ vms: Object.fromEntries(names.map((n) => [n, { state: 'running' as const }])), undeclared: [] }));

const libvirt: VmBackend = {
  kind: 'libvirt', tool: 'virsh',
  list: async (ctx, names) => runProbe(ctx, listing(ctx, names)),
  listProbe: listing,
  async lifecycle() {},
};

/** `systemctl show` blocks for the probe's units, k3s failed, the rest not found (as a host without them prints). */
function show(argv: readonly string[], k3s: string): string {
  const units = argv.slice(5);
  return `@@vsim units\n${units.map((u) => (u === 'k3s.service'
    ? `Id=k3s.service\nDescription=k3s\nLoadState=loaded\nActiveState=${k3s}\nSubState=${k3s === 'failed' ? 'failed' : 'running'}\nResult=${k3s === 'failed' ? 'exit-code' : 'success'}\nMainPID=0\nStateChangeTimestamp=@1765068578\n`
    : `Id=${u}\nDescription=${u}\nLoadState=not-found\nActiveState=inactive\nSubState=dead\nResult=success\nMainPID=0\nStateChangeTimestamp=\n`)).join('\n')}@@vsim units-rc 0\n`;
}

test('a refresh reads the Services with the listing (in its one round trip), and a change of a unit is a change of the host', async () => {
  let k3s = 'failed';
  const run = fakeRunner((argv) => (argv[0] === 'sh' ? { stdout: show(argv, k3s) } : { stdout: 'a\n' }));
  const lab = new Lab(t, { runnerFor: async () => run, backends: { libvirt }, trusted: () => true, health: healthProbe });
  let changes = 0;
  lab.onDidChange(() => changes++);
  await lab.refresh('h1');
  assert.equal(run.trips, 1, 'the listing and the probe in one round trip');
  assert.deepEqual(run.calls.map((c) => c[0]), ['virsh', 'sh'], 'the listing and the probe');
  const s = lab.host('h1').health?.services;
  assert.equal(s?.kind, 'ok');
  assert.deepEqual(s?.kind === 'ok' ? s.units.map((u) => [u.unit, u.active, u.result]) : [], [['k3s.service', 'failed', 'exit-code']]);
  assert.equal(s?.kind === 'ok' ? s.notInstalled.length : 0, 8);
  const before = changes;
  await lab.refresh('h1');
  assert.equal(changes, before, 'the same state again is no change (the probe time does not count)');
  k3s = 'active';
  await lab.refresh('h1');
  assert.equal(changes, before + 1);
  lab.dispose();
});

test('a probe that fails leaves the host connected with the Services error; without a probe nothing more runs', async () => {
  const run = fakeRunner((argv) => (argv[0] === 'sh' ? { code: 1, stderr: 'sh: broken\n' } : { stdout: 'a\n' }));
  const lab = new Lab(t, { runnerFor: async () => run, backends: { libvirt }, trusted: () => true, health: healthProbe });
  await lab.refresh('h1');
  assert.equal(lab.host('h1').connection.kind, 'connected');
  assert.deepEqual(lab.host('h1').health?.services, { kind: 'error', message: 'the health probe on h1 exited 1: sh: broken' });
  const thrown = new Lab(t, { runnerFor: async () => run, backends: { libvirt }, trusted: () => true, health: () => ({ label: 'Services probe', argv: ['true'], parse: () => { throw new Error('boom'); } }) });
  await thrown.refresh('h1');
  assert.equal(thrown.host('h1').connection.kind, 'connected');
  assert.deepEqual(thrown.host('h1').health?.services, { kind: 'error', message: 'boom' });
  const plain = fakeRunner(() => ({ stdout: 'a\n' }));
  const none = new Lab(t, { runnerFor: async () => plain, backends: { libvirt }, trusted: () => true });
  await none.refresh('h1');
  assert.equal(plain.calls.length, 1);
  assert.equal(none.host('h1').health, undefined);
  for (const l of [lab, thrown, none]) l.dispose();
});
