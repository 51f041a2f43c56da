// The Lab's network probe: part of the round trip of each refresh of a host with declared networks
// (none without), its facts kept with the host, a failed probe a note on the host — never a failed refresh.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lab } from '../../../src/lab/lab';
import type { BackendContext, HostListing, VmBackend } from '../../../src/backends/backend';
import { mustProbe, runProbe, type Probe } from '../../../src/backends/probe';
import type { Topology } from '../../../src/model/types';
import { fakeRunner } from '../fakes/runner';

// Captured from a real dnsmasq + udhcpc (test/fixtures/hostnet/), its run mark undone.
const PROBE = readFileSync(join(__dirname, '../../fixtures/hostnet/probe-ok.txt'), 'utf8').split('\n').slice(1).join('\n').replace(/^@@vsim\.[0-9a-f]{32} /gm, '@@vsim ');

/** Lists in the refresh's round trip (listProbe): `virsh list`, every VM running. */
const listing = (ctx: BackendContext, names: readonly string[]): Probe<HostListing> =>
  mustProbe(ctx, 'libvirt listing', ['virsh', 'list'], () => ({ vms: Object.fromEntries(names.map((n) => [n, { state: 'running' as const }])), undeclared: [] }));

const libvirt: VmBackend = {
  kind: 'libvirt', tool: 'virsh',
  list: async (ctx, names) => runProbe(ctx, listing(ctx, names)),
  listProbe: listing,
  async lifecycle() { /* not used */ },
};

const topo = (networks: boolean): Topology => ({
  version: 1, hosts: { h: { address: 'x' } },
  ...(networks ? { networks: { lan: { host: 'h', bridge: 'br0', subnet: '10.9.0.0/24' } } } : {}),
  vms: { guest1: { host: 'h', backend: 'libvirt', nics: [{ network: 'lan', mac: '52:54:00:aa:bb:01' }] } },
} as Topology);

test('a host with networks: listing + one probe in one round trip; its facts kept with the host', async () => {
  const r = fakeRunner((argv) => (argv[0] === 'sh' ? { stdout: PROBE } : { stdout: 'guest1\n' }));
  const lab = new Lab(topo(true), { runnerFor: async () => r, backends: { libvirt }, trusted: () => true, probeNetworks: true });
  await lab.refresh('h');
  assert.deepEqual(r.calls.map((c) => c[0]), ['virsh', 'sh'], 'the listing and the network probe');
  assert.equal(r.trips, 1, 'in one round trip');
  assert.equal(lab.roundTrips.get('h'), 1, 'one round trip counted');
  assert.equal(lab.netRoundTrips.get('h'), 1, 'one network probe');
  const net = lab.host('h').net;
  assert.ok(net && 'facts' in net, JSON.stringify(net));
  assert.equal(net.facts.leaseFiles[0]?.leases[0]?.ip, '10.9.0.10');
});

test('no networks declared, or probing off: no probe at all', async () => {
  for (const [networks, probe] of [[false, true], [true, false]] as const) {
    const r = fakeRunner(() => ({ stdout: '' }));
    const lab = new Lab(topo(networks), { runnerFor: async () => r, backends: { libvirt }, trusted: () => true, probeNetworks: probe });
    await lab.refresh('h');
    assert.deepEqual(r.calls.map((c) => c[0]), ['virsh']);
    assert.equal(lab.host('h').net, undefined);
  }
});

test('a failing probe is a note on a connected host, not a failed refresh', async () => {
  const r = fakeRunner((argv) => (argv[0] === 'sh' ? { code: 2, stderr: 'sh: 1: ip: Permission denied\n' } : { stdout: '' }));
  const lab = new Lab(topo(true), { runnerFor: async () => r, backends: { libvirt }, trusted: () => true, probeNetworks: true });
  await lab.refresh('h');
  assert.equal(lab.host('h').connection.kind, 'connected');
  const net = lab.host('h').net;
  assert.ok(net && 'error' in net);
  assert.equal(net.error, 'network probe on h failed (exit 2): sh: 1: ip: Permission denied');
});
