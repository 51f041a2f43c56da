// Issue 20 item 7 against a REAL sshd: commands of one host run side by side (operations on one VM
// stay serialized by the per-VM queue), a command's timeout includes the time it waited for a slot,
// and a command that times out is killed with its process group, checked in /proc (the test's sshd
// runs on this machine).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { OperationQueue } from '../../../src/lab/queue';
import { KnownHostsPolicy } from '../../../src/remote/hostKeyPolicy';
import { SshPool, type PoolOptions } from '../../../src/remote/pool';
import { sshdMissingReason, TestSshd, waitFor } from './sshdFixture';

const skip = sshdMissingReason();
if (skip) console.log(`# skipping concurrency tests: ${skip}`);


/** Live (not zombie) processes whose command line contains `tag`. */
function processesWith(tag: string): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(tag)) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

describe('commands side by side on one host (real sshd)', { skip }, () => {
  let sshd: TestSshd;
  const pools: SshPool[] = [];

  before(async () => {
    sshd = new TestSshd('test-sshd-conc-');
    await sshd.start();
  });
  after(async () => {
    for (const p of pools) p.dispose();
    await sshd?.stop();
  });

  function host(alias: string, opts: Partial<PoolOptions> = {}): ReturnType<SshPool['get']> {
    const kh = sshd.writeKnownHosts('kh');
    const pool = new SshPool({ hostKeys: new KnownHostsPolicy({ askTrust: async () => false }), askPassphrase: async () => undefined, agentSocket: '', readyTimeoutMs: 10_000, ...opts });
    pools.push(pool);
    return pool.get({ alias, host: '127.0.0.1', port: sshd.port, user: sshd.user, identityFiles: [sshd.clientKey.file], knownHostsFiles: [kh], strictHostKeyChecking: 'ask' });
  }

  /** A command that says it runs (`flag`.running), then runs until `flag` exists (at most 60 s). */
  const untilFlag = (flag: string): string[] => ['sh', '-c', 'touch "$1.running"; i=0; while [ ! -f "$1" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i+1)); done; echo long-done', 'w', flag];

  test('two VMs keep answering while a long command runs for a third; the third VM\'s next operation waits for it', async () => {
    const h = host('conc-side');
    const queue = new OperationQueue();
    const flag = path.join(sshd.dir, `flag-${randomBytes(4).toString('hex')}`);
    let longDone = false;
    const long = queue.run('vm3', 'snapshot', () => h.shell.execOk(untilFlag(flag), { timeoutMs: 60_000 })).then((r) => { longDone = true; return r; });
    let nextOnVm3Done = false;
    const nextOnVm3 = queue.run('vm3', 'start', () => h.shell.execOk(['echo', 'vm3 next'])).then((r) => { nextOnVm3Done = true; return r; });
    await waitFor('the long command to run', () => existsSync(`${flag}.running`));
    const refresh = async (vm: string): Promise<string[]> => {
      const said: string[] = [];
      for (let i = 0; i < 5; i++) said.push((await queue.run(vm, 'refresh', () => h.shell.execOk(['echo', `${vm} ${i}`], { timeoutMs: 10_000 }))).stdout);
      return said;
    };
    const [a, b] = await Promise.all([refresh('vm1'), refresh('vm2')]);
    assert.deepEqual(a, [0, 1, 2, 3, 4].map((i) => `vm1 ${i}\n`));
    assert.deepEqual(b, [0, 1, 2, 3, 4].map((i) => `vm2 ${i}\n`));
    assert.equal(longDone, false, 'the refreshes answered while the long command was still running');
    assert.equal(nextOnVm3Done, false, 'the next operation on vm3 waits for the one running');
    assert.deepEqual(queue.ops('vm3').map((o) => [o.label, o.running]), [['snapshot', true], ['start', false]]);
    writeFileSync(flag, '');
    assert.equal((await long).stdout, 'long-done\n');
    assert.equal((await nextOnVm3).stdout, 'vm3 next\n');
  });

  test('a timeout counts the time spent waiting for a slot', async () => {
    const h = host('conc-queue', { maxConcurrentCommands: 1 });
    const flag = path.join(sshd.dir, `flag-${randomBytes(4).toString('hex')}`);
    let longDone = false;
    const long = h.shell.execOk(untilFlag(flag), { timeoutMs: 60_000 }).then((r) => { longDone = true; return r; });
    await waitFor('the long command to run', () => existsSync(`${flag}.running`));
    await assert.rejects(h.shell.exec(['echo', 'queued'], { timeoutMs: 300 }), (e: Error) => {
      assert.match(e.message, /^echo queued on conc-queue: timed out after 300 ms \(\d+ ms of it waiting for one of the 1 command slots of conc-queue\)$/);
      return true;
    });
    assert.equal(longDone, false, 'it timed out while still waiting, not after the long command');
    writeFileSync(flag, '');
    await long;
    assert.equal((await h.shell.exec(['echo', 'now'])).stdout, 'now\n');
  });

  for (const channel of [false, true]) {
    test(`a command that times out is killed with its process group (${channel ? 'own channel' : 'control shell'})`, async () => {
      const h = host(`conc-kill-${channel}`);
      const tag = `${300 + Math.floor(Math.random() * 1000)}.${randomBytes(3).readUIntBE(0, 3)}`;
      const started = path.join(sshd.dir, `started-${tag}`);
      const argv = ['sh', '-c', 'sleep "$1" & touch "$2"; sleep "$1"; echo never', 'k', tag, started];
      // Connected first: the deadline is for the command, not for an SSH handshake.
      await h.shell.exec(['true'], { channel });
      // Long enough for sshd to open an exec channel on a loaded machine before the deadline.
      const run = h.shell.exec(argv, { channel, timeoutMs: 6_000 });
      await waitFor('the command to start its sleeps', () => existsSync(started) && processesWith(tag).length >= 2);
      await assert.rejects(run, (e: Error) => /timed out after 6000 ms$/.test(e.message));
      // Killed before the caller heard of the timeout; a SIGKILLed process may take a moment to be reaped.
      await waitFor(`no process with ${tag} left`, () => processesWith(tag).length === 0, 5_000);
      assert.equal(h.shell.stats.killed, 1);
      assert.equal((await h.shell.exec(['echo', 'after'], { channel })).stdout, 'after\n');
    });
  }
});

describe('sshd refuses a channel over its MaxSessions (real sshd, MaxSessions 2)', { skip }, () => {
  let sshd: TestSshd;
  let pool: SshPool | undefined;

  before(async () => {
    sshd = new TestSshd('test-sshd-maxs-', { maxSessions: 2 });
    await sshd.start();
  });
  after(async () => {
    pool?.dispose();
    await sshd?.stop();
  });

  test('commands on their own channels beyond MaxSessions wait for a channel to close instead of failing', async () => {
    const kh = sshd.writeKnownHosts('kh');
    pool = new SshPool({ hostKeys: new KnownHostsPolicy({ askTrust: async () => false }), askPassphrase: async () => undefined, agentSocket: '', readyTimeoutMs: 10_000 });
    const h = pool.get({ alias: 'maxs', host: '127.0.0.1', port: sshd.port, user: sshd.user, identityFiles: [sshd.clientKey.file], knownHostsFiles: [kh], strictHostKeyChecking: 'ask' });
    // Six at once where sshd serves two: no control shell exists to fall back on.
    const runs = [1, 2, 3, 4, 5, 6].map((i) => h.shell.exec(['sh', '-c', 'sleep 0.3; echo "$1"', 'n', String(i)], { channel: true, timeoutMs: 60_000 }));
    const out = await Promise.allSettled(runs);
    assert.deepEqual(out.map((r) => (r.status === 'fulfilled' ? r.value.stdout : (r.reason as Error).message)), ['1\n', '2\n', '3\n', '4\n', '5\n', '6\n']);
    assert.equal(h.shell.stats.execCommands, 6);
  });
});
