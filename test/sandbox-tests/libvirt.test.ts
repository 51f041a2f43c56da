// libvirt backend against the sandbox's real libvirtd on vsim-hv1 over real OpenSSH.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { RemoteCommandError } from '../../src/backends/backend';
import { createLibvirtBackend } from '../../src/backends/libvirt/backend';
import { parseVirshList } from '../../src/backends/libvirt/parseList';
import { context, sandboxTopology, timeIt, writeFigures } from './lab';
import { sandboxEnv, until } from './sshRunner';

const env = sandboxEnv();
const skip = typeof env === 'string' ? env : false;
if (skip) console.log(`# SKIP libvirt sandbox tests: ${skip}`);
const topo = sandboxTopology();
const NAMES = ['chassis', 'compute', 'storage'];
// A domain of this test's own (defined from the topology, undefined at the end), so that other
// suites driving chassis/compute/storage at the same time do not race with it.
const VM = 'vsim-bt';
topo.vms = { ...topo.vms, [VM]: { host: 'vsim-hv1', backend: 'libvirt', accel: 'tcg', memory: 128,
  boot: { kernel: '/run/vsim-sandbox/guest/vmlinuz', initrd: '/run/vsim-sandbox/guest/initramfs.gz', cmdline: `console=ttyS0 vsim.hostname=${VM}` } } };
const LOG = `/run/vsim-sandbox/logs/console-${VM}.log`;
const figures: Record<string, unknown> = {};
let ctx: ReturnType<typeof context>;

before(async () => {
  if (typeof env === 'string') return;
  ctx = context(env, topo, 'vsim-hv1');
  await ctx.run.exec(['true']); // opens the master connection
});
after(async () => {
  if (typeof env === 'string') return;
  const b = createLibvirtBackend();
  await b.lifecycle(ctx, VM, 'destroy').catch(() => undefined);
  await b.undefine(ctx, VM).catch(() => undefined);
  ctx.run.close();
  writeFigures('libvirt', figures);
});

test('list: one round trip for all domains, states as virsh list says', { skip }, async () => {
  const b = createLibvirtBackend();
  const calls = ctx.run.calls.length;
  const l = await b.list(ctx, [...NAMES, 'not-defined']);
  assert.equal(ctx.run.calls.length - calls, 1, 'one exec');
  const truth = parseVirshList((await ctx.run.exec(['virsh', '-c', 'qemu:///system', '-q', 'list', '--all'])).stdout);
  for (const n of NAMES) {
    const d = truth.find((x) => x.name === n);
    assert.ok(d, `${n} defined`);
    assert.equal(l.vms[n]?.state, d.state === 'shutoff' ? 'stopped' : d.state === 'running' ? 'running' : l.vms[n]?.state, n);
  }
  assert.equal(l.vms['not-defined']?.state, 'missing');
  figures.listOpenConnectionMs = await timeIt(5, () => b.list(ctx, NAMES));
  const fresh = context(env as Exclude<typeof env, string>, topo, 'vsim-hv1', { fresh: true });
  figures.listFreshConnectionMs = await timeIt(3, () => b.list(fresh, NAMES));
  console.log(`# libvirt list (3 domains): open connection ${JSON.stringify(figures.listOpenConnectionMs)} ms, fresh ssh ${JSON.stringify(figures.listFreshConnectionMs)} ms`);
});

test('define, start seen by the event stream, re-list running; shutdown (ACPI) seen stopped; errors are clear', { skip }, async () => {
  const b = createLibvirtBackend({ shutdownTimeoutMs: 45_000 });
  await b.lifecycle(ctx, VM, 'destroy').catch(() => undefined);
  await b.define(ctx, VM, { serialLog: LOG });
  assert.equal((await b.list(ctx, [VM])).vms[VM]?.state, 'stopped');
  const seen: { names: string[] | 'all'; at: number }[] = [];
  const w = b.watch?.(ctx, (names) => seen.push({ names, at: Date.now() }));
  assert.ok(w);
  try {
    // The stream is up once a harmless event arrives: poll with starts only after virsh event runs.
    await until('virsh event running on the host', 10_000, async () =>
      (await ctx.run.exec(['sh', '-c', 'pgrep -f "virsh -c qemu:///system event --loop" >/dev/null && echo yes'])).stdout.includes('yes'));
    const t0 = Date.now();
    await b.lifecycle(ctx, VM, 'start');
    const ev = await until(`a lifecycle event for ${VM}`, 15_000, async () => seen.find((s) => Array.isArray(s.names) && s.names.includes(VM)), 5);
    figures.startToEventMs = ev.at - t0;
    assert.equal((await b.list(ctx, [VM])).vms[VM]?.state, 'running');
    await assert.rejects(b.lifecycle(ctx, VM, 'start'), (e: Error) => e instanceof RemoteCommandError &&
      /virsh -c qemu:\/\/\/system start vsim-bt on vsim-hv1 failed \(exit 1\): .*(already active|already running)/i.test(e.message));
    // Shutdown needs the guest's acpid; wait for its userland to be up before pressing the button.
    await until('guest up (serial log says ready)', 90_000, async () =>
      (await ctx.run.exec(['grep', '-qa', `vsim-guest ${VM} ready`, LOG])).code === 0, 250);
    const t1 = Date.now();
    await b.lifecycle(ctx, VM, 'shutdown');
    figures.acpiShutdownMs = Date.now() - t1;
    assert.equal((await b.list(ctx, [VM])).vms[VM]?.state, 'stopped');
    console.log(`# libvirt: virsh start -> event delivered ${String(figures.startToEventMs)} ms; ACPI shutdown ${String(figures.acpiShutdownMs)} ms`);
  } finally {
    w.dispose();
  }
});
