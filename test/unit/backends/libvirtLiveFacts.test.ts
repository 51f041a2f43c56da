// libvirt live facts parsed from real virsh output (captured from the sandbox's libvirtd:
// fixtures/virsh-*.txt; the disk path's checkout directory replaced by /srv/vsim).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LIVE_FACTS_SCRIPT, parseAgentAddrs, parseDomblklist, parseDominfo, parseLiveFacts, libvirtLiveFacts } from '../../../src/backends/libvirt/liveFacts';
import { createLibvirtBackend } from '../../../src/backends/libvirt/backend';
import type { Topology } from '../../../src/model/types';
import { asMarked, fakeRunner } from '../fakes/runner';
import { execFileSync } from 'node:child_process';

const fx = (f: string): string => readFileSync(join(__dirname, 'fixtures', f), 'utf8');

/** What the script prints: each command's real output under its section. */
const MARK = `@@vsim.${'0'.repeat(32)}`;
const marked = (text: string): string => asMarked(text, MARK);

function scriptOutput(dominfo: string, domiflist: string, domblklist: string, domstats: string, rc = '0'): string {
  return `@@vsim dominfo\n${dominfo}@@vsim dominfo-rc ${rc}\n@@vsim domiflist\n${domiflist}@@vsim domblklist\n${domblklist}@@vsim domstats\n${domstats}@@vsim agent\n${fx('virsh-domifaddr-agent-none.txt')}`;
}

test('virsh dominfo / domblklist --details / domifaddr (no agent), real output', () => {
  const d = parseDominfo(fx('virsh-dominfo-chassis.txt'));
  assert.equal(d.State, 'running');
  assert.equal(d['CPU(s)'], '1');
  assert.equal(d['CPU time'], '14.6s');
  assert.equal(d['Max memory'], '131072 KiB');
  assert.equal(parseDominfo(fx('virsh-dominfo-edge-shutoff.txt'))['CPU time'], undefined);
  assert.deepEqual(parseDomblklist(fx('virsh-domblklist-storage.txt')), [{ type: 'file', device: 'disk', target: 'vda', source: '/srv/vsim/.sandbox/hv1/disks/storage.qcow2' }]);
  assert.deepEqual(parseDomblklist(fx('virsh-domblklist-chassis.txt')), []);
  assert.deepEqual(parseAgentAddrs(fx('virsh-domifaddr-agent-none.txt')), { note: 'argument unsupported: QEMU guest agent is not configured' });
  // The table virsh prints when an agent answers (libvirt's documented layout).
  const table = ' Name       MAC address          Protocol     Address\n-------------------------------------------------------------------------------\n lo         00:00:00:00:00:00    ipv4         127.0.0.1/8\n eth0       52:54:00:00:00:10    ipv4         192.168.100.77/24\n -          -                    ipv6         fe80::5054:ff:fe00:10/64\n';
  assert.deepEqual(parseAgentAddrs(table), { ips: ['192.168.100.77'] });
});

test('the whole live-facts output: vCPUs, memory, CPU time, interfaces with tap, MAC, bridge and counters, disks', () => {
  const f = parseLiveFacts(marked(scriptOutput(fx('virsh-dominfo-chassis.txt'), fx('virsh-domiflist-chassis.txt'), fx('virsh-domblklist-chassis.txt'), fx('virsh-domstats-chassis-storage.txt'))), 'chassis on hv1');
  assert.equal(f.state, 'running');
  assert.equal(f.vcpus, 1);
  assert.equal(f.memoryKiB, 131072);
  assert.equal(f.cpuTimeNs, 14_600_000_000);
  assert.deepEqual(f.interfaces, [{ mac: '52:54:00:00:00:10', tap: 'tap-chassis', source: 'vsimbr0', model: 'virtio', rxBytes: 3108, txBytes: 726, rxDrop: 0, txDrop: 0 }]);
  assert.deepEqual(f.disks, []);
  assert.equal(f.agentNote, 'argument unsupported: QEMU guest agent is not configured');

  const off = parseLiveFacts(marked(scriptOutput(fx('virsh-dominfo-edge-shutoff.txt'), fx('virsh-domiflist-edge-shutoff.txt'), '', '')), 'edge');
  assert.equal(off.state, 'shut off');
  assert.equal(off.cpuTimeNs, undefined);
  assert.equal(off.interfaces[0]?.tap, 'tap-edge');
  assert.equal(off.interfaces[0]?.rxBytes, undefined);
});

test('an unknown domain: the error names it and what virsh said', () => {
  assert.throws(() => parseLiveFacts(marked(scriptOutput("error: failed to get domain 'nosuch'\n", '', '', '', '1')), 'nosuch on hv1'),
    /virsh dominfo nosuch on hv1: error: failed to get domain 'nosuch'/);
});

test('one round trip: the constant script with the URI and the domain as arguments; the backend offers it', async () => {
  const r = fakeRunner(() => ({ stdout: scriptOutput(fx('virsh-dominfo-chassis.txt'), fx('virsh-domiflist-chassis.txt'), '', fx('virsh-domstats-chassis-storage.txt')) }));
  const topology = { version: 1, hosts: { h: {} }, vms: { 'edge.Gateway': { host: 'h', backend: 'libvirt' } } } as unknown as Topology;
  const f = await libvirtLiveFacts(() => 'qemu:///system').read({ hostName: 'h', host: {}, topology, run: r }, 'edge.Gateway');
  assert.equal(r.calls.length, 1);
  assert.deepEqual(r.calls[0]!.slice(3), ['vsim', 'qemu:///system', 'edge.Gateway']);
  assert.equal(f.vcpus, 1);
  assert.ok(createLibvirtBackend().liveFacts);
  execFileSync('dash', ['-n', '-c', LIVE_FACTS_SCRIPT]);
});
