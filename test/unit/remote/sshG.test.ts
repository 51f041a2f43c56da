// The OpenSSH source: `ssh -G` output read into SshOptions, the arguments it is run with (topology
// fields as -o, `--` before the destination), and the refusals made before ssh ever runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configFingerprint, openSshSource, parseSshG, sshGArgs, hasOpenSsh, type Run } from '../../../src/remote/sshG';
import { resolveSshDestinationWith } from '../../../src/remote/sshConfig';

const env = { home: '/home/me', localUser: 'me' };

const G = `host Db-Prod
user admin
hostname db-prod.lab
port 2222
identitiesonly yes
stricthostkeychecking true
hashknownhosts yes
hostkeyalias lab
identityfile ~/.ssh/id_%h
identityfile ~/.ssh/other
userknownhostsfile /home/me/.ssh/kh with space
globalknownhostsfile /etc/ssh/ssh_known_hosts
connecttimeout 7
proxyjump ops@jump:2200
`;

test('parseSshG reads the options vsim uses', () => {
  const o = parseSshG(G, 'Db-Prod');
  assert.deepEqual(
    [o.host, o.hostname, o.user, o.port, o.identitiesonly, o.stricthostkeychecking, o.hashknownhosts, o.hostkeyalias, o.identityfile, o.connecttimeout, o.proxyjump],
    ['Db-Prod', 'db-prod.lab', 'admin', 2222, true, 'true', true, 'lab', ['~/.ssh/id_%h', '~/.ssh/other'], 7, 'ops@jump:2200'],
  );
  assert.deepEqual(o.userknownhostsfile, ['/home/me/.ssh/kh', 'with', 'space'], 'one line: the parser split is used when it agrees (reconcileLists)');
  assert.equal(parseSshG('host x\nconnecttimeout none\n', 'x').connecttimeout, undefined);
});

test('sshGArgs: -F, topology fields as -o (quoted for ssh), -- before the destination', () => {
  assert.deepEqual(sshGArgs('/c', { dest: '-oProxyCommand=x', cmdline: { hostName: '10.0.0.1', port: 2022, user: 'o"p', identityFile: '~/k 1', proxyJump: 'j' } }), [
    '-G', '-F', '/c', '-o', 'HostName="10.0.0.1"', '-o', 'Port=2022', '-o', 'User="o\\"p"', '-o', 'IdentityFile="~/k 1"', '-o', 'ProxyJump=j', '--', '-oProxyCommand=x',
  ]);
});

test('openSshSource: hops asked with -l/-p/-J; a reached Match exec is refused before ssh runs', async () => {
  const calls: string[][] = [];
  const run: Run = async (_file, args) => {
    calls.push([...args]);
    const dest = args[args.length - 1] as string;
    if (dest === 'db') return { code: 0, stdout: 'host db\nhostname db\nuser me\nport 22\nidentityfile ~/.ssh/id_rsa\nuserknownhostsfile /k\nglobalknownhostsfile /g\nproxyjump a,ops@b:2200\n', stderr: '' };
    // As ssh -G does with -o: the command-line values win.
    const o = (k: string) => args.find((a) => a.startsWith(`${k}=`))?.slice(k.length + 1).replace(/^"|"$/g, '');
    const pj = o('ProxyJump');
    return { code: 0, stdout: `host ${dest}\nhostname ${dest}\nuser ${o('User') ?? 'me'}\nport ${o('Port') ?? 22}\nidentityfile ~/.ssh/id_rsa\nuserknownhostsfile /k\nglobalknownhostsfile /g\n${pj ? `proxyjump ${pj}\n` : ''}`, stderr: '' };
  };
  const e = await resolveSshDestinationWith('db', openSshSource({ env, run, config: { file: '/cfg', text: 'Host db\n  ProxyJump a,ops@b:2200\n' } }), env);
  assert.deepEqual(e.jump?.map((h) => `${h.user}@${h.host}:${h.port}`), ['me@a:22', 'ops@b:2200']);
  assert.deepEqual(calls.map((c) => c.slice(3).join(' ')), ['-- db', '-o Port=2200 -o User="ops" -o ProxyJump=a -- b', '-- a']);
  calls.length = 0;
  // The same source asked again (a lab's next phase), twice at once: no ssh -G runs again.
  const source = openSshSource({ env, run, config: { file: '/cfg', text: 'Host db\n  ProxyJump a,ops@b:2200\n' } });
  await resolveSshDestinationWith('db', source, env);
  calls.length = 0;
  const again = await Promise.all([resolveSshDestinationWith('db', source, env), resolveSshDestinationWith('db', source, env)]);
  assert.deepEqual(again.map((x) => x.jump?.map((h) => `${h.user}@${h.host}:${h.port}`)), [['me@a:22', 'ops@b:2200'], ['me@a:22', 'ops@b:2200']]);
  assert.equal(calls.length, 0, 'answered from the first resolution');
  const refusing = openSshSource({ env, run, config: { file: '/cfg', text: 'Match exec "touch /x"\n' } });
  await assert.rejects(resolveSshDestinationWith('db', refusing, env), /cfg line 1: `Match exec`/);
  assert.equal(calls.length, 0, 'ssh -G (which would run the command) was not started');
  // Where the parser gives up first (here: Match localnetwork), any Match exec the file can reach is refused.
  const hidden = { read: (f: string) => (f === '/home/me/.ssh/inc' ? 'Host never\n  Match exec "touch /x"\n' : undefined), list: () => undefined };
  const cautious = openSshSource({ env, run, fs: hidden, config: { file: '/cfg', text: 'Match localnetwork 10.0.0.0/8\nHost other\n  Include inc\n' } });
  await assert.rejects(resolveSshDestinationWith('db', cautious, env), /inc line 2: `Match exec`/);
  assert.equal(calls.length, 0);
  const failing: Run = async () => ({ code: 255, stdout: '', stderr: '/cfg line 2: Bad port \'x\'.\n' });
  await assert.rejects(resolveSshDestinationWith('db', openSshSource({ env, run: failing }), env), /ssh -G for db failed: \/cfg line 2: Bad port/);
  // A failed ssh -G is not remembered: the same source asks again (the file may have been fixed).
  let fails = 1;
  const flaky: Run = async (f, a) => (fails-- > 0 ? failing(f, a) : run(f, a));
  const retried = openSshSource({ env, run: flaky });
  await assert.rejects(resolveSshDestinationWith('db', retried, env), /Bad port/);
  assert.equal((await resolveSshDestinationWith('db', retried, env)).host, 'db');
});

test('hasOpenSsh reads ssh -V', async () => {
  assert.equal(await hasOpenSsh(async () => ({ code: 0, stdout: '', stderr: 'OpenSSH_9.2p1 Debian-2' })), true);
  assert.equal(await hasOpenSsh(async () => ({ code: -1, stdout: '', stderr: 'spawn ssh ENOENT' })), false);
});

test('configFingerprint: the config and every file its Include lines name; changes with any of them, not otherwise', () => {
  const files: Record<string, string> = {
    '/home/me/.ssh/config': 'Host a\n  User x\nInclude lab.conf\n',
    '/home/me/.ssh/lab.conf': 'Host b\n  Include = /etc/ssh/deep.conf\n',
    '/etc/ssh/deep.conf': 'Host c\n  Port 2200\n',
  };
  const fs = { read: (f: string) => files[f], list: () => undefined };
  const fp = () => configFingerprint(['/home/me/.ssh/config', '/etc/ssh/ssh_config'], env, fs);
  const first = fp();
  assert.equal(fp(), first, 'same files, same fingerprint');
  assert.match(first, /deep\.conf/, 'an Include inside a Host block is followed, `=` and all');
  files['/etc/ssh/deep.conf'] = 'Host c\n  Port 2201\n';
  assert.notEqual(fp(), first, 'a file two Includes deep changed');
  const second = fp();
  files['/etc/ssh/ssh_config'] = 'Host *\n';
  assert.notEqual(fp(), second, 'a file that was missing appeared');
  // A loop of Includes ends (at ssh's depth limit).
  files['/home/me/.ssh/lab.conf'] = 'Include lab.conf\n';
  assert.ok(fp().length > 0);
});
