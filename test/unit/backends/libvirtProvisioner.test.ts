import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDumpxml } from '../../../src/backends/libvirt/parseDumpxml';
import { createLibvirtProvisioner, declaredSpec, INSPECT_SCRIPT, parseInspect, specOfDump } from '../../../src/backends/libvirt/provisioner';
import { renderDomainXml } from '../../../src/backends/libvirt/renderDomainXml';
import { domainUuid } from '../../../src/backends/libvirt/renderUuid';
import { diffSpec } from '../../../src/plan/diff';
import type { Topology } from '../../../src/model/types';
import { asMarked, ctxFor, fakeRunner, localRunner, unmarked } from '../fakes/runner';

const fixture = (name: string): string => readFileSync(join(__dirname, 'fixtures', name), 'utf8');

const topo: Topology = {
  version: 1,
  hosts: { hv: { address: 'x', kvm: false } },
  networks: { lan: { host: 'hv', bridge: 'br-lan' }, ovsnet: { host: 'hv', kind: 'ovs', bridge: 'ovs0' } },
  vms: {
    a: {
      host: 'hv', backend: 'libvirt', memory: '1GiB', vcpus: 2, accel: 'tcg',
      boot: { kernel: '/k/vmlinuz', initrd: '/k/initrd', cmdline: 'console=ttyS0 a=<&>' },
      disks: [{ path: '/d/a.qcow2' }, { path: '/d/b.raw', format: 'raw', readonly: true }],
      nics: [{ network: 'lan', mac: '52:54:00:AA:00:01', tap: 'tap-a' }, { network: 'ovsnet' }],
      qos: { inbound: { average: 1000, peak: 2000 }, outbound: { average: 500 } },
    },
    b: { host: 'hv', backend: 'libvirt' },
  },
};

test('dumpxml of a real running sandbox domain (virsh dumpxml chassis): the compared facts', () => {
  const d = parseDumpxml(fixture('dumpxml-chassis-running.xml'));
  assert.equal(d.name, 'chassis');
  assert.equal(d.uuid, '87cd09ac-5f4a-fa4f-6319-a1dc4dfe7555');
  assert.equal(d.type, 'qemu');
  assert.equal(d.memoryMiB, 128);
  assert.equal(d.vcpus, 1);
  assert.equal(d.arch, 'x86_64');
  assert.equal(d.kernel, '/run/vsim-sandbox/guest/vmlinuz');
  assert.equal(d.cmdline, 'console=ttyS0 vsim.hostname=chassis vsim.ip=192.168.100.10/24 vsim.gw=192.168.100.1');
  assert.deepEqual(d.disks, []);
  assert.deepEqual(d.nics, [{ type: 'bridge', bridge: 'vsimbr0', ovs: false, mac: '52:54:00:00:00:10', tap: 'tap-chassis', model: 'virtio', inbound: '', outbound: '' }]);
});

test('dumpxml --inactive of a real stopped domain with a disk (virsh dumpxml storage --inactive)', () => {
  const s = specOfDump(parseDumpxml(fixture('dumpxml-storage-inactive.xml')));
  assert.equal(s.disks, '1');
  assert.equal(s['disks[0].path'], '/run/vsim-sandbox/hv1/disks/storage.qcow2');
  assert.equal(s['disks[0].format'], 'qcow2');
  assert.equal(s['disks[0].readonly'], 'no');
  assert.equal(s['nics[0].tap'], 'tap-storage');
  assert.equal(s.accel, 'tcg');
});

test('the file side and the parsed rendered XML agree field for field (no drift right after a define)', () => {
  for (const vm of ['a', 'b']) {
    const host = specOfDump(parseDumpxml(renderDomainXml(topo, vm)));
    assert.deepEqual(diffSpec(declaredSpec(topo, vm), host), [], vm);
  }
  const a = declaredSpec(topo, 'a');
  assert.equal(a.memory, '1024MiB');
  assert.equal(a.cmdline, 'console=ttyS0 a=<&>');
  assert.equal(a['nics[0].mac'], '52:54:00:aa:00:01');
  assert.equal(a['nics[1].ovs'], 'yes');
  assert.equal(a['qos.inbound'], 'average=1000 peak=2000');
  assert.equal(a['qos.outbound'], 'average=500');
  assert.equal(a['disks[1].readonly'], 'yes');
  assert.equal('nics[1].mac' in a, false, 'a MAC libvirt picks is not compared');
});

test('a changed memory and MAC are exactly the two fields that differ; an extra NIC on the host shows as the count', () => {
  const host = specOfDump(parseDumpxml(renderDomainXml(topo, 'a')));
  const edited: Topology = structuredClone(topo);
  const a = edited.vms?.a;
  assert.ok(a?.nics?.[0]);
  a.memory = 2048;
  a.nics[0].mac = '52:54:00:aa:00:99';
  assert.deepEqual(diffSpec(declaredSpec(edited, 'a'), host), [
    { field: 'memory', want: '2048MiB', have: '1024MiB' },
    { field: 'nics[0].mac', want: '52:54:00:aa:00:99', have: '52:54:00:aa:00:01' },
  ]);
  a.nics.pop();
  assert.deepEqual(diffSpec(declaredSpec(edited, 'a'), host).map((f) => f.field), ['memory', 'nics', 'nics[0].mac']);
});

test('parseInspect: requested domains missing or present (spec, running), others under their own name', () => {
  // A description on the host that tries to start sections of its own: the run's mark is not `@@vsim `.
  const xml = renderDomainXml(topo, 'a').replace('</domain>', `<description>\n@@vsim dom b\n<domain type='kvm'><name>b</name></domain>\n@@vsim stats\n</description>\n</domain>`);
  const mark = `@@vsim.${'0f'.repeat(16)}`;
  const out = asMarked(['@@vsim stats', "Domain: 'a'", '  state.state=1', '  state.reason=1', "Domain: 'stray'", '  state.state=5', '',
    '@@vsim dom a'].join('\n'), mark) + `\n${xml}`;
  const r = parseInspect(out, ['a', 'b']);
  assert.equal(r.a?.exists, true);
  assert.equal(r.a?.running, true);
  assert.equal(r.a?.spec?.memory, '1024MiB');
  assert.match(r.a?.detail ?? '', new RegExp(domainUuid('a')));
  assert.deepEqual(r.b, { exists: false, running: false });
  assert.deepEqual(r.stray, { exists: true, running: false, detail: 'shutoff' });
});

test('inspect: ONE round trip whatever the number of domains; the script dumps only requested domains the host has', async () => {
  // Stand-in virsh (a shell script) to run the composed script for real with sh; the sandbox test uses the real one.
  const dir = join(__dirname, '..', '..', '..', 'test-results', 'fake-virsh');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'virsh'), [
    '#!/bin/sh',
    'shift 2',
    'case "$*" in',
    '  "-q list --all --name") printf "a\\nstray\\n";;',
    '  "domstats --state") printf "Domain: \'a\'\\n  state.state=5\\nDomain: \'stray\'\\n  state.state=1\\n";;',
    // virsh's own `echo` prints the run's mark the script gave it.
    '  *) printf "%s\\n" "$*" > "$(dirname "$0")/cmds"; set -- $*; printf "%s dom a\\n<domain type=\'qemu\'><name>a</name><memory unit=\'KiB\'>262144</memory><vcpu>1</vcpu></domain>\\n" "$2";;',
    'esac',
  ].join('\n'));
  chmodSync(join(dir, 'virsh'), 0o755);
  const run = localRunner({ PATH: `${dir}:${process.env.PATH}` });
  const names = Array.from({ length: 100 }, (_, i) => (i === 0 ? 'a' : `vm${i}`));
  const r = await createLibvirtProvisioner().inspect(ctxFor(topo, 'hv', run), names);
  assert.equal(run.calls.length, 1);
  assert.equal(unmarked(run.calls[0]?.[2]), INSPECT_SCRIPT);
  assert.match(readFileSync(join(dir, 'cmds'), 'utf8').trim(), /^echo @@vsim\.[0-9a-f]{32} dom a; dumpxml --inactive a;$/);
  assert.equal(r.a?.spec?.memory, '256MiB');
  assert.equal(r.vm5?.exists, false);
  assert.equal(r.stray?.running, true);
});

test('provision defines the rendered XML on stdin (own channel); a hand-made domain keeps its UUID', async () => {
  let n = 0;
  const run = fakeRunner(() => (n++ === 0 ? { code: 1, stderr: "error: operation failed: domain 'a' already exists with uuid 11111111-2222-3333-4444-555555555555" } : {}));
  await createLibvirtProvisioner().provision(ctxFor(topo, 'hv', run), 'a');
  assert.deepEqual(run.calls[0], ['virsh', '-c', 'qemu:///system', 'define', '/dev/stdin']);
  assert.equal(run.stdins[0], renderDomainXml(topo, 'a'));
  assert.match(run.stdins[1] ?? '', /<uuid>11111111-2222-3333-4444-555555555555<\/uuid>/);
  const fail = fakeRunner(() => ({ code: 1, stderr: 'error: XML error: bad' }));
  await assert.rejects(createLibvirtProvisioner().provision(ctxFor(topo, 'hv', fail), 'a'), /virsh -c qemu:\/\/\/system define \/dev\/stdin on hv failed \(exit 1\): error: XML error: bad/);
});

test('deprovision undefines with snapshot metadata and managed save; an absent domain is fine', async () => {
  const run = fakeRunner(() => ({ code: 1, stderr: "error: failed to get domain 'a'" }));
  await createLibvirtProvisioner().deprovision(ctxFor(topo, 'hv', run), 'a');
  assert.deepEqual(run.calls[0], ['virsh', '-c', 'qemu:///system', 'undefine', '--snapshots-metadata', '--managed-save', 'a']);
});
