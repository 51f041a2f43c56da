import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { drvName, parseNixLogLine, stripAnsi } from '../../../src/nix/parseLog';
import { BuildProgressTracker, describeProgress } from '../../../src/nix/progress';
import { buildCommand, nixosRebuildCommand, parseNixBuildJson, resolveFlakeRef } from '../../../src/nix/commands';

const fixture = (f: string): string => readFileSync(join(__dirname, 'fixtures', f), 'utf8');

test('internal-json lines: start/stop/result/msg, ANSI stripped, plain text kept', () => {
  assert.deepEqual(parseNixLogLine('@nix {"action":"start","fields":["/nix/store/k1rd3jfz725bc4335g99fsmzisrds090-hello-1.drv","",1,1],"id":7,"level":3,"text":"building \'x\'","type":105}'),
    { action: 'start', id: 7, type: 105, level: 3, text: "building 'x'", fields: ['/nix/store/k1rd3jfz725bc4335g99fsmzisrds090-hello-1.drv', '', 1, 1] });
  assert.deepEqual(parseNixLogLine('@nix {"action":"stop","id":7}'), { action: 'stop', id: 7 });
  assert.deepEqual(parseNixLogLine('@nix {"action":"result","fields":[1,2,0,0],"id":6,"type":105}'), { action: 'result', id: 6, type: 105, fields: [1, 2, 0, 0] });
  assert.deepEqual(parseNixLogLine('@nix {"action":"msg","level":0,"msg":"\\u001b[31;1merror:\\u001b[0m boom"}'), { action: 'msg', level: 0, msg: 'error: boom' });
  assert.deepEqual(parseNixLogLine('warning: plain'), { action: 'text', text: 'warning: plain' });
  assert.deepEqual(parseNixLogLine('@nix {broken'), { action: 'text', text: '@nix {broken' });
  assert.equal(parseNixLogLine(''), undefined);
  assert.equal(stripAnsi('\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\ \x1b[35;1mX\x1b[0m'), 'link X');
  assert.equal(drvName('/nix/store/k1rd3jfz725bc4335g99fsmzisrds090-hello-2.12.drv'), 'hello-2.12');
});

test('a successful build (captured from Nix 2.8): 1/1 built, log lines, nothing failed', () => {
  const t = new BuildProgressTracker();
  const text = fixture('build-ok.log');
  for (let i = 0; i < text.length; i += 101) t.push(text.slice(i, i + 101));
  t.end();
  const p = t.progress;
  assert.deepEqual([p.built, p.total, p.running, p.failedCount], [1, 1, 0, 0]);
  assert.deepEqual(p.current, []);
  assert.deepEqual(p.logLines.map((l) => l.line), ['hello from build', 'line two']);
  assert.match(p.logLines[0]!.drv, /^vsim-cap-ok-/);
  assert.equal(p.failed, undefined);
  assert.equal(describeProgress(p), '1/1 built');
  assert.match(parseNixBuildJson(fixture('build-ok.json'))[0]!.outputs.out!, /^\/nix\/store\/[0-9a-z]{32}-vsim-cap-ok-/);
});

test('a failing build: the failing derivation, its message and last log lines', () => {
  const t = new BuildProgressTracker(10);
  const lines = fixture('build-bad.log').split('\n');
  let sawRunning = false;
  for (const l of lines) {
    t.push(`${l}\n`);
    if (t.progress.current.length) sawRunning = describeProgress(t.progress).includes('building vsim-cap-bad-') || sawRunning;
  }
  const p = t.progress;
  assert.ok(sawRunning, 'current build shown while running');
  assert.equal(p.failedCount, 1);
  assert.match(p.failed?.drv ?? '', /^vsim-cap-bad-/);
  assert.match(p.failed?.message ?? '', /builder for '\/nix\/store\/.*\.drv' failed with exit code 3$/);
  assert.deepEqual(p.logLines.map((l) => l.line), ['about to fail']);
});

test('downloads from CopyPaths progress and FileTransfer bytes', () => {
  const t = new BuildProgressTracker();
  for (const l of [
    '@nix {"action":"start","id":1,"level":0,"text":"","type":103}',
    '@nix {"action":"result","id":1,"type":105,"fields":[1,4,1,0]}',
    '@nix {"action":"start","id":2,"level":4,"text":"downloading \'https://cache.nixos.org/nar/x\'","type":101,"fields":["https://cache.nixos.org/nar/x"]}',
    '@nix {"action":"result","id":2,"type":105,"fields":[1000,5000,0,0]}',
  ]) t.apply(parseNixLogLine(l)!);
  assert.deepEqual(t.progress.downloads, { done: 1, expected: 4, bytesDone: 1000, bytesExpected: 5000 });
  assert.equal(describeProgress(t.progress), '1/4 downloads');
});

test('command lines', () => {
  assert.deepEqual(buildCommand('/root/infra#nixosConfigurations.slot1.config.microvm.declaredRunner', { outLink: '/var/lib/microvms/slot1/current' }), [
    'nix', 'build', '-L', '--log-format', 'internal-json', '-v', '--json', '--out-link', '/var/lib/microvms/slot1/current',
    '/root/infra#nixosConfigurations.slot1.config.microvm.declaredRunner',
  ]);
  assert.deepEqual(buildCommand('.#x').slice(-2), ['--no-link', '.#x']);
  assert.equal(resolveFlakeRef('.#packages.x86_64-linux.vm', '/root/n3x'), '/root/n3x#packages.x86_64-linux.vm');
  assert.equal(resolveFlakeRef('github:o/r#x', '/root/n3x'), 'github:o/r#x');
  for (const bad of ['a b', "x'y", '$(reboot)', 'a;b', '--impure']) assert.throws(() => buildCommand(bad), /Invalid flake reference/);
  assert.deepEqual(nixosRebuildCommand('.#slot1', '10.1.0.2'), ['nixos-rebuild', 'switch', '--flake', '.#slot1', '--target-host', 'root@10.1.0.2']);
  assert.throws(() => nixosRebuildCommand('.#a', 'h;x'), /Invalid target host/);
  assert.throws(() => nixosRebuildCommand('.#a', '-oProxyCommand'), /Invalid target host/, 'a leading - would be an option of nixos-rebuild');
});

const NIX_CONFIG = 'build-users-group =\nsandbox = false\nsubstituters =\nexperimental-features = nix-command flakes';
const hasNix = spawnSync('sh', ['-c', 'command -v nix']).status === 0;

test('real nix build (offline, tiny derivation) through the same argv and tracker', { skip: hasNix ? false : 'nix not installed' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vsim-nix-'));
  try {
    const salt = `${process.pid}-${Date.now()}`;
    writeFileSync(join(dir, 'flake.nix'), `{ outputs = { self }: { packages.x86_64-linux.default = builtins.derivation {
      name = "vsim-unit-${salt}"; system = "x86_64-linux"; builder = "/bin/sh"; PATH = "/usr/bin:/bin";
      args = [ "-c" "echo step one; echo step two; echo ok > $out" ]; }; }; }\n`);
    const argv = [...buildCommand(`path:${dir}#default`, { offline: true }), '--no-use-registries'];
    const t = new BuildProgressTracker();
    const child = spawn(argv[0]!, argv.slice(1), { env: { ...process.env, NIX_CONFIG } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); t.push(d.toString()); });
    const code = await new Promise<number | null>((r) => child.on('close', r));
    t.end();
    assert.equal(code, 0, t.progress.errors.join('\n'));
    assert.deepEqual([t.progress.built, t.progress.total], [1, 1]);
    assert.deepEqual(t.progress.logLines.map((l) => l.line), ['step one', 'step two']);
    // How often progress changes as nix's lines arrive one by one (how the OS chunks stderr varies
    // with load, so the count is taken over lines, not over chunks).
    const perLine = new BuildProgressTracker();
    const updates = stderr.split('\n').filter((l) => perLine.push(`${l}\n`)).length;
    assert.ok(updates >= 3, `progress updates: ${updates}`);
    assert.match(parseNixBuildJson(stdout)[0]!.outputs.out!, new RegExp(`vsim-unit-${salt}$`));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
