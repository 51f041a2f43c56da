// Issue 20 item 6 against a REAL sshd whose login user has a non-POSIX shell (tcsh, fish) with rc
// files that print on stdout and stderr: the control shell, the exec fallback, streams with and
// without a pty (stdin kept for the program), tc scripts and a multi-line NIX_CONFIG all behave as
// under sh. The login shell is set in a private mount namespace (sshdFixture's `loginShell`), not
// in the host's /etc/passwd.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { runBuild } from '../../../src/build/runner';
import { STAGE_ENV_ARGV, stagedPath } from '../../../src/remote/secretEnv';
import { KnownHostsPolicy } from '../../../src/remote/hostKeyPolicy';
import { SshPool, type PooledHost } from '../../../src/remote/pool';
import type { RemoteStream } from '../../../src/remote/framedChannel';
import { parseScriptOutput, SCRIPT_ARGV, scriptStdin, type TcScript } from '../../../src/tc/opsScript';
import { sshdMissingReason, TestSshd, waitFor } from './sshdFixture';

const HOSTILE = ['a!b', 'a\\\\b', 'x\ny', "it's", '$HOME', '`id`', '{a,b}', '~', '*', '%1', '日本🙂', ''];

const shells = ['/usr/bin/tcsh', '/usr/bin/fish'].filter((s) => existsSync(s));
const skip = sshdMissingReason() ?? (shells.length < 2 ? 'tcsh or fish not installed' : undefined)
  ?? (spawnable('unshare') ? undefined : 'unshare not found');
if (skip) console.log(`# skipping login shell tests: ${skip}`);

function spawnable(cmd: string): boolean {
  try {
    execFileSync(cmd, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}


/** Collects a stream until it closes. */
function collect(ch: RemoteStream): Promise<{ out: string; err: string; code: number | null }> {
  let out = '';
  let err = '';
  let code: number | null = null;
  ch.on('data', (d) => { out += d.toString('utf8'); });
  ch.stderr.on('data', (d) => { err += d.toString('utf8'); });
  ch.on('exit', (c) => { code = c; });
  return new Promise((resolve) => ch.on('close', () => resolve({ out, err, code })));
}

for (const loginShell of shells) {
  describe(`login shell ${path.basename(loginShell)} (real sshd)`, { skip }, () => {
    let sshd: TestSshd;
    let pool: SshPool;
    let h: PooledHost;

    before(async () => {
      sshd = new TestSshd(`test-sshd-${path.basename(loginShell)}-`, { loginShell });
      await sshd.start();
      mkdirSync(path.join(sshd.home, '.config', 'fish'), { recursive: true });
      const rc = "echo rc-noise\nsh -c 'echo rc-noise-err >&2'\n";
      writeFileSync(path.join(sshd.home, '.tcshrc'), rc);
      writeFileSync(path.join(sshd.home, '.config', 'fish', 'config.fish'), rc);
      const kh = sshd.writeKnownHosts('kh');
      pool = new SshPool({ hostKeys: new KnownHostsPolicy({ askTrust: async () => false }), askPassphrase: async () => undefined, agentSocket: '', readyTimeoutMs: 10_000 });
      h = pool.get({ alias: 'login', host: '127.0.0.1', port: sshd.port, user: sshd.user, identityFiles: [sshd.clientKey.file], knownHostsFiles: [kh], strictHostKeyChecking: 'ask' });
    });
    after(async () => {
      pool?.dispose();
      await sshd?.stop();
    });

    test('the login shell is really the one under test, and its rc file prints', () => {
      const out = execFileSync('ssh', ['-F', sshd.writeClientConfig('login', path.join(sshd.dir, 'kh')), 'login', 'echo $SHELL'], { encoding: 'utf8' });
      assert.equal(out, `rc-noise\n${loginShell}\n`);
    });

    test('control shell: no rc output in the first result; hostile argv and stdin exact', async () => {
      const r = await h.shell.exec(['echo', 'hi']);
      assert.deepEqual([r.stdout, r.stderr, r.code, r.via], ['hi\n', '', 0, 'shell']);
      const r2 = await h.shell.exec(['printf', '%s\\0', ...HOSTILE]);
      assert.deepEqual(r2.stdout.split('\0').slice(0, -1), HOSTILE);
      const r3 = await h.shell.exec(['cat'], { stdin: 'a!b\na\\\\b\n' });
      assert.equal(r3.stdout, 'a!b\na\\\\b\n');
    });

    test('a background job of an earlier command does not print into the next result', async () => {
      const done = path.join(sshd.dir, `bg-${Date.now()}`);
      await h.shell.execOk(['sh', '-c', '( sleep 0.2; echo late; echo late-err >&2; touch "$1" ) >&1 &', 'bg', done]);
      await waitFor('the background job', () => existsSync(done));
      const r = await h.shell.exec(['echo', 'mine']);
      assert.deepEqual([r.stdout, r.stderr], ['mine\n', '']);
    });

    test('exec fallback (own channel): hostile argv, stdin, exit code, no rc output', async () => {
      const r = await h.shell.exec(['printf', '%s\\0', ...HOSTILE], { channel: true });
      assert.equal(r.via, 'exec');
      assert.equal(r.stderr, '');
      assert.deepEqual(r.stdout.split('\0').slice(0, -1), HOSTILE);
      const r2 = await h.shell.exec(['sh', '-c', 'cat; echo err >&2; exit 5'], { channel: true, stdin: 'in!put\n' });
      assert.deepEqual([r2.stdout, r2.stderr, r2.code], ['in!put\n', 'err\n', 5]);
      const big = `${'x'.repeat(100_000)}\n!\\\\`; // > the shell's stdin bound: the exec path
      const r3 = await h.shell.exec(['cat'], { stdin: big });
      assert.deepEqual([r3.via, r3.stdout === big], ['exec', true]);
    });

    test('stream without a pty: exact output; stdin belongs to the program', async () => {
      const r = await collect(await h.shell.stream(['printf', '%s\\0', ...HOSTILE]));
      assert.deepEqual([r.err, r.code], ['', 0]);
      assert.deepEqual(r.out.split('\0').slice(0, -1), HOSTILE);
      const ch = await h.shell.stream(['sh', '-c', 'cat; echo done >&2']);
      const got = collect(ch);
      ch.write('first line\n');
      ch.end('a!b\\\\');
      assert.deepEqual(await got, { out: 'first line\na!b\\\\', err: 'done\n', code: 0 });
    });

    test('stream with a pty: the program reads what is typed; a multi-line argument with a 6000-byte line and control characters passes', async () => {
      const ch = await h.shell.stream(['sh', '-c', 'read l; echo "got:$l"'], { pty: { cols: 80, rows: 24 } });
      const got = collect(ch);
      ch.write('hello\r');
      const r = await got;
      assert.equal(r.code, 0);
      assert.match(r.out, /got:hello\r\n$/);
      assert.doesNotMatch(r.out, /rc-noise|__vsim|stty/);
      const arg = `${'y'.repeat(6000)}\nline2 ^C\x03 \x04 \\\\ !`;
      const r2 = await collect(await h.shell.stream(['sh', '-c', 'stty -opost; printf "%s" "$1" | od -An -v -tx1 | tr -d " \\n"', 'x', arg], { pty: { cols: 80, rows: 24 } }));
      assert.equal(r2.code, 0);
      assert.equal(r2.out.trim(), Buffer.from(arg).toString('hex'));
    });

    test('stream with a pty: Ctrl-C reaches the program alone; the exit status is its own (build Cancel)', async () => {
      const ch = await h.shell.stream(['sh', '-c', 'trap "echo got-int; exit 1" INT; echo ready; while :; do sleep 0.05; done'], { pty: { cols: 80, rows: 24 } });
      let out = '';
      ch.on('data', (d) => {
        out += d.toString('utf8');
        if (out.includes('ready\r\n') && !out.includes('^C')) ch.write('\x03');
      });
      let exit: [number | null, string | undefined] | undefined;
      ch.on('exit', (code, signal) => { exit = [code, signal]; });
      await new Promise((resolve) => ch.on('close', resolve));
      assert.deepEqual(exit, [1, undefined], `${JSON.stringify(exit)} ${out}`);
      assert.match(out, /got-int/);
    });

    test('tc script (sh -s on stdin): the same readback as a local sh, on the shell and on the exec path', async () => {
      const script: TcScript = {
        devices: [{ iface: 'lo', qdiscs: {} }, { iface: 'vsimnone0' }],
        units: [{ devices: [0], steps: [{ argv: ['tc', 'qdisc', 'show', 'dev', 'lo'] }] }, { devices: [1], steps: [{ argv: ['tc', 'qdisc', 'show', 'dev', 'vsimnone0'] }] }],
        probes: [{ name: 'tc', argv: ['tc', '-V'] }],
      };
      const stdin = scriptStdin(script);
      const local = parseScriptOutput(script, execFileSync('sh', ['-s'], { input: stdin, encoding: 'utf8' }));
      const shape = (o: typeof local) => ({ devs: o.devices.map((d) => [d.dev, Array.isArray(JSON.parse(d.qdiscJson ?? '[]'))]), failures: o.failures, missing: o.missing, probes: o.probes });
      const viaShell = await h.shell.exec(SCRIPT_ARGV, { stdin });
      const viaExec = await h.shell.exec(SCRIPT_ARGV, { stdin: `${stdin}#${'p'.repeat(70_000)}\n` });
      assert.deepEqual([viaShell.via, viaExec.via], ['shell', 'exec']);
      assert.deepEqual(local.missing, [1]);
      assert.doesNotMatch(viaShell.stdout + viaExec.stdout, /rc-noise/);
      assert.deepEqual(shape(parseScriptOutput(script, viaShell.stdout)), shape(local));
      assert.deepEqual(shape(parseScriptOutput(script, viaExec.stdout)), shape(local));
    });

    test('build stream (pty): a multi-line NIX_CONFIG reaches nix whole', { skip: existsSync('/usr/bin/nix') ? undefined : 'nix not installed' }, async () => {
      const lines: string[] = [];
      const outcome = await runBuild({
        argv: ['nix', 'show-config'],
        env: { NIX_CONFIG: `experimental-features = nix-command\nconnect-timeout = 7\nextra-substituters = https://a.example/!x https://b.example/${'z'.repeat(5000)}` },
        open: (argv, opts) => h.shell.stream(argv, opts),
        // As the extension stages it (src/commands/build/buildUi.ts): on stdin, never in an argv.
        stageEnv: async (script) => stagedPath((await h.shell.execOk(STAGE_ENV_ARGV, { stdin: script })).stdout),
        onLine: (l) => lines.push(l),
      });
      assert.equal(outcome.code, 0, outcome.tail.join('\n'));
      assert.ok(lines.includes('connect-timeout = 7'), lines.slice(0, 5).join('\n'));
      assert.ok(lines.some((l) => l.startsWith('substituters = ') && l.includes('https://a.example/!x') && l.includes('z'.repeat(5000))));
      assert.ok(!lines.some((l) => /rc-noise|__vsim/.test(l)));
    });
  });
}
