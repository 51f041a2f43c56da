// VMs found on a host → new `vms:` (and `networks:`) entries: the exact text, the rest of the file
// (comments, flow maps, order) byte for byte, and every host-supplied value checked first.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze } from '../../../../src/model/analyze';
import { adoptionOf, adoptVms, type FoundVm } from '../../../../src/model/edits/adopt';
import { applyEdits } from '../../../../src/model/edits/textDiff';
import type { Topology } from '../../../../src/model/types';

const FILE = `# A lab someone inherited: one VM described so far.
version: 1
name: inherited

hosts:
  hv1: { sshConfigHost: hv1, kvm: false }   # the rack's first box

networks:
  lan: { host: hv1, bridge: vsimbr0, subnet: 192.168.100.0/24 }

vms:
  # the only one we knew about
  chassis:
    host: hv1
    backend: libvirt
    accel: tcg   # no KVM on hv1
    nics: [{ network: lan, ip: 192.168.100.10 }]

links: {}
`;

const topo = (text: string): Topology => {
  const a = analyze(text);
  assert.ok(a.topology, 'parses');
  return a.topology;
};

const storage: FoundVm = {
  name: 'storage', backend: 'libvirt', arch: 'x86_64', accel: 'tcg', vcpus: 2, memoryMiB: 128,
  boot: { kernel: '/run/vsim-sandbox/guest/vmlinuz', initrd: '/run/vsim-sandbox/guest/initramfs.gz', cmdline: 'console=ttyS0 vsim.ip=192.168.100.12/24' },
  disks: [{ path: '/var/lib/images/storage.qcow2', format: 'qcow2' }, { path: '/var/lib/images/seed.raw', format: 'raw', readonly: true }],
  nics: [{ bridge: 'vsimbr0', ovs: false, mac: '52:54:00:00:00:12', tap: 'tap-storage', model: 'virtio' }, { bridge: 'ovs.data', ovs: true, mac: '52:54:00:AA:00:12', tap: 'vnet7', model: 'e1000' }],
};

describe('adopting VMs found on a host', () => {
  it('writes the entry after the last VM, in the examples\' style; comments and the rest of the file survive', () => {
    const r = adoptVms(FILE, topo(FILE), 'hv1', [storage]);
    const expected = FILE
      .replace('  lan: { host: hv1, bridge: vsimbr0, subnet: 192.168.100.0/24 }\n',
        '  lan: { host: hv1, bridge: vsimbr0, subnet: 192.168.100.0/24 }\n  ovs-data: { host: hv1, kind: ovs, bridge: ovs.data }\n')
      .replace('    nics: [{ network: lan, ip: 192.168.100.10 }]\n', `    nics: [{ network: lan, ip: 192.168.100.10 }]
  storage:
    host: hv1
    backend: libvirt
    accel: tcg
    vcpus: 2
    memory: 128
    boot: { kernel: /run/vsim-sandbox/guest/vmlinuz, initrd: /run/vsim-sandbox/guest/initramfs.gz, cmdline: console=ttyS0 vsim.ip=192.168.100.12/24 }
    disks:
      - { path: /var/lib/images/storage.qcow2 }
      - { path: /var/lib/images/seed.raw, format: raw, readonly: true }
    nics:
      - { network: lan, mac: "52:54:00:00:00:12", tap: tap-storage }
      - { network: ovs-data, mac: "52:54:00:aa:00:12", model: e1000 }
`);
    assert.equal(r.text, expected);
    assert.equal(applyEdits(FILE, r.edits), expected, 'the edits make the same text');
    // The extension passes the analysed document (the partial path): the same text.
    const viaDoc = adoptVms(FILE, topo(FILE), 'hv1', [storage], { doc: analyze(FILE).parsed.doc! });
    assert.equal(viaDoc.text, expected);
    assert.equal(applyEdits(FILE, viaDoc.edits), expected);
    for (const comment of ['# A lab someone inherited', '# the rack\'s first box', '# the only one we knew about']) assert.ok(r.text.includes(comment), comment);
    assert.deepEqual(r.vms.map((v) => v.name), ['storage']);
    assert.deepEqual(r.networks.map((n) => n.name), ['ovs-data']);
    const a = analyze(r.text);
    assert.deepEqual(a.problems.filter((p) => p.severity === 'error').map((p) => p.message), [], 'the result validates');
    // The existing bridge is reused (the file's network `lan` names vsimbr0); the libvirt-generated tap is dropped.
    assert.equal(a.topology?.vms?.storage?.nics?.[0]?.network, 'lan');
    assert.equal(a.topology?.vms?.storage?.nics?.[1]?.tap, undefined);
  });

  it('Import All into a file without vms: creates the section, several VMs at once, in the order given', () => {
    const bare = '# first description of hv9\nversion: 1\nhosts:\n  hv9: { address: 10.0.0.9 }\n';
    const found: FoundVm[] = [
      { name: 'web-2', backend: 'libvirt', accel: 'kvm', memoryMiB: 2048, disks: [], nics: [] },
      { name: 'web-10', backend: 'libvirt', arch: 'aarch64', accel: 'tcg', vcpus: 1, memoryMiB: 512, boot: { kernel: '/k', cmdline: 'console=ttyAMA0' }, disks: [], nics: [] },
    ];
    const r = adoptVms(bare, topo(bare), 'hv9', found);
    assert.equal(r.text, `${bare}
vms:
  web-2:
    host: hv9
    backend: libvirt
    accel: kvm
    memory: 2048
  web-10:
    host: hv9
    backend: libvirt
    arch: aarch64
    accel: tcg
    memory: 512
    boot: { kernel: /k }
`);
    assert.ok(analyze(r.text).ok);
  });

  it('host-supplied values that a topology cannot hold are left out with a note; unusable names are skipped', () => {
    const t = topo(FILE);
    const a = adoptionOf(t, 'hv1', [
      { name: '.hidden', backend: 'libvirt', disks: [], nics: [] },
      { name: 'gamma.with.dots', backend: 'libvirt', disks: [], nics: [] },
      { name: 'chassis', backend: 'libvirt', disks: [], nics: [] },
      { name: 'evil', backend: 'libvirt', memoryMiB: 8, arch: 'riscv64',
        boot: { kernel: '/boot/$(reboot)', cmdline: "a'b" },
        disks: [{ path: 'relative/disk.img' }, { path: '/ok/disk.img', format: 'vmdk' }],
        nics: [{ bridge: 'br0; rm -rf /', mac: 'zz' }, { bridge: 'br1', mac: 'not-a-mac', tap: 'bad tap', model: 'ne2k' }],
        notes: ['nic 3 left out: type network (default)'] },
    ]);
    assert.deepEqual(a.skipped.map((s) => s.name), ['.hidden', 'chassis']);
    assert.match(a.skipped[0]!.reason, /not one a topology can use/);
    assert.match(a.skipped[1]!.reason, /already has a VM/);
    assert.deepEqual(a.vms.map((v) => v.name), ['gamma.with.dots', 'evil'], 'a dot is part of a libvirt name');
    assert.deepEqual(a.vms.slice(1), [{ name: 'evil', entry: { host: 'hv1', backend: 'libvirt', disks: [{ path: '/ok/disk.img' }], nics: [{ network: 'br1' }] } }]);
    assert.deepEqual(a.networks, [{ name: 'br1', entry: { host: 'hv1' } }]);
    for (const m of [/type network/, /arch riscv64/, /memory 8 MiB/, /boot left out/, /disk 1 left out/, /format vmdk/, /nic 1 left out: bridge/]) {
      assert.ok(a.notes.some((n) => m.test(n)), `a note matching ${m}: ${JSON.stringify(a.notes)}`);
    }
  });

  it('nothing usable: no edits, the text unchanged', () => {
    const r = adoptVms(FILE, topo(FILE), 'hv1', [{ name: 'chassis', backend: 'libvirt', disks: [], nics: [] }]);
    assert.deepEqual(r.edits, []);
    assert.equal(r.text, FILE);
  });
});
