import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { VmSpec } from '../../../src/backends/backend';
import type { Topology } from '../../../src/model/types';
import { applyPlan, describeChange, destroyLab, downLab, driftCount, planLab, upLab, type Change } from '../../../src/plan';
import { startedVms, startItemId } from '../../../src/plan/lifecycle';
import { depsFor, fakeBackend, fakeHost, type FakeVm } from './fakes';

function topo(n = 3, extra: Partial<Topology> = {}): Topology {
  const vms: NonNullable<Topology['vms']> = {};
  for (let i = 1; i <= n; i++) vms[`vm${i}`] = { host: 'hv', backend: 'libvirt', nics: [{ network: 'lan' }] };
  return { version: 1, hosts: { hv: { address: 'x' } }, networks: { lan: { host: 'hv', bridge: 'br0', subnet: '10.0.0.0/24', gateway: '10.0.0.1', nat: true } }, vms, ...extra };
}
const spec = (mem: string, mac = '52:54:00:00:00:01'): VmSpec => ({ memory: mem, 'nics[0].mac': mac });
const declaredOf = (t: Topology): Record<string, VmSpec> => Object.fromEntries(Object.keys(t.vms ?? {}).map((n) => [n, spec('128MiB')]));
const tools = ['virsh', 'ip', 'iptables'];

test('plan: network and VMs missing, an undeclared VM listed (never applicable); two round trips for the host', async () => {
  const t = topo(2);
  const host = fakeHost({ tools });
  const vms = new Map<string, FakeVm>([['stray', { spec: {}, running: true }]]);
  const plan = await planLab({ topology: t }, depsFor({ hv: host }, fakeBackend(declaredOf(t), vms)));
  const h = plan.hosts[0];
  assert.equal(h?.roundTrips, 2);
  assert.deepEqual(h?.changes.map((c) => `${c.kind} ${c.id}`), ['network-missing hv/network/lan', 'vm-missing hv/vm/vm1', 'vm-missing hv/vm/vm2', 'vm-undeclared hv/undeclared/stray']);
  assert.equal(driftCount(plan), 3);
  assert.deepEqual(plan.hosts[0]?.changes.map(describeChange), [
    '+ network lan: bridge br0 missing on hv, will be created',
    '+ vm1: libvirt VM missing on hv, will be created',
    '+ vm2: libvirt VM missing on hv, will be created',
    '? stray: libvirt VM on hv not in the file (running), left alone',
  ]);
});

test('apply: network steps from src/deploy, then VMs; applying twice leaves an empty plan; the undeclared VM is untouched', async () => {
  const t = topo(2);
  const host = fakeHost({ tools });
  const vms = new Map<string, FakeVm>([['stray', { spec: { memory: '1MiB' }, running: true }]]);
  const backend = fakeBackend(declaredOf(t), vms);
  const deps = depsFor({ hv: host }, backend);
  const r = await applyPlan(await planLab({ topology: t }, deps), 'all', { topology: t }, deps);
  assert.deepEqual(r.failed, []);
  assert.deepEqual(r.done.sort(), ['hv/network/lan', 'hv/vm/vm1', 'hv/vm/vm2']);
  assert.ok(host.calls.some((c) => c.join(' ') === 'ip link add name br0 type bridge'));
  assert.ok(host.calls.some((c) => c.join(' ') === 'iptables -t nat -A POSTROUTING -s 10.0.0.0/24 ! -d 10.0.0.0/24 -j MASQUERADE'));
  const again = await planLab({ topology: t }, deps);
  assert.equal(driftCount(again), 0);
  const second = await applyPlan(again, 'all', { topology: t }, deps);
  assert.deepEqual(second.done, []);
  assert.deepEqual(vms.get('stray'), { spec: { memory: '1MiB' }, running: true });
  assert.ok(!backend.log.some((l) => l.includes('stray')));
});

test('vm-differs lists exactly the differing fields; a running VM is reported restartNeeded, not restarted', async () => {
  const t = topo(1);
  const host = fakeHost({ tools, bridges: [{ name: 'br0', addrs: ['10.0.0.1/24'] }], nat: ['-A POSTROUTING -s 10.0.0.0/24 ! -d 10.0.0.0/24 -j MASQUERADE'] });
  const vms = new Map<string, FakeVm>([['vm1', { spec: spec('128MiB'), running: true }]]);
  const declared = { vm1: spec('256MiB', '52:54:00:00:00:99') };
  const backend = fakeBackend(declared, vms);
  const deps = depsFor({ hv: host }, backend);
  const plan = await planLab({ topology: t }, deps);
  const c = plan.hosts[0]?.changes[0];
  assert.equal(plan.hosts[0]?.changes.length, 1);
  assert.deepEqual(c?.kind === 'vm-differs' ? c.fields : undefined, [
    { field: 'memory', want: '256MiB', have: '128MiB' },
    { field: 'nics[0].mac', want: '52:54:00:00:00:99', have: '52:54:00:00:00:01' },
  ]);
  assert.equal(describeChange(c as Change), '~ vm1: memory 256MiB (host: 128MiB), nics[0].mac 52:54:00:00:00:99 (host: 52:54:00:00:00:01) (running: restart needed after apply)');
  const r = await applyPlan(plan, 'all', { topology: t }, deps);
  assert.deepEqual(r.restartNeeded, ['vm1']);
  assert.ok(!backend.log.some((l) => /^(start|shutdown|destroy|reboot)/.test(l)));
  assert.equal(driftCount(await planLab({ topology: t }, deps)), 0);
});

test('network differs: gateway, NAT rule and dnsmasq leases against the renderers', async () => {
  const t = topo(1);
  const lan = t.networks?.lan;
  assert.ok(lan && t.vms?.vm1?.nics?.[0]);
  lan.dhcp = {};
  t.vms.vm1.nics[0] = { network: 'lan', mac: '52:54:00:00:00:01', ip: '10.0.0.5' };
  const host = fakeHost({ tools: [...tools, 'dnsmasq'], bridges: [{ name: 'br0', addrs: ['10.0.0.9/24'] }],
    dnsmasq: { '/etc/dnsmasq.d/vsim-lan.conf': '# network lan\ninterface=br0\ndhcp-host=52:54:00:00:00:01,10.0.0.6,vm1' } });
  const vms = new Map<string, FakeVm>([['vm1', { spec: spec('128MiB'), running: false }]]);
  const plan = await planLab({ topology: t }, depsFor({ hv: host }, fakeBackend(declaredOf(t), vms)));
  const c = plan.hosts[0]?.changes.find((x) => x.kind === 'network-differs');
  assert.ok(c && c.kind === 'network-differs');
  assert.deepEqual(c.fields.map((f) => f.field), ['gateway', 'nat', 'dnsmasq']);
  assert.deepEqual(c.fields[0], { field: 'gateway', want: '10.0.0.1/24', have: '10.0.0.9/24' });
  assert.match(c.fields[2]?.want ?? '', /dhcp-host=52:54:00:00:00:01,10\.0\.0\.5,vm1/);
  assert.equal(c.fields[2]?.have, 'dhcp-host=52:54:00:00:00:01,10.0.0.6,vm1');
});

test('a host without virsh: tool-missing and every VM change blocked by it; apply skips them', async () => {
  const t = topo(2);
  const host = fakeHost({ tools: ['ip', 'iptables'], bridges: [{ name: 'br0', addrs: ['10.0.0.1/24'] }], nat: ['-A POSTROUTING -s 10.0.0.0/24 ! -d 10.0.0.0/24 -j MASQUERADE'] });
  const deps = depsFor({ hv: host }, fakeBackend(declaredOf(t), new Map()));
  const plan = await planLab({ topology: t }, deps);
  const lines = plan.hosts[0]?.changes.map(describeChange);
  assert.deepEqual(lines, [
    '! hv lacks virsh (needed for libvirt VMs) [blocked: install virsh on hv]',
    '+ vm1: libvirt VM missing on hv, will be created [blocked: hv lacks virsh]',
    '+ vm2: libvirt VM missing on hv, will be created [blocked: hv lacks virsh]',
  ]);
  assert.equal(driftCount(plan), 0);
  const r = await applyPlan(plan, 'all', { topology: t }, deps);
  assert.deepEqual(r.done, []);
  assert.equal(r.skipped.length, 3);
});

test('a file with errors: blockers, no host contacted, nothing applied', async () => {
  const t = topo(1);
  let contacted = 0;
  const deps = depsFor({}, fakeBackend({}, new Map()), { runnerFor: async () => { contacted++; throw new Error('no'); } });
  const plan = await planLab({ topology: t, blockers: [{ message: 'unknown network', line: 3 }] }, deps);
  assert.deepEqual(plan.hosts, []);
  assert.equal(plan.blockers.length, 1);
  const up = await upLab({ topology: t, blockers: plan.blockers }, deps);
  assert.deepEqual(up.done, []);
  assert.equal(contacted, 0);
});

test('untrusted: every host plan says why, nothing remote runs', async () => {
  let contacted = 0;
  const deps = depsFor({}, fakeBackend({}, new Map()), { trusted: () => false, runnerFor: async () => { contacted++; throw new Error('no'); } });
  const plan = await planLab({ topology: topo(1) }, deps);
  assert.match(plan.hosts[0]?.error ?? '', /not trusted/);
  assert.equal(contacted, 0);
});

test('a failure names host, command and stderr and leaves the rest; VMs on a failed network are skipped', async () => {
  const t = topo(3);
  t.vms ??= {};
  t.vms.solo = { host: 'hv', backend: 'libvirt' };
  const host = fakeHost({ tools });
  host.fail.set('ip link', { code: 2, stderr: 'RTNETLINK answers: Operation not permitted' });
  const vms = new Map<string, FakeVm>();
  const deps = depsFor({ hv: host }, fakeBackend({ ...declaredOf(t), solo: spec('128MiB') }, vms));
  const r = await applyPlan(await planLab({ topology: t }, deps), 'all', { topology: t }, deps);
  assert.deepEqual(r.failed.map((f) => f.id), ['hv/network/lan']);
  assert.match(r.failed[0]?.message ?? '', /^ip link add name br0 type bridge on hv failed \(exit 2\): RTNETLINK answers: Operation not permitted$/);
  assert.deepEqual(r.skipped.sort(), ['hv/vm/vm1', 'hv/vm/vm2', 'hv/vm/vm3']);
  assert.deepEqual(r.done, ['hv/vm/solo']);

  const host2 = fakeHost({ tools, bridges: [{ name: 'br0', addrs: ['10.0.0.1/24'] }], nat: ['-A POSTROUTING -s 10.0.0.0/24 ! -d 10.0.0.0/24 -j MASQUERADE'] });
  const deps2 = depsFor({ hv: host2 }, fakeBackend({ ...declaredOf(t), solo: spec('128MiB') }, new Map(), [], { failProvision: new Set(['vm2']) }));
  const r2 = await applyPlan(await planLab({ topology: t }, deps2), 'all', { topology: t }, deps2);
  assert.deepEqual(r2.failed, [{ id: 'hv/vm/vm2', message: 'virsh define on hv failed (exit 1): error: bad vm2' }]);
  assert.deepEqual(r2.done.sort(), ['hv/vm/solo', 'hv/vm/vm1', 'hv/vm/vm3']);
});

test('cancel between items: nothing new starts, done items stay done', async () => {
  const t = topo(6);
  const host = fakeHost({ tools, bridges: [{ name: 'br0', addrs: ['10.0.0.1/24'] }], nat: ['-A POSTROUTING -s 10.0.0.0/24 ! -d 10.0.0.0/24 -j MASQUERADE'] });
  const deps = depsFor({ hv: host }, fakeBackend(declaredOf(t), new Map()));
  const ac = new AbortController();
  const r = await applyPlan(await planLab({ topology: t }, deps), 'all', { topology: t }, deps, {
    perHostConcurrency: 1, signal: ac.signal, onEvent: (e) => { if (e.kind === 'done' && e.id === 'hv/vm/vm2') ac.abort(); },
  });
  assert.equal(r.cancelled, true);
  assert.deepEqual(r.done, ['hv/vm/vm1', 'hv/vm/vm2']);
  assert.deepEqual(r.skipped, ['hv/vm/vm3', 'hv/vm/vm4', 'hv/vm/vm5', 'hv/vm/vm6']);
});

test('per host bounded concurrency; one VM serialised through deps.queue; hosts in parallel', async () => {
  const t = topo(5);
  const host = fakeHost({ tools, bridges: [{ name: 'br0', addrs: ['10.0.0.1/24'] }], nat: ['-A POSTROUTING -s 10.0.0.0/24 ! -d 10.0.0.0/24 -j MASQUERADE'] });
  const log: string[] = [];
  const queued: string[] = [];
  const deps = depsFor({ hv: host }, fakeBackend(declaredOf(t), new Map(), log, { delayMs: 5 }), {
    queue: (vm, op, f) => { queued.push(`${vm} ${op}`); return f(); },
  });
  await applyPlan(await planLab({ topology: t }, deps), 'all', { topology: t }, deps, { perHostConcurrency: 2 });
  let inFlight = 0;
  let most = 0;
  for (const l of log) {
    inFlight += l.endsWith('begin') ? 1 : -1;
    most = Math.max(most, inFlight);
  }
  assert.equal(most, 2);
  assert.deepEqual(queued, ['vm1 apply', 'vm2 apply', 'vm3 apply', 'vm4 apply', 'vm5 apply']);
});

test('up: applies, then starts in `after:` order (a VM waits for the ones it comes after); down stops them; destroy removes only declared VMs and the declared bridge', async () => {
  const t = topo(3);
  assert.ok(t.vms?.vm1);
  t.vms.vm1.after = ['vm3'];
  const host = fakeHost({ tools });
  const log: string[] = [];
  const vms = new Map<string, FakeVm>([['stray', { spec: {}, running: true }]]);
  const deps = depsFor({ hv: host }, fakeBackend(declaredOf(t), vms, log));
  const up = await upLab({ topology: t }, deps);
  assert.deepEqual(up.failed, []);
  const starts = log.filter((l) => l.startsWith('start'));
  assert.ok(starts.indexOf('start vm3 end') < starts.indexOf('start vm1 begin'), starts.join(', '));
  assert.ok([...vms.values()].every((v) => v.running));
  assert.equal(driftCount(await planLab({ topology: t }, deps)), 0);
  const down = await downLab({ topology: t }, deps);
  assert.deepEqual(down.done.sort(), ['hv/shutdown/vm1', 'hv/shutdown/vm2', 'hv/shutdown/vm3']);
  assert.equal(vms.get('stray')?.running, true);
  const destroyed = await destroyLab({ topology: t }, deps);
  assert.deepEqual(destroyed.failed, []);
  assert.deepEqual([...vms.keys()], ['stray']);
  assert.ok(host.calls.some((c) => c.join(' ') === 'ip link del dev br0'));
  assert.ok(!log.some((l) => l.includes('stray')));
});

test('down: a VM still running at the timeout fails with offerDestroy', async () => {
  const t = topo(1);
  const host = fakeHost({ tools });
  const backend = fakeBackend(declaredOf(t), new Map([['vm1', { spec: spec('128MiB'), running: true }]]));
  backend.lifecycle = () => new Promise(() => undefined);
  const r = await downLab({ topology: t }, depsFor({ hv: host }, backend), { timeoutMs: 20 });
  assert.equal(r.failed[0]?.offerDestroy, true);
  assert.match(r.failed[0]?.message ?? '', /still running .* destroy it/);
});

test('an unreachable host fails its items; the other hosts are planned and applied', async () => {
  const t = topo(1);
  t.hosts.far = { address: 'y' };
  t.vms ??= {};
  t.vms.farvm = { host: 'far', backend: 'libvirt' };
  const host = fakeHost({ tools });
  const deps = depsFor({ hv: host }, fakeBackend({ ...declaredOf(t), farvm: spec('1MiB') }, new Map()));
  const plan = await planLab({ topology: t }, deps);
  assert.equal(plan.hosts.find((h) => h.host === 'far')?.error, 'far: connection refused');
  const up = await upLab({ topology: t }, deps);
  assert.deepEqual(up.failed.map((f) => f.id), ['far/plan']);
  assert.ok(up.done.includes('hv/start/vm1'));
  // What Lab: Up hands to the boot watch: the VMs it started, and only those.
  assert.deepEqual(startedVms(up.done), [{ host: 'hv', vm: 'vm1' }]);
});

test('startedVms: the start items of a run (a VM name with a dot), other items ignored', () => {
  assert.deepEqual(startedVms(['hv1/plan', startItemId('hv1', 'edge.Gateway'), 'hv1/define/x', startItemId('hv2', 'a')]), [{ host: 'hv1', vm: 'edge.Gateway' }, { host: 'hv2', vm: 'a' }]);
});

test('offline: true — plan and up never ask for a runner; every host says why', async () => {
  const t = { ...topo(1), offline: true };
  let asked = 0;
  const deps = depsFor({ hv: fakeHost({ tools }) }, fakeBackend(declaredOf(t), new Map()));
  const counted = { ...deps, runnerFor: (...a: Parameters<typeof deps.runnerFor>) => { asked++; return deps.runnerFor(...a); } };
  const plan = await planLab({ topology: t }, counted);
  assert.match(plan.hosts[0]?.error ?? '', /offline: true: vsim does not connect to hv/);
  const up = await upLab({ topology: t }, counted);
  assert.equal(up.done.length, 0);
  assert.equal(asked, 0, 'no runner, no connection');
});
