// One round trip per host per refresh: the real libvirt and microvm backends' listings, the
// Services probe and the network probe of a host go to it in ONE exec (src/backends/batch.ts), each
// parser reading its own part; one part failing spoils only its own answer.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab } from '../../../src/lab/lab';
import { createLibvirtBackend } from '../../../src/backends/libvirt/backend';
import { createMicrovmBackend } from '../../../src/backends/microvm/backend';
import { healthProbe } from '../../../src/health/probe';
import type { VmBackend } from '../../../src/backends/backend';
import type { Topology } from '../../../src/model/types';
import { fakeRunner, type Answer } from '../fakes/runner';

const t = {
  version: 1, hosts: { h: { address: 'x' } },
  networks: { lan: { host: 'h', bridge: 'br0' } },
  vms: { a: { host: 'h', backend: 'libvirt' }, s1: { host: 'h', backend: 'microvm' } },
} as unknown as Topology;
const backends = { libvirt: createLibvirtBackend(), microvm: createMicrovmBackend() };

const DOMSTATS = "Domain: 'a'\n  state.state=1\n  state.reason=1\n";
const MICROVM = '@@vsim units\nId=microvm@s1.service\nLoadState=loaded\nActiveState=active\nSubState=running\nMainPID=7\nResult=success\n@@vsim units-rc 0\n@@vsim vm-state-absent\n@@vsim links\ns1\t/nix/store/x-run\t/nix/store/x-run\n';
const UNITS = (argv: readonly string[]): string => `@@vsim units\n${argv.slice(5).map((u) => `Id=${u}\nLoadState=loaded\nActiveState=active\nSubState=running\nResult=success\nMainPID=1\nStateChangeTimestamp=@1765068578\n`).join('\n')}@@vsim units-rc 0\n@@vsim zfs-absent\n`;
const NET = '@@vsim tools\nip\n@@vsim links\n[{"ifname":"br0","operstate":"UP","stats64":{"rx":{"bytes":1},"tx":{"bytes":2}}}]\n@@vsim addrs\n[]\n@@vsim ports\n[]\n@@vsim neigh\n[]\n';

/** Which part an argv is: the libvirt listing, microvm's list script, the Services probe, the network probe. */
function part(argv: readonly string[]): 'virsh' | 'microvm' | 'services' | 'net' {
  if (argv[0] === 'virsh') return 'virsh';
  const script = argv[2] ?? '';
  return script.includes('microvm@') ? 'microvm' : script.includes('systemctl show --timestamp') ? 'services' : 'net';
}

function host(answers: Partial<Record<ReturnType<typeof part>, Answer>> = {}) {
  const ok: Record<ReturnType<typeof part>, (argv: readonly string[]) => Answer> = {
    virsh: () => ({ stdout: DOMSTATS }), microvm: () => ({ stdout: MICROVM }), services: (argv) => ({ stdout: UNITS(argv) }), net: () => ({ stdout: NET }),
  };
  const run = fakeRunner((argv) => answers[part(argv)] ?? ok[part(argv)](argv));
  const lab = new Lab(t, { runnerFor: async () => run, backends, trusted: () => true, health: healthProbe, probeNetworks: true });
  return { run, lab };
}

test('two backends, Services and networks: one exec per refresh, every part read', async () => {
  const { run, lab } = host();
  await lab.refresh('h');
  await lab.refresh('h');
  assert.equal(run.trips, 2, 'one round trip per refresh');
  assert.deepEqual(lab.roundTrips.get('h'), 2);
  assert.deepEqual(run.calls.slice(0, 4).map(part), ['virsh', 'microvm', 'services', 'net']);
  const h = lab.host('h');
  assert.equal(h.connection.kind, 'connected');
  assert.deepEqual([h.vms.a?.state, h.vms.s1?.state], ['running', 'running']);
  assert.equal(h.health?.services.kind, 'ok');
  assert.equal(h.health?.zfs?.kind, 'absent');
  assert.ok(h.net && 'facts' in h.net && h.net.facts.links.some((l) => l.name === 'br0' && l.rx?.bytes === 1), JSON.stringify(h.net));
  lab.dispose();
});

test('a listing that fails names its command; the Services and networks of the same round trip are kept', async () => {
  const { run, lab } = host({ virsh: { code: 1, stderr: 'error: failed to connect to the hypervisor\n' } });
  await lab.refresh('h');
  assert.equal(run.trips, 1);
  const h = lab.host('h');
  assert.equal(h.connection.kind, 'error');
  assert.match(h.connection.kind === 'error' ? h.connection.message : '', /^virsh .*domstats --state on h failed \(exit 1\): error: failed to connect to the hypervisor$/);
  assert.equal(h.health?.services.kind, 'ok', 'the Services probe still read');
  assert.ok(h.net && 'facts' in h.net, 'the network probe still read');
  lab.dispose();
});

test('a tool missing in one part: that backend is "missing TOOL"; a broken probe is its own note, the listings stand', async () => {
  const missing = host({ microvm: { code: 127, stderr: 'sh: 1: systemctl: not found' } });
  await missing.lab.refresh('h');
  assert.deepEqual(missing.lab.host('h').connection, { kind: 'missing-tool', tool: 'systemctl', message: 'systemctl is not installed on h (needed for microvm VMs).' });
  const broken = host({ net: { code: 2, stderr: 'sh: ip: Permission denied' }, services: { stdout: 'garbage' } });
  await broken.lab.refresh('h');
  const h = broken.lab.host('h');
  assert.equal(h.connection.kind, 'connected');
  assert.deepEqual([h.vms.a?.state, h.vms.s1?.state], ['running', 'running']);
  assert.ok(h.net && 'error' in h.net && /network probe on h failed \(exit 2\)/.test(h.net.error), JSON.stringify(h.net));
  assert.equal(h.health?.services.kind, 'error');
  for (const l of [missing.lab, broken.lab]) l.dispose();
});

test('a backend without a listing probe lists in a round trip of its own; the rest stays one', async () => {
  const plain: VmBackend = { kind: 'microvm', tool: 'systemctl', list: backends.microvm.list.bind(backends.microvm), lifecycle: async () => undefined };
  const run = fakeRunner((argv) => (part(argv) === 'virsh' ? { stdout: DOMSTATS } : part(argv) === 'microvm' ? { stdout: MICROVM } : { stdout: '' }));
  const lab = new Lab(t, { runnerFor: async () => run, backends: { libvirt: backends.libvirt, microvm: plain }, trusted: () => true });
  await lab.refresh('h');
  assert.equal(run.trips, 2, 'the batch (libvirt) and microvm\'s own list');
  assert.equal(lab.roundTrips.get('h'), 2);
  assert.deepEqual([lab.host('h').vms.a?.state, lab.host('h').vms.s1?.state], ['running', 'running']);
  lab.dispose();
});
