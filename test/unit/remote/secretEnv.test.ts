// The environment of remote commands (NIX_CONFIG with access tokens) never appears in an argv: run
// for real with /bin/sh, reading the running program's own /proc/PID/cmdline and environment.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { envScript, STAGE_ENV_ARGV, stagedPath, withEnvFile, withEnvOnStdin } from '../../../src/remote/secretEnv';

const SECRET = "access-tokens = github.com=ghp_s3cr3t'$(touch PWNED)`x`\nsubstituters = https://cache.example";
/** Prints the program's own command line (NULs as spaces), then its NIX_CONFIG. */
const SHOW = ['sh', '-c', 'tr "\\0" " " </proc/$$/cmdline; echo; printf "%s" "$NIX_CONFIG"'];

function run(argv: readonly string[], stdin: string | undefined, env: NodeJS.ProcessEnv = process.env, cwd?: string) {
  const r = spawnSync(argv[0] as string, argv.slice(1), { input: stdin ?? '', encoding: 'utf8', env, cwd });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('withEnvOnStdin: the program sees the value; its argv and the wrapper argv do not hold it', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vsim-env-'));
  try {
    const cmd = withEnvOnStdin(SHOW, { NIX_CONFIG: SECRET });
    assert.ok(!cmd.argv.join('\n').includes('s3cr3t'));
    const [cmdline, ...rest] = run(cmd.argv, cmd.stdin, process.env, dir).split('\n');
    assert.ok(!cmdline?.includes('s3cr3t'), cmdline);
    assert.equal(rest.join('\n'), SECRET, 'quotes, $(), backticks and newlines arrive as written');
    assert.equal(existsSync(path.join(dir, 'PWNED')), false, 'nothing in the value was run');
    assert.deepEqual(withEnvOnStdin(['true'], {}), { argv: ['true'] });
    assert.throws(() => envScript({ 'A;B': 'x' }), /Invalid environment variable name/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('STAGE_ENV_ARGV + withEnvFile: a mode-600 file under $TMPDIR, read and deleted before the program runs', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'vsim-env-'));
  try {
    const env = { ...process.env, TMPDIR: dir };
    const file = stagedPath(run(STAGE_ENV_ARGV, envScript({ NIX_CONFIG: SECRET }), env));
    assert.equal(path.dirname(file), dir);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const argv = withEnvFile(SHOW, file);
    assert.ok(!argv.join('\n').includes('s3cr3t'));
    const [cmdline, ...rest] = run(argv, undefined, env, dir).split('\n');
    assert.ok(!cmdline?.includes('s3cr3t'), cmdline);
    assert.equal(rest.join('\n'), SECRET);
    assert.deepEqual(readdirSync(dir), [], 'the staged file is gone, and nothing was run from the value');
    assert.throws(() => stagedPath('/tmp/x; rm -rf /\n'), /Unexpected path/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
