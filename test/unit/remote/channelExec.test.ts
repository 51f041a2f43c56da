// exec's `channel` option against a REAL local sshd: a command on its own exec channel runs while
// the control shell is busy (the shell runs one command at a time), and more channel commands than
// the per-connection bound all complete (queued, or on the shell when sshd refuses a channel).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { KnownHostsPolicy } from '../../../src/remote/hostKeyPolicy';
import { SshPool } from '../../../src/remote/pool';
import { sshdMissingReason, TestSshd } from './sshdFixture';

const skip = sshdMissingReason();
if (skip) console.log(`# skipping channel exec tests: ${skip}`);

describe('exec on its own channel (real sshd)', { skip }, () => {
  let sshd: TestSshd;
  let pool: SshPool;

  before(async () => {
    sshd = new TestSshd('test-sshd-chan-');
    await sshd.start();
    pool = new SshPool({ hostKeys: new KnownHostsPolicy({ askTrust: async () => false }), askPassphrase: async () => undefined, agentSocket: '', readyTimeoutMs: 10_000 });
  });
  after(async () => {
    pool?.dispose();
    await sshd?.stop();
  });

  function host(): ReturnType<SshPool['get']> {
    const kh = sshd.writeKnownHosts('kh');
    return pool.get({ alias: 'chan', host: '127.0.0.1', port: sshd.port, user: sshd.user, identityFiles: [sshd.clientKey.file], knownHostsFiles: [kh], strictHostKeyChecking: 'ask' });
  }

  test('a channel command runs while the shell waits for it (serialised, the two would deadlock)', async () => {
    const h = host();
    const flag = path.join(sshd.dir, 'flag');
    const waiting = h.shell.exec(['sh', '-c', 'i=0; while [ ! -f "$1" ] && [ $i -lt 2400 ]; do sleep 0.05; i=$((i+1)); done; [ -f "$1" ]', 'w', flag], { timeoutMs: 180_000 });
    const touched = await h.shell.exec(['touch', flag], { channel: true, timeoutMs: 60_000 });
    assert.deepEqual([touched.code, touched.via], [0, 'exec']);
    assert.equal((await waiting).code, 0, 'the shell command saw the file the channel command made');
  });

  test('more channel commands than the per-connection bound all complete, in order of their results', async () => {
    const h = host();
    const rs = await Promise.all(Array.from({ length: 9 }, (_, i) => h.shell.exec(['echo', String(i)], { channel: true, timeoutMs: 180_000 })));
    assert.deepEqual(rs.map((r) => [r.code, r.stdout]), Array.from({ length: 9 }, (_, i) => [0, `${i}\n`]));
  });
});
