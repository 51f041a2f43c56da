import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLibvirtBackend, isConsoleBusy, ShutdownTimeoutError } from '../../../src/backends/libvirt/backend';
import { RemoteCommandError, type CommandRunner } from '../../../src/backends/backend';
import type { Topology } from '../../../src/model/types';
import { ctxFor, fakeRunner } from '../fakes/runner';

const topo: Topology = {
  version: 1,
  hosts: { hv: { address: 'x', libvirtUri: 'qemu+ssh://root@hv/system' }, plain: { address: 'y' } },
  vms: {
    a: { host: 'hv', backend: 'libvirt', memory: 128, boot: { kernel: '/k' } },
    b: { host: 'hv', backend: 'libvirt' },
    gone: { host: 'hv', backend: 'libvirt' },
  },
};

const DOMSTATS = [
  "Domain: 'a'", '  state.state=1', '  state.reason=1', '',
  "Domain: 'b'", '  state.state=5', '  state.reason=2', '',
  "Domain: 'stray name'", '  state.state=3', '  state.reason=1', '',
].join('\n');

test('list: one `virsh domstats --state` for all domains; states, reasons, missing and undeclared', async () => {
  const run = fakeRunner(() => ({ stdout: DOMSTATS }));
  const l = await createLibvirtBackend().list(ctxFor(topo, 'hv', run), ['a', 'b', 'gone']);
  assert.deepEqual(run.calls, [['virsh', '-c', 'qemu+ssh://root@hv/system', 'domstats', '--state']]);
  assert.deepEqual(l.vms.a, { state: 'running', detail: 'running' });
  assert.deepEqual(l.vms.b, { state: 'stopped', detail: 'shut off (destroyed)' });
  assert.equal(l.vms.gone?.state, 'missing');
  assert.deepEqual(l.undeclared, [{ name: 'stray name', status: { state: 'paused', detail: 'paused (user)' } }]);
});

test('list: default URI qemu:///system; a virsh failure is a RemoteCommandError naming the host', async () => {
  const run = fakeRunner(() => ({ code: 1, stderr: 'error: failed to connect to the hypervisor' }));
  const ctx = ctxFor({ ...topo, vms: { c: { host: 'plain', backend: 'libvirt' } } }, 'plain', run);
  await assert.rejects(createLibvirtBackend().list(ctx, ['c']), (e: Error) =>
    e instanceof RemoteCommandError && /on plain failed \(exit 1\): error: failed to connect/.test(e.message));
  assert.deepEqual(run.calls[0], ['virsh', '-c', 'qemu:///system', 'domstats', '--state']);
});

test('lifecycle argv', async () => {
  const run = fakeRunner(() => ({}));
  const b = createLibvirtBackend();
  const ctx = ctxFor(topo, 'plain', run);
  for (const op of ['start', 'destroy', 'reboot', 'suspend', 'resume'] as const) await b.lifecycle(ctx, 'a', op);
  assert.deepEqual(run.calls.map((c) => c.slice(3).join(' ')), ['start a', 'destroy a', 'reboot a', 'suspend a', 'resume a']);
  await assert.rejects(b.lifecycle(ctx, 'a;reboot', 'start'), /Invalid domain name/);
});

test('shutdown waits for "shut off" by polling domstate', async () => {
  let polls = 0;
  const run = fakeRunner((argv) => (argv.includes('domstate') ? { stdout: ++polls < 3 ? 'in shutdown (user)\n' : 'shut off (shutdown)\n' } : {}));
  await createLibvirtBackend({ shutdownPollMs: 1 }).lifecycle(ctxFor(topo, 'plain', run), 'a', 'shutdown');
  assert.deepEqual(run.calls[0], ['virsh', '-c', 'qemu:///system', 'shutdown', 'a']);
  assert.deepEqual(run.calls[1], ['virsh', '-c', 'qemu:///system', 'domstate', '--reason', 'a']);
  assert.equal(polls, 3);
});

test('shutdown past the deadline: ShutdownTimeoutError offering destroy', async () => {
  const run = fakeRunner((argv) => (argv.includes('domstate') ? { stdout: 'running (booted)\n' } : {}));
  const b = createLibvirtBackend({ shutdownTimeoutMs: 30, shutdownPollMs: 5 });
  await assert.rejects(b.lifecycle(ctxFor(topo, 'plain', run), 'a', 'shutdown'), (e: Error) =>
    e instanceof ShutdownTimeoutError && e.offerDestroy && /a on plain did not stop within 0 s .*still running \(booted\).*Destroy/.test(e.message));
});

test('define sends the rendered XML on stdin; undefine; console with and without --force', async () => {
  const run = fakeRunner(() => ({}));
  const b = createLibvirtBackend();
  const ctx = ctxFor(topo, 'plain', run);
  await b.define(ctx, 'a');
  assert.deepEqual(run.calls[0], ['virsh', '-c', 'qemu:///system', 'define', '/dev/stdin']);
  assert.match(run.stdins[0] ?? '', /<domain type='kvm'>[\s\S]*<name>a<\/name>/);
  await b.undefine(ctx, 'a');
  assert.deepEqual(run.calls[1], ['virsh', '-c', 'qemu:///system', 'undefine', 'a']);
  assert.deepEqual(b.console(ctx, 'a'), { argv: ['virsh', '-q', '-c', 'qemu:///system', 'console', 'a'], pty: true });
  assert.deepEqual(b.console(ctx, 'a', { force: true }).argv, ['virsh', '-q', '-c', 'qemu:///system', 'console', '--force', 'a']);
  assert.ok(isConsoleBusy(new Error('error: operation failed: Active console session exists for this domain')));
});

test('watch: lifecycle lines → names; stream end → reconnect with backoff and "all"', async () => {
  const streams: { onLine: (l: string) => void; end: (code: number) => void; argv: readonly string[]; disposed: boolean }[] = [];
  const run: CommandRunner = {
    exec: async () => ({ stdout: '', stderr: '', code: 0, durationMs: 0 }),
    follow(argv, onLine) {
      let end!: (c: number) => void;
      const done = new Promise<number>((r) => (end = r));
      const s = { onLine, end, argv, disposed: false };
      streams.push(s);
      return { done, dispose: () => { s.disposed = true; end(0); } };
    },
  };
  const got: (string[] | 'all')[] = [];
  const w = createLibvirtBackend({ reconnectMinMs: 5, reconnectMaxMs: 20 }).watch?.(ctxFor(topo, 'plain', run), (n) => got.push(n));
  assert.ok(w);
  assert.deepEqual(streams[0]?.argv, ['virsh', '-c', 'qemu:///system', 'event', '--loop', '--all', '--timestamp']);
  streams[0]?.onLine("2026-11-23 07:09:10.833+0000: event 'lifecycle' for domain 'a': Started Booted");
  streams[0]?.onLine("2026-11-23 07:09:11.000+0000: event 'rtc-change' for domain 'a': 12");
  streams[0]?.onLine("event 'job-completed' for domain 'b':");
  streams[0]?.onLine('\toperation: 3');
  streams[0]?.onLine("event 'reboot' for domain 'b'");
  assert.deepEqual(got, [['a'], ['b']]);
  streams[0]?.end(1); // libvirtd restarted: "Disconnected from qemu:///system"
  const deadline = Date.now() + 2000;
  while (streams.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
  assert.equal(streams.length, 2);
  assert.deepEqual(got.at(-1), 'all');
  w.dispose();
  assert.equal(streams[1]?.disposed, true);
  await new Promise((r) => setTimeout(r, 30));
  assert.equal(streams.length, 2, 'no reconnect after dispose');
});

test('watch: one re-list ("all") once the new stream has surely subscribed (virsh does not say when)', async () => {
  const ends: ((c: number) => void)[] = [];
  const run: CommandRunner = {
    exec: async () => ({ stdout: '', stderr: '', code: 0, durationMs: 0 }),
    follow() {
      let end!: (c: number) => void;
      const done = new Promise<number>((r) => (end = r));
      ends.push(end);
      return { done, dispose: () => end(0) };
    },
  };
  const got: (string[] | 'all')[] = [];
  const w = createLibvirtBackend({ streamSettleMs: 20 }).watch?.(ctxFor(topo, 'plain', run), (n) => got.push(n));
  assert.ok(w);
  assert.deepEqual(got, [], 'nothing at once');
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(got, ['all'], 'one re-list after the settle time');
  await new Promise((r) => setTimeout(r, 60));
  assert.deepEqual(got, ['all'], 'only one');
  w.dispose();
});
