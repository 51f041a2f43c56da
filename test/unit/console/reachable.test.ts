import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { sshIdent, waitReachable, type ReachOptions } from '../../../src/console/reachable';

/** A loopback TCP server that runs `onConn` for each connection; its port. */
async function serve(onConn: (s: Socket) => void): Promise<{ server: Server; port: number }> {
  const server = createServer(onConn);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no port');
  return { server, port: addr.port };
}

const dial = (port: number) => () => new Promise<Socket>((resolve, reject) => {
  const s = connect(port, '127.0.0.1', () => resolve(s));
  s.once('error', reject);
});

test('sshIdent: the identification line, also after lines before it and split over packets', async () => {
  const { server, port } = await serve((s) => {
    s.write('a banner line\r\nSSH-2.0-drop');
    setTimeout(() => s.write('bear_2022.83\r\n'), 20);
  });
  try {
    assert.equal(await sshIdent(dial(port), 2000), 'SSH-2.0-dropbear_2022.83');
  } finally {
    server.close();
  }
});

test('sshIdent: a port that is not SSH, closes at once, stays silent, or refuses says so', async () => {
  const http = await serve((s) => s.end('HTTP/1.1 400 Bad Request\r\n\r\n'));
  const closes = await serve((s) => s.destroy());
  const silent = await serve(() => undefined);
  try {
    await assert.rejects(sshIdent(dial(http.port), 2000), /closed after "HTTP\/1\.1 400.*\(not SSH\)/);
    await assert.rejects(sshIdent(dial(closes.port), 2000), /closed without a word/);
    await assert.rejects(sshIdent(dial(silent.port), 150), /no SSH identification within 150 ms/);
  } finally {
    for (const s of [http, closes, silent]) s.server.close();
  }
  const gone = await serve(() => undefined);
  gone.server.close();
  await new Promise((r) => gone.server.once('close', r));
  await assert.rejects(sshIdent(dial(gone.port), 2000), /ECONNREFUSED/);
});

/** waitReachable on a fake clock: each sleep advances it; `answers` says which tries succeed. */
function clocked(answers: (i: number) => string | Error, over: Partial<ReachOptions> = {}) {
  let now = 0;
  let tries = 0;
  const sleeps: number[] = [];
  const o: ReachOptions = {
    probe: async () => {
      const a = answers(tries++);
      now += 10;
      if (a instanceof Error) throw a;
      return a;
    },
    intervalMs: 1000,
    timeoutMs: 5000,
    now: () => now,
    sleep: async (ms) => { sleeps.push(ms); now += ms; },
    cancelled: () => false,
    ...over,
  };
  return { o, sleeps };
}

test('waitReachable: retries a refused port until it answers, with the time it took', async () => {
  const { o, sleeps } = clocked((i) => (i < 3 ? new Error('connection refused') : 'SSH-2.0-OpenSSH_9.2'));
  assert.deepEqual(await waitReachable(o), { outcome: 'reachable', ident: 'SSH-2.0-OpenSSH_9.2', afterMs: 3040, tries: 4 });
  assert.deepEqual(sleeps, [1000, 1000, 1000]);
});

test('waitReachable: timeout after timeoutMs names the last error; the last sleep is cut to what is left', async () => {
  const { o, sleeps } = clocked(() => new Error('ECONNREFUSED'), { timeoutMs: 2500 });
  const r = await waitReachable(o);
  assert.equal(r.outcome, 'timeout');
  assert.equal(r.outcome === 'timeout' ? r.lastError : undefined, 'ECONNREFUSED');
  assert.ok(r.afterMs >= 2500, String(r.afterMs));
  assert.deepEqual(sleeps, [1000, 1000, 470]);
  assert.equal(r.tries, 4);
});

test('waitReachable: Cancel stops the waiting: no try after it', async () => {
  let cancel = false;
  const { o } = clocked((i) => {
    if (i === 1) cancel = true;
    return new Error('refused');
  }, { cancelled: () => cancel });
  const r = await waitReachable(o);
  assert.equal(r.outcome, 'cancelled');
  assert.equal(r.tries, 2);
  const pre = clocked(() => 'SSH-2.0-x', { cancelled: () => true });
  assert.deepEqual(await waitReachable(pre.o), { outcome: 'cancelled', afterMs: 0, tries: 0, lastError: 'not tried' });
});
