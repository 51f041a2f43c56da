// The connection state machine with an injected clock and dialer: backoff, give-up, reconnect on use,
// idle close. No server and no sleeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Client } from 'ssh2';
import { backoffDelay, SshConnection, type StateChange, type Timers } from '../../../src/remote/connection';
import type { DialedChain } from '../../../src/remote/dial';
import type { HostEndpoint } from '../../../src/remote/sshConfig';

class FakeTimers implements Timers {
  t = 0;
  private next = 1;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();
  now(): number { return this.t; }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.next++;
    this.pending.set(id, { at: this.t + ms, fn });
    return id;
  }
  clearTimeout(h: unknown): void { this.pending.delete(h as number); }
  /** Advances the clock, firing due timers in order. */
  advance(ms: number): void {
    const end = this.t + ms;
    for (;;) {
      const due = [...this.pending.entries()].filter(([, v]) => v.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    this.t = end;
  }
  get count(): number { return this.pending.size; }
}

class FakeClient extends EventEmitter {
  ended = false;
  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.emit('close');
  }
}

const ep: HostEndpoint = { alias: 'hv', host: '127.0.0.1', port: 22, user: 'root', identityFiles: [], knownHostsFiles: [], strictHostKeyChecking: 'ask' };
const flush = () => new Promise((r) => setImmediate(r));

function setup(results: Array<'ok' | 'fail'>, idleMs = 0) {
  const timers = new FakeTimers();
  const clients: FakeClient[] = [];
  let dials = 0;
  const conn = new SshConnection(ep, {
    timers,
    idleMs,
    reconnect: { baseMs: 100, maxMs: 400, maxAttempts: 3 },
    dial: async (): Promise<DialedChain> => {
      const r = results[dials++] ?? 'ok';
      if (r === 'fail') throw new Error('Cannot connect to hv (127.0.0.1:22): connection refused');
      const c = new FakeClient();
      clients.push(c);
      return { client: c as unknown as Client, end: () => c.end() };
    },
  });
  const states: StateChange[] = [];
  conn.onDidChangeState((s) => states.push(s));
  return { timers, clients, conn, states, dials: () => dials };
}

test('backoff doubles up to the cap', () => {
  const p = { baseMs: 100, maxMs: 400, maxAttempts: 3 };
  assert.deepEqual([1, 2, 3, 4, 5].map((n) => backoffDelay(n, p)), [100, 200, 400, 400, 400]);
});

test('connects once and reuses the client', async () => {
  const s = setup([]);
  const a = await s.conn.client();
  const b = await s.conn.client();
  assert.equal(a, b);
  assert.equal(s.dials(), 1);
  assert.equal(s.conn.handshakes, 1);
  assert.deepEqual(s.states.map((x) => x.state), ['connecting', 'ready']);
});

test('a drop reconnects with backoff, gives up after maxAttempts, and a later use connects at once', async () => {
  const s = setup(['ok', 'fail', 'fail', 'fail', 'ok']);
  await s.conn.client();
  s.clients[0]?.emit('close'); // the server went away
  assert.equal(s.conn.state, 'reconnecting');
  s.timers.advance(99);
  assert.equal(s.dials(), 1);
  s.timers.advance(1);
  await flush();
  assert.equal(s.dials(), 2);
  s.timers.advance(200);
  await flush();
  assert.equal(s.dials(), 3);
  s.timers.advance(400);
  await flush();
  assert.equal(s.dials(), 4);
  assert.equal(s.conn.state, 'disconnected');
  assert.match(s.conn.lastError?.message ?? '', /connection refused/);
  assert.equal(s.timers.count, 0);
  assert.deepEqual(s.states.filter((x) => x.state === 'reconnecting' && x.error).map((x) => x.attempt), [1, 2, 3]);
  await s.conn.client();
  assert.equal(s.conn.state, 'ready');
  assert.equal(s.conn.handshakes, 2);
});

test('a use during backoff connects now instead of waiting', async () => {
  const s = setup(['ok', 'ok']);
  await s.conn.client();
  s.clients[0]?.emit('close');
  assert.equal(s.timers.count, 1);
  await s.conn.client();
  assert.equal(s.conn.state, 'ready');
  assert.equal(s.dials(), 2);
  assert.equal(s.timers.count, 0);
});

test('idle close after idleMs unused, not while held', async () => {
  const s = setup([], 60_000);
  await s.conn.client();
  const release = s.conn.hold();
  s.timers.advance(120_000);
  assert.equal(s.conn.state, 'ready');
  release();
  s.timers.advance(59_999);
  assert.equal(s.conn.state, 'ready');
  s.timers.advance(1);
  assert.equal(s.conn.state, 'disconnected');
  assert.equal(s.clients[0]?.ended, true);
  assert.equal(s.timers.count, 0); // an idle close does not schedule reconnects
  await s.conn.client();
  assert.equal(s.dials(), 2);
});

test('dispose closes and refuses further use', async () => {
  const s = setup([]);
  await s.conn.client();
  s.conn.dispose();
  assert.equal(s.conn.state, 'closed');
  await assert.rejects(s.conn.client(), /closed/);
  assert.equal(s.timers.count, 0);
});
