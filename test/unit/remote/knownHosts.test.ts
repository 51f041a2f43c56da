import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { KnownHostsPolicy, HostKeyError } from '../../../src/remote/hostKeyPolicy';
import type { HostEndpoint } from '../../../src/remote/sshConfig';
import {
  fingerprint, formatKnownHostsLine, keyTypeOf, knownKeyTypes, parseKnownHosts, verifyHostKey,
} from '../../../src/remote/knownHosts';

const REPO = path.resolve(__dirname, '../../..');
mkdirSync(path.join(REPO, '.sandbox'), { recursive: true });
const dir = mkdtempSync(path.join(REPO, '.sandbox', 'test-knownhosts-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A real key pair from ssh-keygen: returns the public blob and the .pub line. */
function keygen(name: string, type = 'ed25519'): { blob: Buffer; type: string; pub: string; file: string } {
  const file = path.join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', '', '-C', name, '-f', file]);
  const pub = readFileSync(`${file}.pub`, 'utf8').trim();
  const [t, b64] = pub.split(' ');
  return { blob: Buffer.from(b64 as string, 'base64'), type: t as string, pub, file };
}

const a = keygen('a');
const b = keygen('b');
const r = keygen('r', 'ecdsa');
const b64 = (k: { blob: Buffer }) => k.blob.toString('base64');

test('fingerprint equals ssh-keygen -l', () => {
  for (const k of [a, r]) {
    const out = execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', `${k.file}.pub`]).toString();
    assert.equal(fingerprint(k.blob), out.split(' ')[1]);
  }
  assert.equal(keyTypeOf(a.blob), 'ssh-ed25519');
  assert.equal(keyTypeOf(r.blob), 'ecdsa-sha2-nistp256');
});

test('plain, port, comma list, wildcard and negation entries', () => {
  const text = [
    '# comment',
    '',
    `hv1,10.0.0.5 ssh-ed25519 ${b64(a)} a comment`,
    `[hv1]:2222 ssh-ed25519 ${b64(b)}`,
    `*.lab,!bad.lab ssh-ed25519 ${b64(a)}`,
    'garbage line',
    `broken ssh-ed25519 !!!notbase64`,
  ].join('\n');
  const e = parseKnownHosts(text);
  assert.equal(e.length, 3);
  assert.deepEqual(verifyHostKey(e, 'hv1', 22, a.blob), { status: 'match' });
  assert.deepEqual(verifyHostKey(e, '10.0.0.5', 22, a.blob), { status: 'match' });
  assert.deepEqual(verifyHostKey(e, 'hv1', 2222, b.blob), { status: 'match' });
  assert.deepEqual(verifyHostKey(e, 'hv1', 2222, a.blob),
    { status: 'mismatch', expectedFingerprints: [fingerprint(b.blob)], revoked: false });
  // Nothing under [hv1]:2200: ssh checks the bare name again ("checking without port identifier")
  assert.deepEqual(verifyHostKey(e, 'hv1', 2200, a.blob), { status: 'match' });
  assert.deepEqual(verifyHostKey(e, 'hv1', 2200, b.blob), { status: 'unknown' }, 'a different key under the bare name does not count');
  assert.deepEqual(verifyHostKey(e, 'hv1', 2200, a.blob, 'alias'), { status: 'unknown' }, 'no fallback with a HostKeyAlias');
  assert.deepEqual(knownKeyTypes(e, 'hv1', 2200), ['ssh-ed25519']);
  assert.deepEqual(verifyHostKey(e, 'x.lab', 22, a.blob), { status: 'match' });
  assert.deepEqual(verifyHostKey(e, 'bad.lab', 22, a.blob), { status: 'unknown' });
  // a host with a key of another type known: mismatch (strict), and the known types are reported
  assert.equal(verifyHostKey(e, 'hv1', 22, r.blob).status, 'mismatch');
  assert.deepEqual(knownKeyTypes(e, 'hv1', 22), ['ssh-ed25519']);
});

test('hashed entries written by ssh-keygen -H match (port 22 and [host]:port)', () => {
  const file = path.join(dir, 'known_hosts_hashed');
  writeFileSync(file, `hv1 ssh-ed25519 ${b64(a)}\n[127.0.0.1]:2222 ssh-ed25519 ${b64(b)}\n`);
  execFileSync('ssh-keygen', ['-q', '-H', '-f', file], { stdio: 'ignore' });
  const text = readFileSync(file, 'utf8');
  assert.match(text, /^\|1\|/);
  assert.doesNotMatch(text, /hv1|127\.0\.0\.1/);
  const e = parseKnownHosts(text);
  assert.equal(e.length, 2);
  assert.deepEqual(verifyHostKey(e, 'hv1', 22, a.blob), { status: 'match' });
  assert.deepEqual(verifyHostKey(e, '127.0.0.1', 2222, b.blob), { status: 'match' });
  assert.equal(verifyHostKey(e, '127.0.0.1', 2222, a.blob).status, 'mismatch');
  assert.deepEqual(verifyHostKey(e, '127.0.0.1', 22, b.blob), { status: 'unknown' });
  assert.deepEqual(verifyHostKey(e, 'hv2', 22, a.blob), { status: 'unknown' });
});

test('@revoked refuses a key even when listed; @cert-authority is not a host key but is noted', () => {
  const e = parseKnownHosts([
    `hv1 ssh-ed25519 ${b64(a)}`,
    `@revoked * ssh-ed25519 ${b64(a)}`,
    `@cert-authority *.lab ssh-ed25519 ${b64(b)}`,
  ].join('\n'));
  const v = verifyHostKey(e, 'hv1', 22, a.blob);
  assert.equal(v.status, 'mismatch');
  assert.ok(v.status === 'mismatch' && v.revoked);
  assert.deepEqual(verifyHostKey(e, 'x.lab', 22, b.blob), { status: 'unknown', certAuthorityLines: [3] });
  assert.deepEqual(verifyHostKey(e, 'x.other', 22, b.blob), { status: 'unknown' });
});

test('KnownHostsPolicy: HostKeyAlias, HashKnownHosts, global files read-only, @cert-authority and odd names refused', async () => {
  const user = path.join(dir, 'policy_user');
  const global = path.join(dir, 'policy_global');
  writeFileSync(global, `gw.lab ssh-ed25519 ${b64(a)}\n@cert-authority *.ca ssh-ed25519 ${b64(b)}\n`);
  const asked: string[] = [];
  const policy = new KnownHostsPolicy({ askTrust: async (r) => { asked.push(r.host); return true; } });
  const ep = (host: string, extra: Partial<HostEndpoint> = {}): HostEndpoint => ({
    alias: host, host, port: 2222, user: 'root', identityFiles: [], knownHostsFiles: [user], globalKnownHostsFiles: [global], strictHostKeyChecking: 'ask', ...extra,
  });
  // The global file is read (HostKeyAlias looks it up by the alias, without the port) …
  await policy.check(ep('10.9.9.9', { hostKeyAlias: 'gw.lab' }), a.blob);
  await assert.rejects(policy.check(ep('10.9.9.9', { hostKeyAlias: 'gw.lab' }), b.blob), (err: HostKeyError) => err.kind === 'mismatch');
  // … a CA for the name is never trust-on-first-use …
  await assert.rejects(policy.check(ep('x.ca', { port: 22, strictHostKeyChecking: 'accept-new' }), a.blob), (err: HostKeyError) => err.kind === 'cert-authority' && err.message.includes(`(${global}:2)`));
  // … new keys go to the first user file, hashed with HashKnownHosts, under the alias when there is one.
  await policy.check(ep('New.Lab', { hashKnownHosts: true }), a.blob);
  await policy.check(ep('10.9.9.8', { hostKeyAlias: 'lab-alias' }), b.blob);
  const written = readFileSync(user, 'utf8');
  assert.match(written, /^\|1\|[^ ]+ ssh-ed25519 /m);
  assert.match(written, /^lab-alias ssh-ed25519 /m);
  assert.doesNotMatch(readFileSync(global, 'utf8'), /lab-alias/);
  const found = execFileSync('ssh-keygen', ['-F', '[new.lab]:2222', '-f', user]).toString();
  assert.match(found, /found: line 1/, 'the hashed name is the lower-cased [host]:port, as ssh writes it');
  await policy.check(ep('NEW.lab', { hashKnownHosts: true }), a.blob);
  assert.deepEqual(asked, ['New.Lab', '10.9.9.8']);
  // A name ssh would not record (pattern characters) is refused instead of written.
  await assert.rejects(policy.check(ep('bad*name'), a.blob), (err: HostKeyError) => err.kind === 'unrecordable');
});

test('formatKnownHostsLine: plain and hashed lines are understood by ssh-keygen -F', () => {
  const plain = formatKnownHostsLine('127.0.0.1', 2222, a.type, a.blob);
  assert.equal(plain, `[127.0.0.1]:2222 ssh-ed25519 ${b64(a)}`);
  const hashed = formatKnownHostsLine('hv1', 22, a.type, a.blob, { hash: true });
  assert.match(hashed, /^\|1\|[^|]+\|[^ ]+ ssh-ed25519 /);
  const file = path.join(dir, 'known_hosts_tofu');
  writeFileSync(file, `${plain}\n${hashed}\n`);
  for (const name of ['[127.0.0.1]:2222', 'hv1']) {
    const out = execFileSync('ssh-keygen', ['-F', name, '-f', file]).toString();
    assert.match(out, /ssh-ed25519/);
  }
  assert.deepEqual(verifyHostKey(parseKnownHosts(`${plain}\n${hashed}`), 'hv1', 22, a.blob), { status: 'match' });
});
