// Against a REAL local sshd (started and stopped here): control shell, pooling, host keys, passphrases,
// ProxyJump, and a server crash with reconnect.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fingerprint } from '../../../src/remote/knownHosts';
import { KnownHostsPolicy, type TrustRequest } from '../../../src/remote/hostKeyPolicy';
import { MAX_CONCURRENT } from '../../../src/remote/controlShell';
import { SshPool, type PoolOptions } from '../../../src/remote/pool';
import { passphraseKey, SecretPassphrases } from '../../../src/remote/savedPassphrases';
import type { HostEndpoint } from '../../../src/remote/sshConfig';
import type { StateChange } from '../../../src/remote/connection';
import { keygen, sshdMissingReason, TestSshd, waitFor } from './sshdFixture';

const skip = sshdMissingReason();
if (skip) console.log(`# skipping sshd tests: ${skip}`);


describe('remote over a real sshd', { skip }, () => {
  let sshd: TestSshd;
  const pools: SshPool[] = [];

  before(async () => {
    sshd = new TestSshd();
    await sshd.start();
  });
  after(async () => {
    for (const p of pools) p.dispose();
    await sshd?.stop();
  });

  function endpoint(alias: string, knownHosts: string, extra: Partial<HostEndpoint> = {}): HostEndpoint {
    return {
      alias, host: '127.0.0.1', port: sshd.port, user: sshd.user, identityFiles: [sshd.clientKey.file],
      knownHostsFiles: [knownHosts], strictHostKeyChecking: 'ask', ...extra,
    };
  }

  function knownHostsFile(name: string, content: string): string {
    const f = path.join(sshd.dir, name);
    writeFileSync(f, content);
    return f;
  }

  function pool(opts: Partial<PoolOptions> & { asked?: TrustRequest[]; trust?: boolean } = {}): SshPool {
    const asked = opts.asked ?? [];
    const p = new SshPool({
      hostKeys: new KnownHostsPolicy({ askTrust: async (r) => { asked.push(r); return opts.trust ?? false; } }),
      askPassphrase: async () => undefined,
      agentSocket: '',
      readyTimeoutMs: 10_000,
      reconnect: { baseMs: 50, maxMs: 200, maxAttempts: 3 },
      ...opts,
    });
    pools.push(p);
    return p;
  }

  test('control shell: echo, exit codes, stderr, no trailing newline, stdin, hostile argv; 20 commands = 1 handshake', async () => {
    const p = pool();
    const h = p.get(endpoint('vsim-hv1', knownHostsFile('kh-ok', `${sshd.knownHostsLine()}\n`)));
    const r = await h.shell.exec(['echo', 'hello']);
    assert.deepEqual([r.stdout, r.stderr, r.code, r.via], ['hello\n', '', 0, 'shell']);
    const r2 = await h.shell.exec(['sh', '-c', 'printf out; printf err >&2; exit 7']);
    assert.deepEqual([r2.stdout, r2.stderr, r2.code], ['out', 'err', 7]);
    const r3 = await h.shell.exec(['cat'], { stdin: "line1\n'quoted' $(x)\nno newline" });
    assert.equal(r3.stdout, "line1\n'quoted' $(x)\nno newline");
    const hostile = ['a;rm -rf /', '$(reboot)', '`reboot`', "it's", '"', '\n', 'x y', '', '日本🙂', '-n', 'exit 3'];
    const r4 = await h.shell.exec(['printf', '%s\\0', ...hostile]);
    assert.deepEqual(r4.stdout.split('\0').slice(0, -1), hostile);
    const r5 = await h.shell.exec(['exit', '3']); // a subshell: the control shell survives
    assert.equal(r5.code, 3);
    assert.equal(h.shell.stats.shellsStarted, 1, 'one after another: one shell');
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => h.shell.exec(['echo', String(i)])));
    assert.deepEqual(many.map((m) => m.stdout), Array.from({ length: 20 }, (_, i) => `${i}\n`));
    assert.equal(p.handshakes('vsim-hv1'), 1);
    // Side by side: up to MAX_CONCURRENT shells (issue 20 item 7), and no more once they are open.
    assert.ok(h.shell.stats.shellsStarted <= MAX_CONCURRENT && h.shell.stats.maxInFlight <= MAX_CONCURRENT, JSON.stringify(h.shell.stats));
    const started = h.shell.stats.shellsStarted;
    for (let i = 0; i < 5; i++) await h.shell.exec(['true']);
    assert.equal(h.shell.stats.shellsStarted, started);
    assert.equal(h.shell.stats.execCommands, 0);
    await assert.rejects(h.shell.execOk(['ls', '/nonexistent-vsim']), /ls \/nonexistent-vsim failed on vsim-hv1 with exit code 2: .*No such file/);
  });

  test('a command that times out kills the shell; the next command gets a fresh one', async () => {
    const p = pool();
    const h = p.get(endpoint('vsim-timeout', knownHostsFile('kh-ok2', `${sshd.knownHostsLine()}\n`)));
    await assert.rejects(h.shell.exec(['sleep', '5'], { timeoutMs: 200 }), /timed out after 200 ms/);
    const r = await h.shell.exec(['echo', 'after']);
    assert.equal(r.stdout, 'after\n');
    assert.equal(h.shell.stats.shellsStarted, 2);
    assert.equal(p.handshakes('vsim-timeout'), 1);
  });

  test('stream: its own channel, with a pty', async () => {
    const p = pool();
    const h = p.get(endpoint('vsim-stream', knownHostsFile('kh-ok3', `${sshd.knownHostsLine()}\n`)));
    const ch = await h.shell.stream(['sh', '-c', 'tty >/dev/null && echo has-tty'], { pty: { cols: 80, rows: 24 } });
    let out = '';
    ch.on('data', (d: Buffer) => { out += d.toString(); });
    await new Promise((r) => ch.once('close', r));
    assert.match(out, /has-tty/);
  });

  test('host key mismatch is refused with both fingerprints, the FILE:LINE of the old key and the ssh-keygen -R that removes it', async () => {
    const other = keygen(path.join(sshd.dir, 'other_host_key'));
    const kh = knownHostsFile('kh-bad', `# kept\n[127.0.0.1]:${sshd.port} ${other.type} ${other.blob.toString('base64')}\n`);
    const asked: TrustRequest[] = [];
    const h = pool({ asked, trust: true }).get(endpoint('vsim-hv1', kh));
    const name = `[127.0.0.1]:${sshd.port}`;
    const expected = `Host key for vsim-hv1 (127.0.0.1:${sshd.port}) does not match known_hosts: expected ${fingerprint(other.blob)} (${kh}:2), got ${fingerprint(sshd.hostKey.blob)}. ` +
      `If the host's key was changed on purpose, remove the old key with ssh-keygen -R '${name}' -f ${kh} and connect again. Refusing to connect.`;
    let message = '';
    await assert.rejects(h.shell.exec(['true']), (err: Error) => { message = err.message; return err.message.includes(expected); });
    assert.equal(asked.length, 0);
    assert.equal(readFileSync(kh, 'utf8').split('\n').filter(Boolean).length, 2);
    // The suggested command, run as printed (through sh), removes exactly the old key; the next connect asks again.
    const cmd = /remove the old key with (.*) and connect again/.exec(message)?.[1] as string;
    execFileSync('sh', ['-c', `${cmd} 2>/dev/null`]);
    assert.equal(readFileSync(kh, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).length, 0);
    const again = pool({ asked, trust: true }).get(endpoint('vsim-hv1b', kh));
    assert.equal((await again.shell.exec(['echo', 'ok'])).stdout, 'ok\n');
    assert.equal(asked.length, 1);
  });

  test('unknown host: askTrust with the fingerprint; accept appends to known_hosts, reject refuses', async () => {
    const kh = knownHostsFile('kh-empty', '# nothing yet\n');
    const asked: TrustRequest[] = [];
    const refused = pool({ asked, trust: false }).get(endpoint('vsim-new', kh));
    await assert.rejects(refused.shell.exec(['true']), /Host key for vsim-new .* was not trusted\. Refusing to connect\./);
    assert.equal(asked.length, 1);
    assert.equal(readFileSync(kh, 'utf8'), '# nothing yet\n');

    const accepted = pool({ asked, trust: true }).get(endpoint('vsim-new', kh));
    assert.equal((await accepted.shell.exec(['echo', 'ok'])).stdout, 'ok\n');
    assert.equal(asked.length, 2);
    assert.equal(asked[1]?.fingerprint, fingerprint(sshd.hostKey.blob));
    assert.equal(asked[1]?.label, `vsim-new (127.0.0.1:${sshd.port})`);
    assert.equal(readFileSync(kh, 'utf8'), `# nothing yet\n${sshd.knownHostsLine()}\n`);

    // now known: no question
    const again = pool({ asked, trust: false }).get(endpoint('vsim-new', kh));
    assert.equal((await again.shell.exec(['true'])).code, 0);
    assert.equal(asked.length, 2);
  });

  test('encrypted identity: askPassphrase; a wrong passphrase is asked again, 3 times, then a clear error', async () => {
    const enc = keygen(path.join(sshd.dir, 'id_encrypted'), 'correct horse');
    sshd.authorize(enc);
    const kh = knownHostsFile('kh-enc', `${sshd.knownHostsLine()}\n`);
    const asked: string[] = [];
    const retries: Array<string | undefined> = [];
    const wrong = pool({ askPassphrase: async (f, retry) => { asked.push(f); retries.push(retry); return 'wrong'; } })
      .get(endpoint('vsim-enc', kh, { identityFiles: [enc.file] }));
    await assert.rejects(wrong.shell.exec(['true']), /Wrong passphrase for identity file .*id_encrypted \(3 tries/);
    assert.deepEqual(retries, [undefined, 'Wrong passphrase (try 1 of 3).', 'Wrong passphrase (try 2 of 3).']);
    const right = pool({ askPassphrase: async (f) => { asked.push(f); return 'correct horse'; } })
      .get(endpoint('vsim-enc', kh, { identityFiles: [enc.file] }));
    assert.equal((await right.shell.exec(['echo', 'in'])).stdout, 'in\n');
    assert.deepEqual(asked, [enc.file, enc.file, enc.file, enc.file]);
  });

  test('saved passphrases: a wrong saved one is forgotten and asked again, a typo gets another try, only the one that worked is kept, Forget deletes it', async () => {
    const enc = keygen(path.join(sshd.dir, 'id_saved'), 'battery staple');
    sshd.authorize(enc);
    const kh = knownHostsFile('kh-saved', `${sshd.knownHostsLine()}\n`);
    // VS Code's SecretStorage as the pool sees it: strings by key. A typo saved by an earlier "Remember".
    const secrets = new Map<string, string>([[passphraseKey(enc.file), 'battery stapel']]);
    const store = { get: async (k: string) => secrets.get(k), store: async (k: string, v: string) => { secrets.set(k, v); }, delete: async (k: string) => { secrets.delete(k); } };
    const offered: string[] = [];
    const saved = new SecretPassphrases(store, async (f) => { offered.push(f); return true; });
    const retries: Array<string | undefined> = [];
    const answers = ['battery stable', 'battery staple'];
    const first = pool({ askPassphrase: async (_f, retry) => { retries.push(retry); return answers.shift(); }, savedPassphrases: saved })
      .get(endpoint('vsim-saved', kh, { identityFiles: [enc.file] }));
    assert.equal((await first.shell.exec(['echo', 'in'])).stdout, 'in\n');
    assert.deepEqual(retries, ['The saved passphrase did not decrypt the key and was forgotten.', 'Wrong passphrase (try 1 of 3).']);
    assert.deepEqual(offered, [enc.file], 'offered once, after the key was decrypted');
    assert.equal(secrets.get(passphraseKey(enc.file)), 'battery staple');
    // The next session: the saved passphrase, no question.
    const never = async (): Promise<string | undefined> => { throw new Error('asked although a working passphrase is saved'); };
    const second = pool({ askPassphrase: never, savedPassphrases: saved }).get(endpoint('vsim-saved', kh, { identityFiles: [enc.file] }));
    assert.equal((await second.shell.exec(['echo', 'again'])).stdout, 'again\n');
    // Forget Saved Passphrases: nothing left in the store; the next connection asks (cancelled here).
    assert.deepEqual(await saved.forgetAll(), [enc.file]);
    assert.deepEqual([...secrets.keys()], []);
    let askedAfter = 0;
    const third = pool({ askPassphrase: async () => { askedAfter++; return undefined; }, savedPassphrases: saved })
      .get(endpoint('vsim-saved', kh, { identityFiles: [enc.file] }));
    await assert.rejects(third.shell.exec(['true']), /No passphrase given for identity file .*id_saved/);
    assert.equal(askedAfter, 1);
  });

  test('ProxyJump: through a jump connection (forwardOut) to the target', async () => {
    const kh = knownHostsFile('kh-jump', `${sshd.knownHostsLine()}\n`);
    const p = pool();
    const jump = endpoint('vsim-jump', kh);
    const h = p.get(endpoint('vsim-behind', kh, { jump: [jump] }));
    assert.equal((await h.shell.exec(['echo', 'via jump'])).stdout, 'via jump\n');
    assert.equal(p.handshakes('vsim-jump'), 1);
    assert.equal(p.handshakes('vsim-behind'), 1);
  });

  test('sshd killed mid-command: clear error, reconnect when it is back', async () => {
    const p = pool();
    const states: StateChange[] = [];
    const h = p.get(endpoint('vsim-crash', knownHostsFile('kh-crash', `${sshd.knownHostsLine()}\n`)));
    h.connection.onDidChangeState((s) => states.push(s));
    assert.equal((await h.shell.exec(['true'])).code, 0);
    const running = h.shell.exec(['sleep', '30']);
    await waitFor('sleep to be running', () => h.shell.stats.shellCommands === 1 && states.length > 0);
    await sshd.kill();
    await assert.rejects(running, /sleep 30 on vsim-crash: did not finish: the connection was lost/);
    await waitFor('reconnect attempts to give up', () => h.connection.state === 'disconnected', 10_000);
    assert.ok(states.some((s) => s.state === 'reconnecting'));
    // Not connected: the message leads with why (naming the host), not with the command.
    await assert.rejects(h.shell.exec(['true']), (e: Error) => /^Cannot connect to vsim-crash .*connection refused/.test(e.message) && !/^true /.test(e.message));

    await sshd.start(sshd.port);
    const r = await h.shell.exec(['echo', 'back']);
    assert.equal(r.stdout, 'back\n');
    assert.equal(p.handshakes('vsim-crash'), 2);
  });
});
