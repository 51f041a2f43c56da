// Issue 20 item 1: what vsim writes into known_hosts comes from an ssh config file anyone can point
// `vsim.ssh.configFile` at. HostName and HostKeyAlias are refused unless they are host/address
// characters (through the parser and through real `ssh -G`); a UserKnownHostsFile that is not a
// known_hosts file is never appended to; HashKnownHosts from the system-wide config applies when the
// user's default config is read (as plain `ssh` reads it: no -F).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { HostKeyError, KnownHostsPolicy, type TrustRequest } from '../../../src/remote/hostKeyPolicy';
import { resolveSshDestination, resolveSshDestinationWith, type HostEndpoint } from '../../../src/remote/sshConfig';
import { parseSshOptions } from '../../../src/remote/sshConfigParse';
import { configFileSource, openSshSource, SYSTEM_SSH_CONFIG, type Run } from '../../../src/remote/sshG';
import type { SshEnv } from '../../../src/remote/sshTokens';
import { Oracle, opensshMissingReason } from './opensshOracle';

const REPO = path.resolve(__dirname, '../../..');
mkdirSync(path.join(REPO, '.sandbox'), { recursive: true });
const dir = mkdtempSync(path.join(REPO, '.sandbox', 'test-khwrite-'));
let oracle: Oracle | undefined;
after(() => {
  rmSync(dir, { recursive: true, force: true });
  oracle?.dispose();
});

const noSsh = opensshMissingReason();

function keygen(name: string): Buffer {
  const file = path.join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', name, '-f', file]);
  return Buffer.from(readFileSync(`${file}.pub`, 'utf8').split(' ')[1] as string, 'base64');
}
const key = keygen('host');
const key2 = keygen('host2');

const env: SshEnv = { home: dir, localUser: 'tester', uid: 1000, thisHost: 'here', vars: {}, userHome: () => undefined };

function write(name: string, text: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

/** The bad values of the issue and more: each one a known_hosts pattern, an option or shell text. */
const BAD_NAMES = ['-oProxyCommand=touch', 'x * ssh-ed25519 AAAAC3Nz', 'a;b', '$(id)', 'a`id`', '!neg', 'a/b', 'a=b', 'h@x', 'a,b', '*', 'a|b'];
const GOOD_NAMES: Array<[string, string]> = [['Web.Example', 'web.example'], ['10.0.0.1', '10.0.0.1'], ['fe80::1', 'fe80::1'], ['my_host-1', 'my_host-1']];
const quoted = (v: string) => (/\s/.test(v) ? `"${v}"` : v);

test('HostName and HostKeyAlias from the ssh config: only host and address characters (vsim parser)', () => {
  for (const bad of BAD_NAMES) {
    assert.throws(() => resolveSshDestination('t', `Host t\n  HostName ${quoted(bad)}\n`, env), /invalid HostName/, `HostName ${bad}`);
    assert.throws(() => resolveSshDestination('t', `Host t\n  HostName 10.0.0.1\n  HostKeyAlias ${quoted(bad)}\n`, env), /invalid HostKeyAlias/, `HostKeyAlias ${bad}`);
  }
  for (const [good, cased] of GOOD_NAMES) {
    const e = resolveSshDestination('t', `Host t\n  HostName ${good}\n  HostKeyAlias ${good}\n`, env);
    assert.equal(e.host, cased);
    assert.equal(e.hostKeyAlias, good.toLowerCase());
  }
  // An IPv6 literal with a zone (written %% in the config, where % starts a token).
  assert.equal(resolveSshDestination('t', 'Host t\n  HostName fe80::1%%eth0\n', env).host, 'fe80::1%eth0');
});

test('HostName and HostKeyAlias: the same refusals when real `ssh -G` resolves the config', { skip: noSsh ? 'no OpenSSH client' : undefined }, async () => {
  for (const bad of BAD_NAMES) {
    const cfg = write('cfg-bad', `Host t\n  HostName ${quoted(bad)}\n`);
    // OpenSSH itself prints such a HostName (its valid_hostname checks only names from the command line) …
    const src = openSshSource({ env, config: { file: cfg, text: readFileSync(cfg, 'utf8') } });
    // … vsim refuses to use it.
    await assert.rejects(resolveSshDestinationWith('t', src, env), /invalid HostName/, `HostName ${bad}`);
  }
  const cfg = write('cfg-good', 'Host t\n  HostName Web.Example\n  HostKeyAlias Lab-Alias\n');
  const e = await resolveSshDestinationWith('t', openSshSource({ env, config: { file: cfg, text: readFileSync(cfg, 'utf8') } }), env);
  assert.deepEqual([e.host, e.hostKeyAlias], ['web.example', 'lab-alias']);
});

test('UserKnownHostsFile that is not a known_hosts file (a shell rc file): refused with FILE:LINE, before asking, file unchanged', async () => {
  const rcText = '# ~/.bashrc\nexport PATH="$HOME/bin:$PATH"\nalias ll="ls -l"\n';
  const rc = write('bashrc', rcText);
  const cfg = `Host lab\n  HostName 10.1.2.3\n  StrictHostKeyChecking accept-new\n  UserKnownHostsFile ${rc}\n`;
  const asked: TrustRequest[] = [];
  const policy = new KnownHostsPolicy({ askTrust: async (r) => { asked.push(r); return true; } });
  const ep = resolveSshDestination('lab', cfg, env);
  assert.deepEqual([ep.strictHostKeyChecking, ep.knownHostsFiles], ['accept-new', [rc]]);
  await assert.rejects(policy.check(ep, key), (err: HostKeyError) =>
    err.kind === 'not-known-hosts' && err.message.startsWith(`${rc}:2: not a known_hosts line`));
  // StrictHostKeyChecking ask: refused before the question, not after the user said yes.
  await assert.rejects(policy.check({ ...ep, strictHostKeyChecking: 'ask' }, key), (err: HostKeyError) => err.kind === 'not-known-hosts');
  assert.equal(asked.length, 0);
  assert.equal(readFileSync(rc, 'utf8'), rcText);
});

test('a real known_hosts file (ssh-keygen -H hashed, markers, comments, CRLF, no final newline) is appended to; /dev/null is accepted', async () => {
  const kh = path.join(dir, 'known_hosts_real');
  writeFileSync(kh, `other ssh-ed25519 ${key2.toString('base64')}\n[10.9.9.9]:2222 ssh-ed25519 ${key2.toString('base64')}\n`);
  execFileSync('ssh-keygen', ['-q', '-H', '-f', kh], { stdio: 'ignore' });
  const hashed = readFileSync(kh, 'utf8');
  assert.match(hashed, /^\|1\|/);
  const text = `# managed\r\n${hashed}@revoked * ssh-ed25519 ${key2.toString('base64')}\n@cert-authority *.ca ssh-ed25519 ${key2.toString('base64')}\n\n   \nlast ssh-ed25519 ${key2.toString('base64')} comment`;
  writeFileSync(kh, text);
  const policy = new KnownHostsPolicy({ askTrust: async () => true });
  const ep: HostEndpoint = { alias: 'n', host: '10.1.2.4', port: 22, user: 'u', identityFiles: [], knownHostsFiles: [kh], strictHostKeyChecking: 'accept-new' };
  await policy.check(ep, key);
  assert.equal(readFileSync(kh, 'utf8'), `${text}\n10.1.2.4 ssh-ed25519 ${key.toString('base64')}\n`);
  assert.match(execFileSync('ssh-keygen', ['-F', '10.1.2.4', '-f', kh]).toString(), /found: line 9/);
  await policy.check({ ...ep, knownHostsFiles: ['/dev/null'] }, key2);
});

test('HashKnownHosts in the system-wide config: the parser reads it after the user config (first value wins)', () => {
  const system = { file: SYSTEM_SSH_CONFIG, text: 'Host *\n    HashKnownHosts yes\n    StrictHostKeyChecking accept-new\n' };
  const o = parseSshOptions('h', { config: { file: 'user', text: 'Host h\n  HostName 10.1.1.1\n' }, system }, env);
  assert.deepEqual([o.hashknownhosts, o.stricthostkeychecking, o.hostname], [true, 'accept-new', '10.1.1.1']);
  const mine = parseSshOptions('h', { config: { file: 'user', text: 'Host h\n  HashKnownHosts no\n' }, system }, env);
  assert.equal(mine.hashknownhosts, false);
});

/** `ssh` run in a private mount namespace where a scratch directory is the passwd home (the real ~/.ssh is never read). */
function namespacedRun(o: Oracle): Run {
  return (file, args) => new Promise((resolve) => {
    const p = spawn('unshare', ['-m', 'sh', '-c', 'mount --bind "$0" "$1" && shift 2 && exec "$@"', o.scratchHome, o.home, 'x', file, ...args]);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    p.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

test('the default config is read as plain `ssh` reads it: the system-wide HashKnownHosts applies, new keys are written hashed', { skip: noSsh }, async () => {
  oracle ??= new Oracle();
  const o = oracle;
  const kh = path.join(dir, 'kh-default');
  const userConfig = o.write(`${o.home}/.ssh/config`, `Host lab\n  HostName Lab.Example\n  UserKnownHostsFile ${kh}\n  StrictHostKeyChecking accept-new\n`);
  const run = namespacedRun(o);
  const uenv: SshEnv = { ...env, home: o.home, localUser: os.userInfo().username, uid: os.userInfo().uid };
  // What plain `ssh -G lab` (no -F: user config, then the system-wide one) says on this machine.
  const plain = await run('ssh', ['-G', 'lab']);
  assert.equal(plain.code, 0, plain.stderr);
  const sshSays = /^hashknownhosts yes$/m.test(plain.stdout);
  let systemText = '';
  try {
    systemText = readFileSync(SYSTEM_SSH_CONFIG, 'utf8');
  } catch {
    // no system-wide config
  }
  if (/^\s*HashKnownHosts\s+yes/im.test(systemText)) assert.ok(sshSays, 'the system config sets HashKnownHosts yes (Debian does)');
  else console.log(`# ${SYSTEM_SSH_CONFIG} does not set HashKnownHosts yes: the plain and hashed cases read the same here`);
  const source = await configFileSource(o.local(userConfig), uenv, { run, fs: o.fs, defaultFiles: true });
  const ep = await resolveSshDestinationWith('lab', source, uenv);
  assert.equal(ep.hashKnownHosts === true, sshSays, 'vsim reads HashKnownHosts as plain ssh does');
  await new KnownHostsPolicy({ askTrust: async () => true }).check(ep, key);
  const written = readFileSync(kh, 'utf8');
  if (sshSays) assert.match(written, /^\|1\|[^ ]+ ssh-ed25519 /);
  else assert.match(written, /^lab\.example ssh-ed25519 /);
  // Either way ssh finds it under the lower-cased HostName.
  assert.match(execFileSync('ssh-keygen', ['-F', 'lab.example', '-f', kh]).toString(), /found: line 1/);
});
