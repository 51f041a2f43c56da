// Large outputs against a REAL sshd (issue 20 item 8): 32 MiB is read whole on the control shell
// and on an own channel (the time it takes is a benchmark: bench/shell-output.bench.ts), and an
// output over the bound fails with a message naming the host and the command; the host keeps answering.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { KnownHostsPolicy } from '../../../src/remote/hostKeyPolicy';
import { SshPool } from '../../../src/remote/pool';
import { buildCommand } from '../../../src/remote/quote';
import { sshdMissingReason, TestSshd } from './sshdFixture';

const skip = sshdMissingReason();
if (skip) console.log(`# skipping output tests: ${skip}`);

const MiB = 1024 * 1024;
const sha = (s: string | Buffer): string => createHash('sha256').update(s).digest('hex');

describe('large outputs (real sshd)', { skip }, () => {
  let sshd: TestSshd;
  const pools: SshPool[] = [];

  before(async () => {
    sshd = new TestSshd('test-sshd-out-');
    await sshd.start();
  });
  after(async () => {
    for (const p of pools) p.dispose();
    await sshd?.stop();
  });

  function host(alias: string, maxOutputBytes?: number): ReturnType<SshPool['get']> {
    const kh = sshd.writeKnownHosts('kh');
    const pool = new SshPool({
      hostKeys: new KnownHostsPolicy({ askTrust: async () => false }), askPassphrase: async () => undefined, agentSocket: '', readyTimeoutMs: 10_000,
      ...(maxOutputBytes !== undefined ? { maxOutputBytes } : {}),
    });
    pools.push(pool);
    return pool.get({ alias, host: '127.0.0.1', port: sshd.port, user: sshd.user, identityFiles: [sshd.clientKey.file], knownHostsFiles: [kh], strictHostKeyChecking: 'ask' });
  }

  test('32 MiB of output is read whole, on the shell and on an own channel', { timeout: 120_000 }, async () => {
    const h = host('out-big');
    const argv = ['sh', '-c', 'yes "0123456789 abcdefghij 日本🙂" | head -c 33554432; echo tail >&2'];
    const expected = sha(execFileSync(argv[0] as string, argv.slice(1), { maxBuffer: 64 * MiB, stdio: ['ignore', 'pipe', 'ignore'] }));
    for (const channel of [false, true]) {
      const r = await h.shell.exec(argv, { channel, timeoutMs: 60_000 });
      assert.equal(r.via, channel ? 'exec' : 'shell');
      assert.deepEqual([r.code, r.stderr, Buffer.byteLength(r.stdout)], [0, 'tail\n', 32 * MiB]);
      assert.equal(sha(Buffer.from(r.stdout)), expected);
    }
  });

  test('output over the bound fails naming the host and the command (stdout, stderr, own channel); the host keeps answering', { timeout: 60_000 }, async () => {
    const h = host('out-bounded', MiB);
    const cases: [string[], boolean][] = [
      [['head', '-c', '2097152', '/dev/zero'], false],
      [['sh', '-c', 'head -c 2097152 /dev/zero >&2'], false],
      [['head', '-c', '2097152', '/dev/zero'], true],
    ];
    for (const [argv, channel] of cases) {
      await assert.rejects(h.shell.exec(argv, { channel }), (e: Error) => {
        assert.equal(e.message, `${buildCommand(argv)} on out-bounded: output exceeded 1 MiB (the bound of one command's output); the command was stopped`);
        return true;
      });
      const ok = await h.shell.exec(['echo', 'still here']);
      assert.equal(ok.stdout, 'still here\n');
    }
    const under = await h.shell.exec(['head', '-c', String(MiB), '/dev/zero']);
    assert.equal(under.stdout.length, MiB, 'exactly the bound is accepted');
  });
});
