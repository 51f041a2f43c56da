// Streams that end with their channel, against a REAL local sshd through the pool (ssh2): a bound
// command that never writes is gone from this machine once the stream is disposed or the connection
// is dropped, while the same command unbound is still running (what left `virsh event --loop` on the
// hypervisor); the bound command's output and exit status are its own.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { boundToChannel, openStream } from '../../../src/remote/boundStream';
import { KnownHostsPolicy } from '../../../src/remote/hostKeyPolicy';
import { SshPool } from '../../../src/remote/pool';
import { sshdMissingReason, TestSshd, waitFor } from './sshdFixture';

const skip = sshdMissingReason();
if (skip) console.log(`# skipping bound stream tests: ${skip}`);

/** The pids of `sleep SECONDS` processes on this machine (sshd runs here). */
function sleeping(seconds: string): number[] {
  try {
    return execFileSync('pgrep', ['-x', '-f', `sleep ${seconds}`], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

/** A duration nobody else sleeps for, so pgrep finds only this test's process. */
const uniqueSleep = (): string => `${600 + randomInt(1000)}.${randomInt(1000, 9999)}`;

describe('streams bound to their channel (real sshd)', { skip }, () => {
  let sshd: TestSshd;
  let pool: SshPool;
  let n = 0;

  before(async () => {
    sshd = new TestSshd('test-sshd-bound-');
    await sshd.start();
    pool = new SshPool({ hostKeys: new KnownHostsPolicy({ askTrust: async () => false }), askPassphrase: async () => undefined, agentSocket: '', readyTimeoutMs: 10_000 });
  });
  after(async () => {
    pool?.dispose();
    await sshd?.stop();
  });

  function host(alias = `bound${n++}`): ReturnType<SshPool['get']> {
    const kh = sshd.writeKnownHosts(`kh-${alias}`);
    return pool.get({ alias, host: '127.0.0.1', port: sshd.port, user: sshd.user, identityFiles: [sshd.clientKey.file], knownHostsFiles: [kh], strictHostKeyChecking: 'ask' });
  }

  test('disposed: the bound command is gone from the host; the same command unbound is still running', async () => {
    const h = host();
    const [bound, unbound] = [uniqueSleep(), uniqueSleep()];
    const a = openStream(() => h.shell.stream(boundToChannel(['sleep', bound])), () => undefined);
    const b = openStream(() => h.shell.stream(['sleep', unbound]), () => undefined);
    await waitFor('both sleeps running', () => sleeping(bound).length === 1 && sleeping(unbound).length === 1);
    a.dispose();
    b.dispose();
    await waitFor('the bound sleep gone', () => sleeping(bound).length === 0);
    await a.done;
    const left = sleeping(unbound);
    for (const pid of left) process.kill(pid);
    // sshd closes a session channel only once its program exited: the unbound one closes now.
    await b.done;
    assert.equal(left.length, 1, 'unbound, the program outlives its closed channel (it would notice only at its next write)');
  });

  test('the connection dropped: the bound command is gone from the host', async () => {
    const alias = `drop${n++}`;
    const h = host(alias);
    const s = uniqueSleep();
    const st = openStream(() => h.shell.stream(boundToChannel(['sleep', s])), () => undefined);
    await waitFor('sleep running', () => sleeping(s).length === 1);
    pool.disconnect(alias);
    await waitFor('the sleep gone after the disconnect', () => sleeping(s).length === 0);
    await st.done;
    const again = await host(alias).shell.exec(['echo', 'back']);
    assert.deepEqual([again.code, again.stdout], [0, 'back\n'], 'the next use of the host connects afresh, control shell included');
  });

  test('output (stdout and stderr, bytes as written) and the exit status are the program\'s own', async () => {
    const h = host();
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const st = openStream(() => h.shell.stream(boundToChannel(['sh', '-c', 'printf "a\\0b\\377"; echo oops >&2; exit 3'])), (ch) => {
      ch.on('data', (d: Buffer) => out.push(d));
      ch.stderr.on('data', (d: Buffer) => err.push(d));
    });
    assert.equal(await st.done, 3);
    assert.deepEqual(Buffer.concat(out), Buffer.from([0x61, 0, 0x62, 0xff]));
    assert.equal(Buffer.concat(err).toString(), 'oops\n');
  });
});

test('boundToChannel: sh runs the wrapper with the program as its arguments (quoted later by buildCommand)', () => {
  const argv = boundToChannel(['virsh', '-c', 'qemu:///system', 'event', '--loop']);
  assert.deepEqual([argv[0], argv[1], argv[3]], ['sh', '-c', 'sh']);
  assert.deepEqual(argv.slice(4), ['virsh', '-c', 'qemu:///system', 'event', '--loop']);
  assert.throws(() => boundToChannel([]), /empty argv/);
});
