import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, type LabDeps } from '../../../src/lab/lab';
import { OperationQueue } from '../../../src/lab/queue';
import { RefreshPolicy, type Timers } from '../../../src/lab/refreshPolicy';
import type { CommandRunner, VmBackend } from '../../../src/backends/backend';
import { mustRun } from '../../../src/backends/backend';
import type { Topology } from '../../../src/model/types';
import { fakeRunner } from '../fakes/runner';

function topology(n: number): Topology {
  const vms: Topology['vms'] = {};
  for (let i = 0; i < n; i++) vms[`vm${i}`] = { host: 'h1', backend: 'libvirt' };
  return { version: 1, hosts: { h1: { address: 'x' } }, vms };
}

const runner = fakeRunner;

const fakeLibvirt: VmBackend = {
  kind: 'libvirt',
  tool: 'virsh',
  async list(ctx, names) {
    const r = await mustRun(ctx, ['virsh', 'list']);
    const running = new Set(r.stdout.split('\n').filter(Boolean));
    return {
      vms: Object.fromEntries(names.map((n) => [n, { state: running.has(n) ? 'running' as const : 'stopped' as const }])),
      undeclared: [...running].filter((n) => !names.includes(n)).map((name) => ({ name, status: { state: 'running' as const } })),
    };
  },
  async lifecycle(ctx, vm, op) {
    await mustRun(ctx, ['virsh', op, vm]);
  },
};

function deps(run: CommandRunner, trusted = true): LabDeps {
  return { runnerFor: async () => run, backends: { libvirt: fakeLibvirt }, trusted: () => trusted };
}

test('one listing round trip per host and backend, for 1 VM and for 100 VMs', async () => {
  for (const n of [1, 100]) {
    const r = runner(() => ({ stdout: 'vm0\nstray\n' }));
    const lab = new Lab(topology(n), deps(r));
    await lab.refresh('h1');
    assert.equal(r.calls.length, 1);
    assert.equal(lab.host('h1').connection.kind, 'connected');
    assert.equal(lab.host('h1').vms.vm0?.state, 'running');
    if (n > 1) assert.equal(lab.host('h1').vms.vm1?.state, 'stopped');
    assert.deepEqual(lab.host('h1').undeclared.map((u) => u.name), ['stray']);
  }
});

test('concurrent refreshes of a host share one round trip', async () => {
  const r = runner(() => ({ stdout: '' }));
  const lab = new Lab(topology(3), deps(r));
  await Promise.all([lab.refresh('h1'), lab.refresh('h1'), lab.refresh('h1')]);
  assert.equal(r.calls.length, 1);
});

test('a host without the backend tool is shown as missing it, with the reason', async () => {
  const r = runner(() => ({ code: 127, stderr: 'sh: 1: virsh: not found' }));
  const lab = new Lab(topology(1), deps(r));
  await lab.refresh('h1');
  const c = lab.host('h1').connection;
  assert.equal(c.kind, 'missing-tool');
  assert.match(c.kind === 'missing-tool' ? c.message : '', /virsh is not installed on h1/);
});

test('an unreachable host is an error with the reason; untrusted workspaces never connect', async () => {
  const lab = new Lab(topology(1), { runnerFor: async () => { throw new Error('connect ECONNREFUSED 127.0.0.1:2222'); }, backends: { libvirt: fakeLibvirt }, trusted: () => true });
  await lab.refresh('h1');
  const c = lab.host('h1').connection;
  assert.equal(c.kind, 'error');
  assert.match(c.kind === 'error' ? c.message : '', /ECONNREFUSED/);

  let asked = 0;
  const untrusted = new Lab(topology(1), { runnerFor: async () => { asked++; throw new Error('no'); }, backends: {}, trusted: () => false });
  await untrusted.refresh('h1');
  assert.equal(untrusted.host('h1').connection.kind, 'untrusted');
  assert.equal(asked, 0);
  await assert.rejects(untrusted.lifecycle('vm0', 'start'), /not trusted/);
});

test('a host that becomes unreachable: its VMs are unknown, with the last known state and when it was seen', async () => {
  let down: Error | undefined;
  const r = runner(() => ({ stdout: 'vm0\nstray\n' }));
  const lab = new Lab(topology(2), { runnerFor: async () => { if (down) throw down; return r; }, backends: { libvirt: fakeLibvirt }, trusted: () => true });
  await lab.refresh('h1');
  const seenAt = lab.host('h1').refreshedAt ?? 0;
  assert.equal(lab.host('h1').vms.vm0?.state, 'running');
  const at = new Date(seenAt).toLocaleTimeString();
  for (const [i, reason] of ['connect ECONNREFUSED 127.0.0.1:2222', 'Host key for h1 changed'].entries()) {
    down = new Error(reason);
    await lab.refresh('h1');
    const h = lab.host('h1');
    assert.deepEqual(h.connection, { kind: 'error', message: reason });
    assert.deepEqual(h.vms.vm0, { state: 'unknown', detail: `last known running at ${at}`, lastKnown: { state: 'running', at: seenAt } }, `failure ${i + 1}: still the first time seen`);
    assert.deepEqual(h.vms.vm1?.lastKnown, { state: 'stopped', at: seenAt });
    assert.equal(h.undeclared[0]?.status.state, 'unknown');
    assert.equal(h.refreshedAt, seenAt, 'the time of the last listing is kept');
  }
  down = undefined;
  await lab.refresh('h1');
  assert.deepEqual(lab.host('h1').vms.vm0, { state: 'running' }, 'back: listed afresh');
  // A tool that disappeared: the same.
  const gone = runner(() => ({ code: 127, stderr: 'sh: 1: virsh: not found' }));
  const lab2 = new Lab(topology(1), { runnerFor: async () => (down ? gone : r), backends: { libvirt: fakeLibvirt }, trusted: () => true });
  await lab2.refresh('h1');
  down = new Error('x');
  await lab2.refresh('h1');
  assert.equal(lab2.host('h1').connection.kind, 'missing-tool');
  assert.equal(lab2.host('h1').vms.vm0?.lastKnown?.state, 'running');
});

test('offline: true — the hosts show offline, nothing connects, operations say why', async () => {
  let asked = 0;
  const lab = new Lab({ ...topology(1), offline: true }, { runnerFor: async () => { asked++; return runner(() => ({})); }, backends: { libvirt: fakeLibvirt }, trusted: () => true });
  await lab.refresh('h1');
  assert.deepEqual(lab.host('h1').connection, { kind: 'offline' });
  await assert.rejects(lab.lifecycle('vm0', 'start'), /offline: true: vsim does not connect to h1/);
  assert.throws(() => lab.hostTarget('h1'), /offline: true/);
  assert.equal(asked, 0);
});

test('change events fire only when the state changed', async () => {
  const r = runner(() => ({ stdout: 'vm0\n' }));
  const lab = new Lab(topology(1), deps(r));
  let fired = 0;
  lab.onDidChange(() => fired++);
  await lab.refresh('h1');
  const afterFirst = fired;
  assert.ok(afterFirst >= 1);
  await lab.refresh('h1');
  assert.equal(fired, afterFirst, 'an identical listing must not fire');
});

test('lifecycle runs the backend operation, then refreshes; failures name host, command and stderr', async () => {
  const r = runner((argv) => (argv[1] === 'start' ? { code: 1, stderr: 'error: Failed to start domain vm0' } : { stdout: '' }));
  const lab = new Lab(topology(1), deps(r));
  await assert.rejects(lab.lifecycle('vm0', 'start'), /virsh start vm0 on h1 failed \(exit 1\): error: Failed to start domain vm0/);
  const ok = runner(() => ({ stdout: 'vm0\n' }));
  const lab2 = new Lab(topology(1), deps(ok));
  await lab2.lifecycle('vm0', 'start');
  assert.deepEqual(ok.calls.map((c) => c.join(' ')), ['virsh start vm0', 'virsh list']);
  assert.equal(lab2.host('h1').vms.vm0?.state, 'running');
});

test('operations on the same VM queue and never interleave; other VMs run meanwhile', async () => {
  const q = new OperationQueue();
  const log: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const a = q.run('vm0', 'stop', async () => { log.push('stop:start'); await gate; log.push('stop:end'); });
  const b = q.run('vm0', 'snapshot', async () => { log.push('snapshot'); });
  const c = q.run('vm1', 'start', async () => { log.push('vm1'); });
  await c;
  assert.deepEqual(q.ops('vm0').map((o) => `${o.label}:${o.running}`), ['stop:true', 'snapshot:false']);
  release();
  await Promise.all([a, b]);
  assert.deepEqual(log, ['stop:start', 'vm1', 'stop:end', 'snapshot']);
  assert.equal(q.ops('vm0').length, 0);
  // A failing operation does not block the next one.
  await assert.rejects(q.run('vm2', 'x', async () => { throw new Error('boom'); }), /boom/);
  assert.equal(await q.run('vm2', 'y', async () => 42), 42);
});

class FakeTimers implements Timers {
  private seq = 0;
  readonly pending = new Map<number, { f: () => void; at: number }>();
  now = 0;
  setTimeout(f: () => void, ms: number): number {
    const id = ++this.seq;
    this.pending.set(id, { f, at: this.now + ms });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.pending.delete(h as number);
  }
  advance(ms: number): void {
    const end = this.now + ms;
    for (;;) {
      const next = [...this.pending.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!next) break;
      this.pending.delete(next[0]);
      this.now = next[1].at;
      next[1].f();
    }
    this.now = end;
  }
}

/** A RefreshPolicy over hosts h1 and h2 (h2 has an event stream), on fake timers, recording what it does. */
function policyUnderTest(pollMs = 10_000) {
  const calls = { refreshed: [] as string[], watched: [] as string[], unwatched: 0 };
  const target = {
    hostNames: () => ['h1', 'h2'],
    refresh: async (h: string) => { calls.refreshed.push(h); },
    watch: async (h: string) => { calls.watched.push(h); },
    unwatch: () => { calls.unwatched++; },
    isFullyWatched: (h: string) => h === 'h2',
  };
  const timers = new FakeTimers();
  const p = new RefreshPolicy(target, { pollMs, debounceMs: 100 }, timers);
  /** What was refreshed and watched while `f` ran (sorted). */
  const during = (f: () => void) => {
    const [r, w] = [calls.refreshed.length, calls.watched.length];
    f();
    return { refreshed: calls.refreshed.slice(r).sort(), watched: calls.watched.slice(w).sort() };
  };
  return { p, timers, calls, during };
}

test('refresh policy: a tiny poll interval (pollSeconds 0.001) polls once a second, not every millisecond', () => {
  const { p, timers, calls } = policyUnderTest(1);
  p.setViewer('tree', true);
  timers.advance(200);
  const before = calls.refreshed.length;
  timers.advance(10_000);
  const polled = calls.refreshed.length - before;
  assert.ok(polled >= 9 && polled <= 11, `h1 polled ${polled} times in 10 s`);
  p.dispose();
});

test('refresh policy: nothing at all while hidden', () => {
  const { p, timers, during } = policyUnderTest();
  assert.deepEqual(during(() => timers.advance(60_000)), { refreshed: [], watched: [] });
  p.dispose();
});

test('refresh policy: shown, every host is refreshed and watched once (requests debounced)', () => {
  const { p, timers, during } = policyUnderTest();
  assert.deepEqual(during(() => {
    p.setVisible(true);
    p.request('h1');
    p.request('h1');
    timers.advance(100);
  }), { refreshed: ['h1', 'h2'], watched: ['h1', 'h2'] });
  p.dispose();
});

test('refresh policy: polls only the hosts without an event stream', () => {
  const { p, timers, during } = policyUnderTest();
  p.setVisible(true);
  timers.advance(100);
  assert.deepEqual(during(() => timers.advance(10_000 + 100)).refreshed, ['h1'], 'h2 has an event stream: not polled');
  p.dispose();
});

test('refresh policy: a topology graph showing live state keeps the work going when the tree hides', () => {
  const { p, timers, calls, during } = policyUnderTest();
  p.setVisible(true);
  timers.advance(100);
  p.setViewer('graph', true);
  p.setVisible(false);
  assert.equal(calls.unwatched, 0, 'the graph still shows live state');
  assert.deepEqual(during(() => timers.advance(10_000 + 100)).refreshed, ['h1']);
  p.setViewer('graph', false);
  assert.equal(calls.unwatched, 1, 'nothing shows live state any more');
  p.dispose();
});

test('refresh policy: restart (workspace trust granted) while only the graph is visible: every host again', () => {
  const { p, timers, during } = policyUnderTest();
  p.setViewer('graph', true);
  timers.advance(100);
  assert.deepEqual(during(() => {
    p.restart();
    timers.advance(100);
  }), { refreshed: ['h1', 'h2'], watched: ['h1', 'h2'] });
  p.dispose();
});

test('refresh policy: restart while nothing is visible does nothing', () => {
  const { p, timers, during } = policyUnderTest();
  p.setViewer('graph', true);
  timers.advance(100);
  p.setViewer('graph', false);
  assert.deepEqual(during(() => {
    p.restart();
    timers.advance(120_000);
  }), { refreshed: [], watched: [] });
  p.dispose();
});

test('refresh policy: hosts that appear while a view is shown (a file turned valid) are refreshed and watched at once; hidden, not', () => {
  const { p, timers, during } = policyUnderTest();
  assert.deepEqual(during(() => {
    p.track(['h3']);
    timers.advance(60_000);
  }), { refreshed: [], watched: [] }, 'hidden: nothing (showing a view starts every host)');
  p.setVisible(true);
  timers.advance(100);
  assert.deepEqual(during(() => {
    p.track(['h3']);
    timers.advance(100);
  }), { refreshed: ['h3'], watched: ['h3'] });
  p.dispose();
});

test('a host removed from the file stops being watched', async () => {
  const disposed: string[] = [];
  const watching: VmBackend = { ...fakeLibvirt, watch: (ctx) => ({ dispose: () => disposed.push(ctx.hostName) }) };
  const two: Topology = { version: 1, hosts: { h1: { address: 'x' }, h2: { address: 'y' } }, vms: { a: { host: 'h1', backend: 'libvirt' }, b: { host: 'h2', backend: 'libvirt' } } };
  const lab = new Lab(two, { runnerFor: async () => runner(() => ({ stdout: '' })), backends: { libvirt: watching }, trusted: () => true });
  await lab.watch('h1');
  await lab.watch('h2');
  assert.ok(lab.isFullyWatched('h2'));
  lab.setTopology({ ...two, hosts: { h1: { address: 'x' } }, vms: { a: { host: 'h1', backend: 'libvirt' } } });
  assert.deepEqual(disposed, ['h2']);
  assert.equal(lab.isFullyWatched('h2'), false);
  assert.ok(lab.isFullyWatched('h1'));
  lab.dispose();
});

test('Disconnect from Host: shown disconnected with the last known states; no listing, stream or command reaches it until connect()', async () => {
  let dialled = 0;
  let release: (() => void) | undefined;
  const r = runner(() => ({ stdout: 'vm0\n' }));
  const disposed: string[] = [];
  const watching: VmBackend = { ...fakeLibvirt, watch: (ctx) => ({ dispose: () => disposed.push(ctx.hostName) }) };
  const lab = new Lab(topology(1), {
    runnerFor: async () => { dialled++; if (release === undefined) return r; await new Promise<void>((res) => { release = res; }); return r; },
    backends: { libvirt: watching }, trusted: () => true,
  });
  release = undefined;
  await lab.refresh('h1');
  await lab.watch('h1');
  const seenAt = lab.host('h1').refreshedAt ?? 0;
  lab.disconnect('h1');
  assert.deepEqual(disposed, ['h1'], 'its stream stopped');
  assert.deepEqual(lab.host('h1').connection, { kind: 'disconnected' });
  assert.deepEqual(lab.host('h1').vms.vm0, { state: 'unknown', detail: `last known running at ${new Date(seenAt).toLocaleTimeString()} (disconnected)`, lastKnown: { state: 'running', at: seenAt } });
  const n = dialled;
  await lab.refresh('h1');
  await lab.watch('h1');
  assert.equal(dialled, n, 'a refresh (a poll) or a watch does not connect');
  assert.equal(lab.isFullyWatched('h1'), false);
  assert.deepEqual(lab.host('h1').connection, { kind: 'disconnected' });
  await assert.rejects(lab.lifecycle('vm0', 'shutdown'), /h1 is disconnected: use "Connect to Host"/);
  assert.match((await lab.plan()).hosts.find((h) => h.host === 'h1')?.error ?? '', /h1 is disconnected/, 'plan: the host cannot be inspected, and says why');
  lab.connect('h1');
  await lab.refresh('h1');
  assert.deepEqual(lab.host('h1').connection, { kind: 'connected' });
  assert.equal(lab.host('h1').vms.vm0?.state, 'running');
  // A listing in flight when the user disconnects does not make the host connected again.
  release = () => undefined;
  const inFlight = lab.refresh('h1');
  await new Promise((res) => setImmediate(res));
  lab.disconnect('h1');
  release();
  await inFlight;
  assert.deepEqual(lab.host('h1').connection, { kind: 'disconnected' });
  lab.dispose();
});

test('refresh policy: a start watches its hosts a timer turn apart; hidden before the rest, they stay unwatched', () => {
  const { p, timers, calls } = policyUnderTest();
  p.setVisible(true);
  assert.deepEqual(calls.watched, ['h1'], 'the first host at once');
  timers.advance(0);
  assert.deepEqual(calls.watched, ['h1', 'h2'], 'the next one turn later');
  timers.advance(100);
  assert.deepEqual(calls.refreshed, ['h1', 'h2'], 'refreshes one by one after the debounce');
  p.setVisible(false);
  calls.watched.length = 0;
  p.setVisible(true);
  p.setVisible(false);
  timers.advance(1000);
  assert.deepEqual(calls.watched, ['h1'], 'the start that was stopped watches nothing more');
  p.dispose();
});
