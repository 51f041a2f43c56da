// libvirt domains outside the file: `virsh dumpxml` (real sandbox output) → FoundVm → the entry the
// file gets; the read is ONE round trip and host-supplied names are checked before they travel.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { foundOfDump, libvirtUndeclared, parseDefinitions } from '../../../src/backends/libvirt/adopt';
import { parseDumpxml } from '../../../src/backends/libvirt/parseDumpxml';
import { renderDomainXml } from '../../../src/backends/libvirt/renderDomainXml';
import { declaredSpec, INSPECT_SCRIPT, specOfDump } from '../../../src/backends/libvirt/provisioner';
import { adoptionOf } from '../../../src/model/edits/adopt';
import { diffSpec } from '../../../src/plan/diff';
import type { Topology, Vm } from '../../../src/model/types';
import { asMarked, ctxFor, fakeRunner, unmarked } from '../fakes/runner';

const fixture = (name: string): string => readFileSync(join(__dirname, 'fixtures', name), 'utf8');
const topo: Topology = { version: 1, hosts: { 'vsim-hv1': { sshConfigHost: 'vsim-hv1', kvm: false } }, networks: { vsimbr0: { host: 'vsim-hv1' } }, vms: {} };

test('dumpxml --inactive of the sandbox storage domain → memory, vcpus, arch, accel, kernel/initrd/cmdline, disk, NIC', () => {
  const f = foundOfDump(parseDumpxml(fixture('dumpxml-storage-inactive.xml')));
  assert.deepEqual(f, {
    name: 'storage', backend: 'libvirt', arch: 'x86_64', accel: 'tcg', vcpus: 1, memoryMiB: 128,
    boot: { kernel: '/run/vsim-sandbox/guest/vmlinuz', initrd: '/run/vsim-sandbox/guest/initramfs.gz', cmdline: 'console=ttyS0 vsim.hostname=storage vsim.ip=192.168.100.12/24 vsim.gw=192.168.100.1' },
    disks: [{ path: '/run/vsim-sandbox/hv1/disks/storage.qcow2', format: 'qcow2' }],
    nics: [{ bridge: 'vsimbr0', ovs: false, mac: '52:54:00:00:00:12', tap: 'tap-storage', model: 'virtio' }],
  });
});

test('a running domain\'s dumpxml (chassis) and a NIC on a libvirt network: that NIC is a note, not an entry', () => {
  const xml = fixture('dumpxml-chassis-running.xml').replace('</devices>', "<interface type='network'><source network='default'/><mac address='52:54:00:99:99:99'/></interface></devices>");
  const f = foundOfDump(parseDumpxml(xml));
  assert.equal(f.nics.length, 1);
  assert.equal(f.nics[0]!.bridge, 'vsimbr0');
  assert.deepEqual(f.notes, ["nic 2 left out: type network (default), vsim's networks are bridges"]);
});

test('what a domain becomes, rendered by vsim again, has no drift from what the host has (the entry is faithful)', () => {
  const dump = parseDumpxml(fixture('dumpxml-storage-inactive.xml'));
  const a = adoptionOf(topo, 'vsim-hv1', [foundOfDump(dump)]);
  const t: Topology = { ...topo, vms: { storage: a.vms[0]!.entry as unknown as Vm } };
  assert.deepEqual(diffSpec(declaredSpec(t, 'storage'), specOfDump(dump)), []);
  assert.deepEqual(diffSpec(declaredSpec(t, 'storage'), specOfDump(parseDumpxml(renderDomainXml(t, 'storage')))), []);
});

test('read: ONE round trip (the inspect script) for every name; names the rule refuses never reach the host', async () => {
  const run = fakeRunner(() => ({ stdout: `@@vsim stats\nDomain: 'storage'\n  state.state=5\n@@vsim dom storage\n${fixture('dumpxml-storage-inactive.xml')}\n` }));
  const r = await libvirtUndeclared(() => 'qemu:///system').read(ctxFor(topo, 'vsim-hv1', run), ['storage', 'gone', 'x;reboot', 'gamma.with.dots', '.hidden']);
  assert.equal(run.calls.length, 1);
  assert.equal(unmarked(run.calls[0]?.[2]), INSPECT_SCRIPT);
  // A dot is part of a libvirt name (the VM-name rule); a leading dot or a ';' is not.
  assert.deepEqual(run.calls[0]!.slice(-4), ['qemu:///system', 'storage', 'gone', 'gamma.with.dots']);
  assert.equal((r.storage as { memoryMiB: number }).memoryMiB, 128);
  assert.match((r.gone as { error: string }).error, /no such domain/);
  assert.match((r['x;reboot'] as { error: string }).error, /not a name vsim can use/);
  assert.match((r['gamma.with.dots'] as { error: string }).error, /no such domain/);
  assert.match((r['.hidden'] as { error: string }).error, /not a name vsim can use/);
});

test('parseDefinitions: an unreadable dump is that VM\'s error, the others are read', () => {
  const r = parseDefinitions(asMarked(`@@vsim dom a\n<nope/>\n@@vsim dom b\n<domain type='kvm'><name>b</name><memory unit='MiB'>64</memory><vcpu>4</vcpu></domain>\n`, `@@vsim.${'0'.repeat(32)}`), ['a', 'b']);
  assert.match((r.a as { error: string }).error, /dumpxml unreadable/);
  assert.deepEqual(r.b, { name: 'b', backend: 'libvirt', accel: 'kvm', vcpus: 4, memoryMiB: 64, disks: [], nics: [] });
});
