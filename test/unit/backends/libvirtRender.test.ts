import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../../../src/model/analyze';
import type { Topology } from '../../../src/model/types';
import { defaultSerialLog, renderDomainXml } from '../../../src/backends/libvirt/renderDomainXml';
import { domainUuid } from '../../../src/backends/libvirt/renderUuid';
import { xmlEscape } from '../../../src/backends/libvirt/renderXml';
import * as virsh from '../../../src/backends/libvirt/renderVirsh';

const root = join(__dirname, '../../..');
const has = (cmd: string): boolean => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

function examples(): [string, Topology][] {
  return readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.vsim.yaml')).map((f) => {
    const t = analyze(readFileSync(join(root, 'examples', f), 'utf8')).topology;
    assert.ok(t, f);
    return [f, t];
  });
}

const base = (vm: Record<string, unknown>): Topology => ({
  version: 1,
  hosts: { h: { address: 'h' } },
  networks: { br0: { host: 'h' }, ovs0: { host: 'h', kind: 'ovs', bridge: 'ovsbr0' } },
  vms: { v1: { host: 'h', backend: 'libvirt', ...vm } },
} as Topology);

test('uuid is stable, RFC 4122 shaped, version 5, and differs per name', () => {
  const u = domainUuid('chassis');
  assert.equal(u, domainUuid('chassis'));
  assert.match(u, /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(u, domainUuid('compute'));
});

test('xml escaping covers the five special characters', () => {
  assert.equal(xmlEscape(`a&b<c>d'e"f`), 'a&amp;b&lt;c&gt;d&apos;e&quot;f');
});

test('kvm x86_64: domain type kvm, q35, host-passthrough, disk boot', () => {
  const x = renderDomainXml(base({ accel: 'kvm', vcpus: 4, memory: '4GiB', disks: [{ path: '/img/a.qcow2' }, { path: '/img/b.raw', format: 'raw', readonly: true }] }), 'v1');
  assert.match(x, /^<domain type='kvm'>/);
  assert.match(x, /<type arch='x86_64' machine='q35'>hvm<\/type>/);
  assert.match(x, /<cpu mode='host-passthrough'\/>/);
  assert.match(x, /<memory unit='MiB'>4096<\/memory>/);
  assert.match(x, /<vcpu>4<\/vcpu>/);
  assert.match(x, /<boot dev='hd'\/>/);
  assert.match(x, /<driver name='qemu' type='raw'\/>\n\s+<source file='\/img\/b.raw'\/>\n\s+<target dev='vdb' bus='virtio'\/>\n\s+<readonly\/>/);
});

test('the serial keeps its log in libvirt\'s QEMU log directory by default (named after the domain); another path, or none', () => {
  const t = base({ domain: 'edge.Gateway' });
  const serial = (x: string): string => /<serial type='pty'>\n([^]*?)\n\s+<\/serial>/.exec(x)?.[1] ?? '';
  assert.equal(defaultSerialLog('edge.Gateway'), '/var/log/libvirt/qemu/edge.Gateway-serial.log');
  assert.equal(serial(renderDomainXml(t, 'v1')), "      <log file='/var/log/libvirt/qemu/edge.Gateway-serial.log' append='off'/>\n      <target port='0'/>");
  assert.match(serial(renderDomainXml(t, 'v1', { serialLog: '/srv/logs/v1.log' })), /^\s+<log file='\/srv\/logs\/v1.log' append='off'\/>\n/);
  assert.equal(serial(renderDomainXml(t, 'v1', { serialLog: null })), "      <target port='0'/>");
  assert.throws(() => defaultSerialLog('../etc'), /Invalid domain name/);
});

test('tcg aarch64: domain type qemu, virt, cortex-a57, UEFI; host kvm:false implies tcg', () => {
  const x = renderDomainXml(base({ arch: 'aarch64', accel: 'tcg' }), 'v1');
  assert.match(x, /^<domain type='qemu'>/);
  assert.match(x, /<os firmware='efi'>\n\s+<type arch='aarch64' machine='virt'>/);
  assert.match(x, /<model fallback='allow'>cortex-a57<\/model>/);
  const t = base({});
  t.hosts.h!.kvm = false;
  assert.match(renderDomainXml(t, 'v1'), /^<domain type='qemu'>[^]*machine='pc'/);
});

test('direct kernel boot with escaped cmdline; NICs on bridge and OVS with QoS on the first', () => {
  const x = renderDomainXml(base({
    boot: { kernel: '/k/vmlinuz', initrd: '/k/initrd', cmdline: 'console=ttyS0 a=<b>&c' },
    nics: [
      { network: 'ovs0', mac: '52:54:00:AA:BB:CC', tap: 'tap-v1', model: 'e1000' },
      { network: 'br0' },
    ],
    qos: { inbound: { average: 100, peak: 200, burst: 64 }, outbound: { average: 50 } },
  }), 'v1', { serialLog: '/var/log/v1.log' });
  assert.match(x, /<kernel>\/k\/vmlinuz<\/kernel>\n\s+<initrd>\/k\/initrd<\/initrd>\n\s+<cmdline>console=ttyS0 a=&lt;b&gt;&amp;c<\/cmdline>/);
  assert.match(x, /<mac address='52:54:00:aa:bb:cc'\/>\n\s+<source bridge='ovsbr0'\/>\n\s+<virtualport type='openvswitch'\/>\n\s+<target dev='tap-v1'\/>\n\s+<model type='e1000'\/>/);
  assert.match(x, /<inbound average='100' peak='200' burst='64'\/>\n\s+<outbound average='50'\/>/);
  assert.equal(x.match(/<bandwidth>/g)?.length, 1);
  assert.match(x, /<source bridge='br0'\/>\n\s+<model type='virtio'\/>/);
  assert.match(x, /<log file='\/var\/log\/v1.log' append='off'\/>/);
  assert.match(x, /<console type='pty'>/);
  assert.match(x, /<features>\n\s+<acpi\/>\n\s+<\/features>/);
});

test('values that skipped the schema (a file from another tool, an API caller) cannot add XML: format, model and vcpus are escaped', () => {
  const hostile = "x'/><devices><hostdev a='";
  const x = renderDomainXml(base({
    vcpus: '2</vcpu><x>' as unknown as number,
    disks: [{ path: '/v/d.img', format: hostile as 'raw' }],
    nics: [{ network: 'br0', model: hostile }],
  }), 'v1');
  assert.doesNotMatch(x, /<hostdev|<x>/, 'an element was injected');
  assert.match(x, /<vcpu>2&lt;\/vcpu&gt;&lt;x&gt;<\/vcpu>/);
  assert.match(x, /<driver name='qemu' type='x&apos;\/&gt;&lt;devices&gt;&lt;hostdev a=&apos;'\/>/);
  assert.match(x, /<model type='x&apos;\/&gt;&lt;devices&gt;&lt;hostdev a=&apos;'\/>/);
});

test('bad names and unknown VMs are refused', () => {
  assert.throws(() => renderDomainXml(base({}), 'nope'), /No VM "nope"/);
  const t = base({});
  t.vms!['a;b'] = t.vms!.v1!;
  assert.throws(() => renderDomainXml(t, 'a;b'), /Invalid domain name of a;b "a;b"/);
  assert.throws(() => renderDomainXml(base({ disks: [{ path: "/x'y" }] }), 'v1'), /Invalid disk path/);
});

const validate = has('virt-xml-validate') && has('xmllint');
test('every rendered example domain passes virt-xml-validate', { skip: validate ? false : 'virt-xml-validate/xmllint not installed (test/unit/backends/install-test-deps.sh)' }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'vsim-xml-'));
  try {
    let n = 0;
    for (const [f, t] of examples()) {
      for (const [name, vm] of Object.entries(t.vms ?? {})) {
        if (vm.backend !== 'libvirt') continue;
        const file = join(dir, `${name}.xml`);
        writeFileSync(file, renderDomainXml(t, name)); // with its default serial <log>
        const r = spawnSync('virt-xml-validate', [file, 'domain'], { encoding: 'utf8' });
        assert.equal(r.status, 0, `${f} ${name}: ${r.stdout}${r.stderr}`);
        n++;
      }
    }
    assert.ok(n >= 8, `validated ${n} domains`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('libvirt (in-process test driver) accepts the XML and keeps uuid, memory and tap', { skip: has('virsh') ? false : 'virsh not installed' }, () => {
  const t = base({ memory: 256, nics: [{ network: 'br0', mac: '52:54:00:00:00:01', tap: 'tap-v1' }] });
  const dir = mkdtempSync(join(tmpdir(), 'vsim-xml-'));
  try {
    const file = join(dir, 'v1.xml');
    writeFileSync(file, renderDomainXml(t, 'v1'));
    const out = execFileSync('virsh', ['-q', '-c', 'test:///default', `define ${file}; dumpxml v1`], { encoding: 'utf8' });
    assert.match(out, new RegExp(`<uuid>${domainUuid('v1')}</uuid>`));
    assert.match(out, /<memory unit='KiB'>262144<\/memory>/);
    assert.match(out, /<target dev='tap-v1'\/>/);
    // Measured: libvirt discards target names starting with "vnet" (its own prefix) at define time.
    writeFileSync(file, renderDomainXml(base({ nics: [{ network: 'br0', tap: 'vnet-v1' }] }), 'v1'));
    const out2 = execFileSync('virsh', ['-q', '-c', 'test:///default', `define ${file}; dumpxml v1`], { encoding: 'utf8' });
    assert.doesNotMatch(out2, /vnet-v1/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('virsh argv builders', () => {
  const u = 'qemu:///system';
  assert.deepEqual(virsh.listAll(u), ['virsh', '-c', u, '-q', 'list', '--all']);
  assert.deepEqual(virsh.define(u), ['virsh', '-c', u, 'define', '/dev/stdin']);
  assert.deepEqual(virsh.start(u, 'hvg1'), ['virsh', '-c', u, 'start', 'hvg1']);
  assert.deepEqual(virsh.undefine(u, 'a', { nvram: true }), ['virsh', '-c', u, 'undefine', '--nvram', 'a']);
  assert.deepEqual(virsh.snapshotCreate(u, 'a', 's1'), ['virsh', '-c', u, 'snapshot-create-as', '--domain', 'a', '--name', 's1']);
  assert.deepEqual(virsh.snapshotList(u, 'a'), ['virsh', '-c', u, 'snapshot-list', '--domain', 'a', '--name']);
  assert.deepEqual(virsh.console(u, 'a', { force: true }), ['virsh', '-q', '-c', u, 'console', '--force', 'a']);
  assert.deepEqual(virsh.events(u), ['virsh', '-c', u, 'event', '--loop', '--all', '--timestamp']);
  assert.deepEqual(virsh.save(u, 'a', '/var/lib/vsim/a.save'), ['virsh', '-c', u, 'save', 'a', '/var/lib/vsim/a.save']);
  assert.deepEqual(virsh.domstats(u, ['interface']), ['virsh', '-c', u, 'domstats', '--state', '--interface']);
  for (const bad of ['a;rm -rf /', '$(reboot)', '-x', '', 'a b']) {
    assert.throws(() => virsh.start(u, bad), /Invalid domain name/);
    assert.throws(() => virsh.snapshotRevert(u, 'a', bad), /Invalid snapshot name/);
  }
  assert.throws(() => virsh.listAll('qemu:///system; reboot'), /Invalid libvirt URI/);
  assert.throws(() => virsh.restore(u, '/tmp/$(x)'), /Invalid save file/);
});
