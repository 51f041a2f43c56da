// Issue 21, one test per numbered finding (each minimised from the OpenSSH differential): the
// fallback parser must resolve as `ssh -G` does. Expected values are what OpenSSH 9.2 prints.
import { test, after } from 'node:test';
import { createHash } from 'node:crypto';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { resolveSshDestination, type HostEndpoint } from '../../../src/remote/sshConfig';
import { parseKnownHosts, verifyHostKey, formatKnownHostsLine } from '../../../src/remote/knownHosts';
import { authSources } from '../../../src/remote/dial';

const REPO = path.resolve(__dirname, '../../..');
mkdirSync(path.join(REPO, '.sandbox'), { recursive: true });
const home = mkdtempSync(path.join(REPO, '.sandbox', 'test-issue21-'));
after(() => rmSync(home, { recursive: true, force: true }));
const env = { home, localUser: 'me', uid: 1000, thisHost: 'ws.example.org', vars: { LAB: '/srv/lab' }, userHome: (u: string) => (u === 'ops' ? '/home/ops' : undefined) };
const resolve = (dest: string, config: string): HostEndpoint => resolveSshDestination(dest, config, env);

function files(tree: Record<string, string>): void {
  for (const [p, text] of Object.entries(tree)) {
    mkdirSync(path.dirname(path.join(home, p)), { recursive: true });
    writeFileSync(path.join(home, p), text);
  }
}

test('1. `?` matches exactly one character', () => {
  const cfg = 'Host work-db?\n  Port 2201\nHost Db-Prod !Db-Prod?\n  Port 2202\n';
  assert.equal(resolve('work-db', cfg).port, 22, '`work-db?` does not match work-db');
  assert.equal(resolve('work-db1', cfg).port, 2201);
  assert.equal(resolve('Db-Prod', cfg).port, 2202, '`!Db-Prod?` does not exclude Db-Prod itself');
  assert.equal(resolve('Db-Prod2', cfg).port, 22);
});

test('2. true/false are yes/no, and values are case-insensitive', () => {
  const strict = (v: string) => resolve('h', `Host h\n  StrictHostKeyChecking ${v}\n`).strictHostKeyChecking;
  assert.equal(strict('true'), 'yes');
  assert.equal(strict('YES'), 'yes');
  assert.equal(strict('False'), 'no');
  assert.equal(strict('off'), 'no');
  assert.equal(strict('Accept-New'), 'accept-new');
  assert.throws(() => strict('maybe'), /unsupported option "maybe"/);
  assert.equal(resolve('h', 'Host h\n  IdentitiesOnly TRUE\n').identitiesOnly, true);
  assert.equal(resolve('h', 'Host h\n  HashKnownHosts True\n').hashKnownHosts, true);
});

test('3. Include: ignored in a non-matching block, the includer\'s block state restored, no leak between files', () => {
  files({
    '.ssh/inc/a': 'Host other\n  Port 2301\n',
    '.ssh/inc/b': '  User from-b\n',
    '.ssh/skipped': 'Port 2399\n',
  });
  // A top-level Include: the lines after it are global again, not under the included file's last Host.
  const top = resolve('target', 'Include inc/*\nUser global-user\n');
  assert.equal(top.user, 'from-b', 'b starts at the includer\'s (global) state, not under a\'s Host other');
  assert.equal(resolve('target', 'Include inc/a\nUser global-user\n').user, 'global-user');
  // Inside a block that does not match, ssh does not apply the file.
  assert.equal(resolve('target', 'Host nomatch\n  Include skipped\nHost *\n  Port 2400\n').port, 2400);
  // Inside a matching block, the file applies and the block goes on after it.
  assert.equal(resolve('target', 'Host target\n  Include inc/a\n  Port 2401\n').port, 2401);
});

test('4. a ProxyJump chain whose hop matches the same Host pattern connects (the hop gets -J, not its own ProxyJump)', () => {
  const cfg = 'Host *.corp\n  ProxyJump jump,bastion.corp\nHost jump\n  HostName 192.0.2.1\n';
  const e = resolve('db.corp', cfg);
  assert.deepEqual(e.jump?.map((h) => h.host), ['192.0.2.1', 'bastion.corp']);
  // The first hop still uses its own ProxyJump, as `ssh -J a,b` reaches a with ssh a.
  const first = resolve('t', 'Host t\n  ProxyJump a,b\nHost a\n  ProxyJump c\n');
  assert.deepEqual(first.jump?.map((h) => h.host), ['c', 'a', 'b']);
  // A host that jumps through itself (same name, port and user) is ssh's "jumphost loop".
  assert.throws(() => resolve('bastion.corp', cfg), /jumphost loop via bastion.corp/);
});

test('5. Match: negation, case-insensitive host, HostName with %h seen, keyword in any case', () => {
  assert.equal(resolve('db1', 'Match !host gw*\n  Port 2501\n').port, 2501);
  assert.equal(resolve('gw1', 'Match !host gw*\n  Port 2501\n').port, 22);
  assert.equal(resolve('DB1', 'Match host db1\n  Port 2502\n').port, 2502);
  assert.equal(resolve('db1', 'Host db1\n  hostname %h.lab\nMatch host db1.lab\n  Port 2503\n').port, 2503);
  assert.equal(resolve('db1', 'Host db1\n  HOSTNAME real\nMatch host real originalhost DB1\n  Port 2504\n').port, 2504);
});

test('6. IdentitiesOnly keeps agent keys out; IdentityFile none means no key files, not the defaults', () => {
  const only = resolve('h', 'Host h\n  IdentitiesOnly yes\n  IdentityFile ~/.ssh/lab\n');
  assert.deepEqual(authSources(only, home, '/run/agent.sock'), { files: [`${home}/.ssh/lab`] });
  const none = resolve('h', 'Host h\n  IdentityFile none\n');
  assert.deepEqual(authSources(none, home, undefined), { files: [] });
  const defaults = resolve('h', '');
  assert.deepEqual(defaults.identityFiles.map((f) => path.basename(f)), ['id_rsa', 'id_ecdsa', 'id_ecdsa_sk', 'id_ed25519', 'id_ed25519_sk', 'id_xmss', 'id_dsa']);
});

test('7. host names are lower-cased (HostName, %h in paths)', () => {
  const e = resolve('Db-Prod', 'Host Db-Prod\n  HostName Upper.%h.EXAMPLE\n  IdentityFile ~/.ssh/id_%h\n  UserKnownHostsFile ~/.ssh/kh_%h\n');
  assert.equal(e.host, 'upper.db-prod.example');
  assert.deepEqual(e.identityFiles, [`${home}/.ssh/id_upper.db-prod.example`]);
  assert.deepEqual(e.knownHostsFiles, [`${home}/.ssh/kh_upper.db-prod.example`]);
  assert.equal(resolve('WEB', '').host, 'web');
  assert.equal(resolve('x', 'Host x\n  HostName FE80::A\n').host, 'FE80::A', 'an address is not lower-cased (ssh.c resolve_addr)');
});

test('8. known_hosts: a hashed entry and a host written with capitals give OpenSSH\'s verdict', () => {
  const key = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 32]), Buffer.alloc(32, 7)]);
  const changed = Buffer.concat([key.subarray(0, 19), Buffer.alloc(32, 9)]);
  const hashed = formatKnownHostsLine('db-prod', 22, 'ssh-ed25519', key, { hash: true });
  const hashedPort = formatKnownHostsLine('db-prod', 2222, 'ssh-ed25519', key, { hash: true });
  const entries = parseKnownHosts(`${hashed}\n${hashedPort}\n`);
  assert.deepEqual(verifyHostKey(entries, 'Db-Prod', 22, key), { status: 'match' }, 'no repeated prompt');
  assert.equal(verifyHostKey(entries, 'DB-PROD', 22, changed).status, 'mismatch', 'a changed key is refused, not asked about');
  assert.deepEqual(verifyHostKey(entries, 'Db-Prod', 2222, key), { status: 'match' });
  assert.equal(verifyHostKey(entries, 'db-prod', 2222, changed).status, 'mismatch');
  // A plain entry with capitals matches the lower-cased name, as match_hostname does.
  assert.deepEqual(verifyHostKey(parseKnownHosts(`Db-Prod ssh-ed25519 ${key.toString('base64')}\n`), 'db-prod', 22, key), { status: 'match' });
  // HostKeyAlias: the alias is the name, without the port.
  assert.deepEqual(verifyHostKey(parseKnownHosts(`lab-alias ssh-ed25519 ${key.toString('base64')}\n`), '10.0.0.1', 2222, key, 'lab-alias'), { status: 'match' });
  // Off port 22 (a ProxyJump target on another port, say), a key new under [host]:port is looked up
  // under the bare name too, as ssh's check_host_key does.
  const bare = parseKnownHosts(`*.corp ssh-ed25519 ${key.toString('base64')}\n`);
  assert.deepEqual(verifyHostKey(bare, 'Web.Corp', 2222, key), { status: 'match' });
  assert.deepEqual(verifyHostKey(bare, 'Web.Corp', 2222, changed), { status: 'unknown' });
  // A new line for a host written with capitals is recorded under the lower-cased name.
  assert.match(formatKnownHostsLine('Db-Prod', 2222, 'ssh-ed25519', key), /^\[db-prod\]:2222 /);
});

test('smaller: tokens %C %i %k %l %L %n %%, ${VAR}, ~user, quotes, # inside a value, duplicates, commas in Host', () => {
  const e = resolve('Lab1', [
    'Host Lab1',
    '  HostName lab1.example',
    '  IdentityFile ~/.ssh/%C',
    '  IdentityFile ~/k-%i-%k-%l-%L-%n-%%',
    '  IdentityFile ${LAB}/key',
    '  IdentityFile ~ops/.ssh/key',
    "  IdentityFile '~/.ssh/single quoted'",
    '  IdentityFile ~/.ssh/h#x # a comment',
    '  IdentityFile ~/.ssh/%C',
    'Host a,b',
    '  Port 2601',
  ].join('\n'));
  // %C = SHA-1 of %l%h%p%r (OpenSSH 9.2)
  const c = createHash('sha1').update('ws.example.org' + 'lab1.example' + '22' + 'me').digest('hex');
  assert.deepEqual(e.identityFiles, [
    `${home}/.ssh/${c}`,
    `${home}/k-1000-Lab1-ws.example.org-ws-Lab1-%`,
    '/srv/lab/key',
    '/home/ops/.ssh/key',
    `${home}/.ssh/single quoted`,
    `${home}/.ssh/h#x`,
  ]);
  assert.equal(resolve('a', 'Host a,b\n  Port 2601\n').port, 22, 'a comma in a Host line is part of one pattern');
  assert.throws(() => resolve('h', 'Host h\n  IdentityFile ${UNSET_VAR}/k\n'), /has no value/);
  assert.throws(() => resolve('h', 'Host h\n  HostName %n.lab\n'), /Unknown token %n/);
});
