import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseJumpSpec, resolveEndpoint, resolveSshDestination, type TopologySshHost } from '../../../src/remote/sshConfig';

const env = { home: '/home/me', localUser: 'me' };
const KH = ['/home/me/.ssh/known_hosts', '/home/me/.ssh/known_hosts2'];

const CONFIG = `
# first match wins: specific hosts before Host *
Host hv1
  HostName 10.0.0.5
  Port 2222
  User admin
  IdentityFile ~/.ssh/hv1_%r_%h
  UserKnownHostsFile ~/.ssh/kh_lab "/etc/ssh/kh with space"
  StrictHostKeyChecking accept-new
  ProxyJump bastion

Host bastion
  HostName bastion.example.org
  User jump
  Port 2200

Host inner
  HostName %h.lab.internal
  ProxyJump bastion,root@hv1:2223

Host viacmd
  ProxyCommand nc %h %p

Host loop1
  ProxyJump loop2
Host loop2
  ProxyJump loop1

Host *
  User fallback
  Port 1022
  IdentityFile ~/.ssh/id_common
`;

test('parseJumpSpec: user, host, port, IPv6 and ssh:// forms', () => {
  assert.deepEqual(parseJumpSpec('bastion'), { host: 'bastion' });
  assert.deepEqual(parseJumpSpec('root@bastion'), { user: 'root', host: 'bastion' });
  assert.deepEqual(parseJumpSpec('root@bastion:2200'), { user: 'root', host: 'bastion', port: 2200 });
  assert.deepEqual(parseJumpSpec('[::1]:22'), { host: '::1', port: 22 });
  assert.deepEqual(parseJumpSpec('ssh://u@h:23'), { user: 'u', host: 'h', port: 23 });
  assert.throws(() => parseJumpSpec('h:99999'), /Invalid SSH port/);
  assert.throws(() => parseJumpSpec('@h'), /Invalid ProxyJump/);
});

test('alias resolution: first match wins, tokens and ~ expanded, lists kept in order', () => {
  const e = resolveSshDestination('hv1', CONFIG, env);
  assert.equal(e.host, '10.0.0.5');
  assert.equal(e.port, 2222);
  assert.equal(e.user, 'admin');
  assert.deepEqual(e.identityFiles, ['/home/me/.ssh/hv1_admin_10.0.0.5', '/home/me/.ssh/id_common']);
  assert.deepEqual(e.knownHostsFiles, ['/home/me/.ssh/kh_lab', '/etc/ssh/kh with space']);
  assert.equal(e.strictHostKeyChecking, 'accept-new');
  assert.equal(e.jump?.length, 1);
  const b = e.jump?.[0];
  assert.equal(b?.alias, 'bastion');
  assert.equal(b?.host, 'bastion.example.org');
  assert.equal(b?.port, 2200);
  assert.equal(b?.user, 'jump');
  assert.deepEqual(b?.knownHostsFiles, KH);
  assert.equal(b?.strictHostKeyChecking, 'ask');
});

test('unknown alias falls through to Host * and OpenSSH defaults', () => {
  const e = resolveSshDestination('other.example', CONFIG, env);
  assert.equal(e.host, 'other.example');
  assert.equal(e.port, 1022);
  assert.equal(e.user, 'fallback');
  assert.equal(e.jump, undefined);
  const bare = resolveSshDestination('x', '', env);
  assert.deepEqual([bare.host, bare.port, bare.user, bare.identityFiles.length], ['x', 22, 'me', 7]);
});

test('ProxyJump comma chain: first hop with its own jumps, later hops as given', () => {
  const e = resolveSshDestination('inner', CONFIG, env);
  assert.equal(e.host, 'inner.lab.internal');
  const hops = (e.jump ?? []).map((h) => `${h.user}@${h.host}:${h.port}`);
  // hv1's own ProxyJump (bastion) is superseded by the chain, as with OpenSSH's -J a,b.
  assert.deepEqual(hops, ['jump@bastion.example.org:2200', 'root@10.0.0.5:2223']);
  assert.ok((e.jump ?? []).every((h) => h.jump === undefined));
});

test('ProxyCommand, LocalCommand and a reached Match exec are refused clearly; jump loops are detected', () => {
  assert.throws(() => resolveSshDestination('viacmd', CONFIG, env), /ProxyCommand.*ProxyJump/);
  assert.throws(() => resolveSshDestination('loop1', CONFIG, env), /longer than 8 hops/);
  const lc = 'Host h\n  LocalCommand echo hi\n  PermitLocalCommand yes\n';
  assert.throws(() => resolveSshDestination('h', lc, env), /LocalCommand/);
  // Without PermitLocalCommand, ssh does not run it either: harmless.
  assert.equal(resolveSshDestination('h', 'Host h\n  LocalCommand echo hi\n', env).host, 'h');
  const exec = 'Host other\n  Port 1\nMatch host h exec "touch /should-never-run"\n  Port 2\n';
  assert.throws(() => resolveSshDestination('h', exec, env), (err: Error) => err.name === 'SshConfigRefused' && /ssh config line 3: `Match exec`/.test(err.message));
  // ssh skips the command when an earlier criterion already failed: so does the check.
  assert.equal(resolveSshDestination('x', exec, env).port, 22);
});

test('topology fields override ssh config; proxyJump names another topology host', () => {
  const topo: Record<string, TopologySshHost> = {
    jumpbox: { address: '192.0.2.1', user: 'root', port: 22 },
    hv: { sshConfigHost: 'hv1', port: 2022, identityFile: '~/.ssh/lab', proxyJump: 'jumpbox' },
    plain: { address: '198.51.100.7' },
    viaspec: { address: '198.51.100.8', proxyJump: 'ops@bastion:2201' },
  };
  const lookup = (n: string) => topo[n];
  const hv = resolveEndpoint({ name: 'hv', ...topo.hv }, lookup, CONFIG, env);
  assert.equal(hv.alias, 'hv');
  assert.equal(hv.host, '10.0.0.5');
  assert.equal(hv.port, 2022);
  assert.equal(hv.user, 'admin');
  // identityFile is `ssh -o IdentityFile=…`: tried first, then the config's.
  assert.deepEqual(hv.identityFiles, ['/home/me/.ssh/lab', '/home/me/.ssh/hv1_admin_10.0.0.5', '/home/me/.ssh/id_common']);
  assert.deepEqual(hv.jump?.map((h) => [h.alias, h.host, h.user, h.port]), [['jumpbox', '192.0.2.1', 'root', 22]]);

  const plain = resolveEndpoint({ name: 'plain', ...topo.plain }, lookup, '', env);
  assert.deepEqual([plain.host, plain.port, plain.user], ['198.51.100.7', 22, 'root']);

  const vs = resolveEndpoint({ name: 'viaspec', ...topo.viaspec }, lookup, CONFIG, env);
  assert.deepEqual(vs.jump?.map((h) => [h.host, h.user, h.port]), [['bastion.example.org', 'ops', 2201]]);
  // address looked up in the config as `ssh ADDRESS` would: Host * applies
  assert.equal(vs.user, 'fallback');

  assert.throws(() => resolveEndpoint({ name: 'bad' }, lookup, '', env), /neither sshConfigHost nor address/);
});
