// Issue 20 item 5 (SSH parts), against a REAL local sshd, with endpoints resolved from ssh config
// text and, where OpenSSH's own verdict is the reference, the same config run by real `ssh`:
// hashed known_hosts and a HostName with capitals, @revoked in the GlobalKnownHostsFile,
// a host named only by @cert-authority, HostKeyAlias for lookup and write, IdentitiesOnly against a
// real ssh-agent.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fingerprint } from '../../../src/remote/knownHosts';
import { HostKeyError, KnownHostsPolicy } from '../../../src/remote/hostKeyPolicy';
import { SshPool } from '../../../src/remote/pool';
import { resolveSshDestination, type HostEndpoint } from '../../../src/remote/sshConfig';
import type { SshEnv } from '../../../src/remote/sshTokens';
import { keygen, sshdMissingReason, TestSshd, waitFor } from './sshdFixture';

const skip = sshdMissingReason();


describe('known_hosts and identities over a real sshd', { skip }, () => {
  let sshd: TestSshd;
  const pools: SshPool[] = [];
  let agent: ChildProcess | undefined;

  before(async () => {
    sshd = new TestSshd('test-sshd-keys-');
    await sshd.start();
  });
  after(async () => {
    for (const p of pools) p.dispose();
    if (agent?.pid && agent.exitCode === null) {
      const gone = new Promise((r) => agent?.once('exit', r));
      agent.kill('SIGTERM');
      await gone;
    }
    await sshd?.stop();
  });

  const env = (): SshEnv => ({ home: sshd.dir, localUser: sshd.user, uid: 0, thisHost: 'here', vars: {}, userHome: () => undefined });

  function file(name: string, text: string): string {
    const f = path.join(sshd.dir, name);
    writeFileSync(f, text);
    return f;
  }

  /** An ssh config for alias `lab` at our sshd: `lines` first (the first value wins), then the defaults. */
  function config(name: string, lines: string[]): string {
    return file(name, [
      'Host lab', ...lines.map((l) => `  ${l}`), `  Port ${sshd.port}`, `  User ${sshd.user}`, `  IdentityFile ${sshd.clientKey.file}`,
      '  IdentitiesOnly yes', '  IdentityAgent none', '  GlobalKnownHostsFile /dev/null', '',
    ].join('\n'));
  }

  function endpointOf(cfg: string): HostEndpoint {
    return resolveSshDestination('lab', readFileSync(cfg, 'utf8'), env());
  }

  /** vsim: connect and run `true`; returns 'ok' or the error. */
  async function vsim(ep: HostEndpoint, agentSocket = ''): Promise<'ok' | Error> {
    const p = new SshPool({
      hostKeys: new KnownHostsPolicy({ askTrust: async () => { throw new Error('asked to trust'); } }),
      askPassphrase: async () => undefined, agentSocket, readyTimeoutMs: 10_000, reconnect: { maxAttempts: 0 },
    });
    pools.push(p);
    try {
      await p.get(ep).shell.execOk(['true']);
      return 'ok';
    } catch (err) {
      return err as Error;
    } finally {
      p.dispose();
    }
  }

  /** OpenSSH with the same config file: exit code and output. */
  function openssh(cfg: string): { code: number; out: string } {
    const r = spawnSync('ssh', ['-F', cfg, '-o', 'BatchMode=yes', 'lab', 'true'], { encoding: 'utf8', timeout: 15_000 });
    return { code: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
  }

  const hostLine = (name: string) => `${name} ${sshd.hostKey.type} ${sshd.hostKey.blob.toString('base64')}`;

  test('hashed known_hosts (ssh-keygen -H) match a HostName with capitals, lower-cased as ssh does before hashing', async () => {
    const kh = file('kh-hashed', `${hostLine(`[localhost]:${sshd.port}`)}\n`);
    execFileSync('ssh-keygen', ['-q', '-H', '-f', kh], { stdio: 'ignore' });
    assert.doesNotMatch(readFileSync(kh, 'utf8'), /localhost/);
    const cfg = config('cfg-hashed', ['HostName LocalHost', `UserKnownHostsFile ${kh}`, 'StrictHostKeyChecking yes']);
    const ep = endpointOf(cfg);
    assert.equal(ep.host, 'localhost');
    assert.equal(openssh(cfg).code, 0, 'OpenSSH finds the hashed entry');
    assert.equal(await vsim(ep), 'ok');
    // Not only the resolver: the policy lower-cases a hand-made endpoint's host itself.
    assert.equal(await vsim({ ...ep, host: 'LOCALHOST' }), 'ok');
  });

  test('GlobalKnownHostsFile is read, and its @revoked line refuses a key the user file pins (FILE:LINE named)', async () => {
    const user = file('kh-user-rev', `${hostLine(`[127.0.0.1]:${sshd.port}`)}\n`);
    const global = file('kh-global-rev', `# fleet\n@revoked * ${sshd.hostKey.type} ${sshd.hostKey.blob.toString('base64')}\n`);
    const cfg = config('cfg-rev', ['HostName 127.0.0.1', `UserKnownHostsFile ${user}`, `GlobalKnownHostsFile ${global}`, 'StrictHostKeyChecking yes']);
    const ep = endpointOf(cfg);
    assert.deepEqual(ep.globalKnownHostsFiles, [global]);
    const ssh = openssh(cfg);
    assert.notEqual(ssh.code, 0);
    assert.match(ssh.out, /REVOKED/);
    const r = await vsim(ep);
    assert.ok(r instanceof Error && /marked @revoked/.test(r.message) && r.message.includes(`${global}:2`), String(r));
    // The global file alone pins the key too (read, never written).
    const pinned = file('kh-global-pin', `${hostLine(`[127.0.0.1]:${sshd.port}`)}\n`);
    assert.equal(await vsim({ ...ep, knownHostsFiles: [file('kh-user-empty', '')], globalKnownHostsFiles: [pinned] }), 'ok');
    assert.equal(readFileSync(pinned, 'utf8'), `${hostLine(`[127.0.0.1]:${sshd.port}`)}\n`);
  });

  test('a host named only by @cert-authority: refused clearly even with accept-new, nothing written', async () => {
    const ca = keygen(path.join(sshd.dir, 'host_ca'));
    const kh = file('kh-ca', `@cert-authority [127.0.0.1]:${sshd.port} ${ca.type} ${ca.blob.toString('base64')}\n`);
    const cfg = config('cfg-ca', ['HostName 127.0.0.1', `UserKnownHostsFile ${kh}`, 'StrictHostKeyChecking accept-new']);
    const ep = endpointOf(cfg);
    const before = readFileSync(kh, 'utf8');
    const r = await vsim(ep);
    assert.ok(r instanceof Error && /names a certificate authority/.test(r.message) && r.message.includes(`${kh}:1`) && r.message.includes(fingerprint(sshd.hostKey.blob)), String(r));
    assert.equal(readFileSync(kh, 'utf8'), before);
    await assert.rejects(new KnownHostsPolicy({ askTrust: async () => true }).check(ep, sshd.hostKey.blob), (e: HostKeyError) => e.kind === 'cert-authority');
  });

  test('HostKeyAlias: the key is written under the (lower-cased) alias, and OpenSSH then finds it there', async () => {
    const kh = file('kh-alias', '');
    const cfg = config('cfg-alias', ['HostName 127.0.0.1', 'HostKeyAlias Lab-Alias', `UserKnownHostsFile ${kh}`, 'StrictHostKeyChecking accept-new']);
    const ep = endpointOf(cfg);
    assert.equal(ep.hostKeyAlias, 'lab-alias');
    assert.equal(await vsim(ep), 'ok');
    assert.equal(readFileSync(kh, 'utf8'), `${hostLine('lab-alias')}\n`);
    const strict = config('cfg-alias-strict', ['HostName 127.0.0.1', 'HostKeyAlias Lab-Alias', `UserKnownHostsFile ${kh}`, 'StrictHostKeyChecking yes']);
    assert.equal(openssh(strict).code, 0, 'ssh looks the alias up, not [127.0.0.1]:port');
    // Looked up by the alias: the same key under [127.0.0.1]:port alone does not count.
    const byAddress = file('kh-alias-addr', `${hostLine(`[127.0.0.1]:${sshd.port}`)}\n`);
    const r = await vsim({ ...endpointOf(strict), knownHostsFiles: [byAddress] });
    assert.ok(r instanceof Error && /is not in known_hosts .*StrictHostKeyChecking is yes/.test(r.message), String(r));
  });

  test('IdentitiesOnly: the keys of a real ssh-agent are not offered; without it they are', async (t) => {
    if (!existsSync('/usr/bin/ssh-agent')) return t.skip('ssh-agent not found');
    const sock = path.join(sshd.dir, 'agent.sock');
    agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    await waitFor('the agent socket', () => existsSync(sock));
    execFileSync('ssh-add', ['-q', sshd.clientKey.file], { env: { ...process.env, SSH_AUTH_SOCK: sock }, stdio: 'ignore' });
    const kh = file('kh-ids', `${hostLine(`[127.0.0.1]:${sshd.port}`)}\n`);
    const stranger = keygen(path.join(sshd.dir, 'id_stranger'));
    const lines = (only: string) => ['HostName 127.0.0.1', `UserKnownHostsFile ${kh}`, 'StrictHostKeyChecking yes'].concat(only);
    const only = file('cfg-ids', readFileSync(config('cfg-ids-base', lines('IdentitiesOnly yes')), 'utf8').replace(sshd.clientKey.file, stranger.file));
    const ep = endpointOf(only);
    assert.equal(ep.identitiesOnly, true);
    const r = await vsim(ep, sock);
    assert.ok(r instanceof Error && /Authentication failed/.test(r.message) && r.message.includes(`tried: ${stranger.file})`), String(r));
    const any = file('cfg-ids-any', readFileSync(only, 'utf8').replace(/IdentitiesOnly yes/g, 'IdentitiesOnly no'));
    const ep2 = endpointOf(any);
    assert.equal(ep2.identitiesOnly, undefined);
    assert.equal(await vsim(ep2, sock), 'ok');
  });
});
