import { chConsoleArgv } from '../../../src/backends/cloudHypervisor/consoleScript';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BackendContext, VmBackend } from '../../../src/backends/backend';
import { createBackends } from '../../../src/backends';
import { consoleCommand } from '../../../src/console/consoleCommand';
import { vmAddress, vmEndpoint } from '../../../src/console/vmEndpoint';
import type { Topology, Vm } from '../../../src/model/types';
import type { HostEndpoint } from '../../../src/remote/sshConfig';
import { socatConsoleArgv } from '../../../src/backends/serialSocket';

const topology: Topology = {
  version: 1, name: 't',
  hosts: { hv: { address: '10.0.0.1' } },
  vms: {
    a: { host: 'hv', backend: 'libvirt', nics: [{ network: 'n', ip: '192.168.100.10' }] },
    q: { host: 'hv', backend: 'qemu', sockets: { serial: '/run/q/serial.sock' } },
    c: { host: 'hv', backend: 'cloud-hypervisor', sockets: { api: '/run/c/api.sock', serial: '/run/c/serial.sock' } },
    m: { host: 'hv', backend: 'microvm', slot: 's1' },
    n: { host: 'hv', backend: 'libvirt', console: { kind: 'none' } },
  },
  slots: { s1: { host: 'hv', network: 'n', ip: '10.1.0.2' } },
} as unknown as Topology;
const ctx: BackendContext = { hostName: 'hv', host: { libvirtUri: 'qemu:///system' } as never, topology, run: { exec: async () => ({ stdout: '', stderr: '', code: 0, durationMs: 0 }) } };
const vm = (n: string) => topology.vms![n] as Vm;
const backends = createBackends();
const of = (n: string): VmBackend => backends[vm(n).backend];

test('consoleCommand: libvirt is `virsh console` with a pty, Ctrl-] detach, its banner as ready line, --force on request', () => {
  const c = consoleCommand(ctx, 'a', vm('a'), of('a'));
  // -q is dropped: the banner (filtered as noise) says when virsh is attached.
  assert.deepEqual(c.argv, ['virsh', '-c', 'qemu:///system', 'console', 'a']);
  assert.ok(c.readyLine?.test('Escape character is ^] (Ctrl + ])'));
  assert.equal(c.pty, true);
  assert.equal(c.detach, '\x1d');
  assert.equal(c.canForce, true);
  assert.deepEqual(consoleCommand(ctx, 'a', vm('a'), of('a'), true).argv, ['virsh', '-c', 'qemu:///system', 'console', '--force', 'a']);
});

test('consoleCommand: the backend console() wins; --force is added to a virsh argv that lacks it', () => {
  const backend = { kind: 'libvirt', tool: 'virsh', consoleOptions: { force: true }, console: () => ({ argv: ['virsh', '-q', '-c', 'qemu:///system', 'console', 'a'], pty: true }) } as unknown as VmBackend;
  assert.deepEqual(consoleCommand(ctx, 'a', vm('a'), backend, true).argv, ['virsh', '-c', 'qemu:///system', 'console', '--force', 'a']);
  const withOpts = { ...backend, console: (_c: unknown, n: string, o?: { force?: boolean }) => ({ argv: ['virsh', 'console', ...(o?.force ? ['--force'] : []), n], pty: true }) } as unknown as VmBackend;
  assert.deepEqual(consoleCommand(ctx, 'a', vm('a'), withOpts, true).argv, ['virsh', 'console', '--force', 'a']);
  // A backend without consoleOptions.force: force is not passed, and not offered.
  const noForce = { kind: 'qemu', tool: 'socat', console: (_c: unknown, _n: string, o?: { force?: boolean }) => ({ argv: ['socat', String(o?.force ?? false)], pty: true }) } as unknown as VmBackend;
  const c = consoleCommand(ctx, 'q', vm('q'), noForce, true);
  assert.deepEqual([c.argv, c.canForce], [['socat', 'false'], false]);
  assert.throws(() => consoleCommand(ctx, 'q', vm('q'), undefined), /No console for backend qemu/);
});

test('consoleCommand: qemu socat on the serial socket, cloud-hypervisor where vm.info says, microvm journal (read-only, no pty), none refused', () => {
  const q = consoleCommand(ctx, 'q', vm('q'), of('q'));
  assert.deepEqual(q.argv, socatConsoleArgv('/run/q/serial.sock'));
  // A serial socket can be taken over: its holders are stopped before socat attaches (serialSocket.ts).
  assert.equal(q.canForce, true);
  assert.deepEqual(consoleCommand(ctx, 'q', vm('q'), of('q'), true).argv, socatConsoleArgv('/run/q/serial.sock', true));
  assert.equal(q.detach, undefined);
  assert.equal(q.readyLine, undefined);
  // cloud-hypervisor: where vm.info says the serial is (consoleScript.ts), asked on its API socket.
  assert.deepEqual(consoleCommand(ctx, 'c', vm('c'), of('c')).argv, chConsoleArgv('/run/c/api.sock'));
  assert.deepEqual(consoleCommand(ctx, 'c', vm('c'), of('c'), true).argv, chConsoleArgv('/run/c/api.sock', true));
  const m = consoleCommand(ctx, 'm', vm('m'), of('m'));
  assert.equal(m.pty, false);
  assert.equal(m.readOnly, true);
  assert.ok(m.argv.includes('microvm@m'));
  assert.throws(() => consoleCommand(ctx, 'n', vm('n'), of('n')), /no console/);
});

test('vmAddress / vmEndpoint: NIC or slot IP; the hypervisor becomes the last jump hop', () => {
  assert.equal(vmAddress(topology, 'a'), '192.168.100.10');
  assert.equal(vmAddress(topology, 'm'), '10.1.0.2');
  assert.equal(vmAddress(topology, 'q'), undefined);
  const jump: HostEndpoint = { alias: 'j', host: 'j.example', port: 22, user: 'me', identityFiles: [], knownHostsFiles: ['/k'], strictHostKeyChecking: 'yes' };
  const hv: HostEndpoint = { alias: 'hv', host: '10.0.0.1', port: 2222, user: 'root', identityFiles: ['/id'], knownHostsFiles: ['/k'], strictHostKeyChecking: 'yes', jump: [jump] };
  const ep = vmEndpoint(hv, 'a', '192.168.100.10');
  assert.equal(ep.host, '192.168.100.10');
  assert.equal(ep.port, 22);
  assert.equal(ep.user, 'root');
  assert.deepEqual(ep.jump, [jump, hv]);
  assert.deepEqual(ep.identityFiles, ['/id']);
  assert.equal(ep.strictHostKeyChecking, 'ask'); // never silently, never a hard refusal for a new guest
  assert.equal(vmEndpoint({ ...hv, strictHostKeyChecking: 'accept-new' }, 'a', '1.2.3.4').strictHostKeyChecking, 'accept-new');
});
