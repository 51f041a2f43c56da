// The build runner over a FAKE stream channel: recorded Nix 2.8 internal-json logs (captured from a
// real `nix build` of nix/examples/tiny-image, `#default` and `#failing`) replayed as a pty would
// deliver them (CRLF, terminal escapes, stdout and stderr merged), cancel paths, missing programs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanLine, describeFailure, runBuild, type BuildChannel } from '../../../src/build/runner';
import { hostDeployPlan, imageBuildPlan, nixEnv, slotDeployPlan } from '../../../src/build/plan';
import type { Topology } from '../../../src/model/types';

const fixture = (f: string): string => readFileSync(join(__dirname, 'fixtures', f), 'utf8');

/** A channel that replays text; records what was written and signalled. */
class FakeChannel extends EventEmitter implements BuildChannel {
  readonly stderr = new EventEmitter();
  readonly written: string[] = [];
  readonly signals: string[] = [];
  closed = false;
  /** What happens on Ctrl-C: 'exit' (nix exits 1), 'ignore' (nothing). */
  constructor(private readonly onCtrlC: 'exit' | 'ignore' = 'exit') {
    super();
  }
  override on(event: string, l: (...a: never[]) => void): this {
    return super.on(event, l as (...a: unknown[]) => void);
  }
  write(d: string): boolean {
    this.written.push(d);
    if (d === '\x03') {
      this.emit('data', Buffer.from('^C\r\n'));
      if (this.onCtrlC === 'exit') setImmediate(() => this.finish(1));
    }
    return true;
  }
  signal(name: string): void {
    this.signals.push(name);
  }
  close(): void {
    if (this.closed) return;
    this.closed = true;
    setImmediate(() => this.emit('close'));
  }
  finish(code: number | null): void {
    this.emit('exit', code);
    this.close();
  }
  /** Sends text in odd-sized chunks, as a pty would (CRLF). */
  feed(text: string, stream: 'out' | 'err' = 'out', crlf = true, chunk = 97): void {
    const t = crlf ? text.replace(/\n/g, '\r\n') : text;
    for (let i = 0; i < t.length; i += chunk) (stream === 'out' ? this : this.stderr).emit('data', Buffer.from(t.slice(i, i + chunk)));
  }
}

test('success over a pty: progress 1/1, current build seen while running, result path parsed, escapes cleaned', async () => {
  const ch = new FakeChannel();
  const seen: string[][] = [];
  const totals: string[] = [];
  const lines: string[] = [];
  let opened: { argv: readonly string[]; pty: boolean } | undefined;
  const staged: string[] = [];
  const p = runBuild({
    argv: ['nix', 'build', 'x'], env: { NIX_CONFIG: 'sandbox = false' },
    open: async (argv, o) => { opened = { argv, pty: !!o.pty }; return ch; },
    stageEnv: async (script) => { staged.push(script); return '/h/tmp/vsim-env.AbCdEf0123'; },
    onProgress: (pr) => { seen.push([...pr.current]); totals.push(`${pr.built}/${pr.total}`); },
    onLine: (l) => lines.push(l),
  });
  await new Promise(setImmediate);
  ch.feed(`\r\x1b[0m\x1b[K\r\x1b[0m\x1b[K${fixture('tiny-ok.log')}`);
  ch.feed(fixture('tiny-ok.json'));
  ch.finish(0);
  const o = await p;
  assert.deepEqual(staged, ["export NIX_CONFIG='sandbox = false'\n"]);
  assert.deepEqual(opened, { argv: ['sh', '-c', '. "$1" && rm -f -- "$1" && shift && exec "$@"', 'sh', '/h/tmp/vsim-env.AbCdEf0123', 'nix', 'build', 'x'], pty: true });
  assert.ok(!opened.argv.some((a) => a.includes('sandbox = false')), 'the value is not in the command line');
  assert.equal(o.status, 'succeeded');
  assert.equal(o.code, 0);
  assert.deepEqual(o.outPaths, ['/nix/store/xpvcddhgwbkffsfcjqwda4x5bccyynna-vsim-tiny-image']);
  assert.deepEqual([o.progress.built, o.progress.total, o.progress.failedCount], [1, 1, 0]);
  assert.ok(seen.some((c) => c.includes('vsim-tiny-image')), 'the running derivation was reported as current');
  assert.ok(totals.includes('0/1') && totals.at(-1) === '1/1', `progress went 0/1 → 1/1: ${totals.join(' ')}`);
  assert.deepEqual(o.progress.logLines.map((l) => l.line), ['vsim tiny image: step 1/2, writing image', 'vsim tiny image: step 2/2, done']);
  assert.ok(lines.every((l) => !/[\r\x1b]/.test(l)), 'lines are clean');
  assert.ok(lines[0]?.startsWith('@nix {'), 'the escape prefix before the first line is gone');
});

test('failure: the failing derivation, its message and its last log lines', async () => {
  const ch = new FakeChannel();
  const p = runBuild({ argv: ['nix', 'build', 'x'], open: async () => ch });
  await new Promise(setImmediate);
  ch.feed(fixture('tiny-failing.log'), 'out', true, 33);
  ch.finish(1);
  const o = await p;
  assert.equal(o.status, 'failed');
  assert.equal(o.progress.failed?.drv, 'vsim-tiny-image-failing');
  assert.equal(o.progress.failedCount, 1);
  const f = describeFailure(o, 'hv1');
  assert.equal(f.summary, 'build of vsim-tiny-image-failing failed on hv1');
  assert.match(f.detail, /builder for '\/nix\/store\/[0-9a-z]{32}-vsim-tiny-image-failing\.drv' failed with exit code 1/);
  assert.match(f.detail, /Last log lines:\nvsim tiny image: this build fails on purpose \(package 'failing'\)/);
});

test('without a pty: stdout (the --json result) and stderr (@nix lines) apart', async () => {
  const ch = new FakeChannel();
  const p = runBuild({ argv: ['nix', 'build', 'x'], open: async (_a, o) => { assert.equal(o.pty, undefined); return ch; }, pty: false });
  await new Promise(setImmediate);
  ch.feed(fixture('tiny-ok.log'), 'err', false);
  ch.feed(fixture('tiny-ok.json'), 'out', false);
  ch.finish(0);
  const o = await p;
  assert.equal(o.status, 'succeeded');
  assert.equal(o.outPaths.length, 1);
});

test('cancel: Ctrl-C on the pty, nix exits, status cancelled with the latency', async () => {
  const ch = new FakeChannel('exit');
  const ac = new AbortController();
  const p = runBuild({ argv: ['nix', 'build', 'x'], open: async () => ch, signal: ac.signal });
  await new Promise(setImmediate);
  ch.feed(fixture('tiny-ok.log').split('\n').slice(0, 12).join('\n') + '\n');
  ac.abort();
  const o = await p;
  assert.deepEqual(ch.written, ['\x03']);
  assert.deepEqual(ch.signals, []);
  assert.equal(o.status, 'cancelled');
  assert.equal(o.cancelledBy, 'ctrl-c');
  assert.equal(typeof o.cancelLatencyMs, 'number');
  assert.equal(o.code, 1);
});

test('cancel: Ctrl-C ignored → after the grace time, signal request + hang-up', async () => {
  const ch = new FakeChannel('ignore');
  const ac = new AbortController();
  const p = runBuild({ argv: ['nix', 'build', 'x'], open: async () => ch, signal: ac.signal, cancelGraceMs: 20 });
  await new Promise(setImmediate);
  ac.abort();
  const o = await p;
  assert.deepEqual(ch.written, ['\x03']);
  assert.deepEqual(ch.signals, ['INT']);
  assert.ok(ch.closed);
  assert.equal(o.status, 'cancelled');
  assert.equal(o.cancelledBy, 'hangup');
  assert.equal(o.code, null);
});

test('cancel before the channel opens: nothing runs', async () => {
  const ac = new AbortController();
  ac.abort();
  let opened = false;
  const o = await runBuild({ argv: ['nix'], open: async () => { opened = true; return new FakeChannel(); }, signal: ac.signal });
  assert.equal(opened, false);
  assert.equal(o.status, 'cancelled');
});

test('a missing program (exit 127) is named: through env, and a plain shell', async () => {
  for (const [argv, text, want] of [
    [['nixos-rebuild', 'switch'], 'bash: line 1: nixos-rebuild: command not found\n', 'nixos-rebuild'],
    [['nixos-rebuild', 'switch'], '', 'nixos-rebuild'],
  ] as const) {
    const ch = new FakeChannel();
    const p = runBuild({ argv, env: { NIX_CONFIG: 'x = y' }, open: async () => ch, stageEnv: async () => '/t/vsim-env.0123456789' });
    await new Promise(setImmediate);
    ch.feed(text);
    ch.finish(127);
    const o = await p;
    assert.equal(o.missingProgram, want);
    assert.equal(describeFailure(o, 'hv9').summary, `${want} not found on hv9`);
  }
  const ch = new FakeChannel();
  const p = runBuild({ argv: ['nixos-rebuild', 'build'], env: { NIX_CONFIG: 'x = y' }, open: async () => ch, stageEnv: async () => '/t/vsim-env.0123456789' });
  await new Promise(setImmediate);
  ch.feed("sh: 1: exec: nixos-rebuild-ng: not found\n");
  ch.finish(127);
  assert.equal((await p).missingProgram, 'nixos-rebuild-ng');
});

test('cleanLine', () => {
  assert.equal(cleanLine('\r\x1b[0m\x1b[K\r\x1b[0m\x1b[K@nix {"a":1}\r'), '@nix {"a":1}');
});

test('an environment without stageEnv is refused before anything is opened (values never go into an argv)', async () => {
  let opened = false;
  await assert.rejects(runBuild({ argv: ['nix'], env: { NIX_CONFIG: 'access-tokens = x' }, open: async () => { opened = true; return new FakeChannel(); } }), /needs stageEnv/);
  assert.equal(opened, false);
});

const topo: Topology = {
  version: 1,
  hosts: { hv: { flake: '/root/infra', address: '10.0.0.1' }, bare: { address: '10.0.0.2' } },
  vms: {
    a: { host: 'hv', backend: 'microvm', slot: 'slot1', image: { flake: '.#nixosConfigurations.slot1.config.microvm.declaredRunner', outLink: '/var/lib/microvms/a/current' } },
    b: { host: 'bare', backend: 'libvirt', image: { flake: 'path:/srv/img#default' } },
    c: { host: 'bare', backend: 'libvirt', image: { flake: '.#x' } },
    d: { host: 'bare', backend: 'libvirt' },
  },
  slots: { slot1: { host: 'hv', network: 'n', ip: '10.1.0.2' } },
};

test('plans: image build (relative ref, outLink), slot deploy (seed 002), host deploy', () => {
  const a = imageBuildPlan(topo, 'a', { offline: true });
  assert.deepEqual(a.argv, ['nix', 'build', '-L', '--log-format', 'internal-json', '-v', '--json', '--out-link', '/var/lib/microvms/a/current', '--offline',
    '/root/infra#nixosConfigurations.slot1.config.microvm.declaredRunner']);
  assert.equal(a.host, 'hv');
  assert.deepEqual(imageBuildPlan(topo, 'b').argv.slice(-2), ['--no-link', 'path:/srv/img#default']);
  assert.throws(() => imageBuildPlan(topo, 'c'), /relative, but host bare has no `flake`/);
  assert.throws(() => imageBuildPlan(topo, 'd'), /no image.flake/);
  const s = slotDeployPlan(topo, 'slot1');
  assert.deepEqual(s.argv, ['nixos-rebuild', 'switch', '--flake', '/root/infra#a', '--target-host', 'root@10.1.0.2', '--log-format', 'internal-json', '-v']);
  assert.equal(slotDeployPlan(topo, 'a').slot, 'slot1');
  assert.deepEqual(hostDeployPlan(topo, 'hv').argv, ['nixos-rebuild', 'switch', '--flake', '/root/infra#hv', '--log-format', 'internal-json', '-v']);
  assert.deepEqual(hostDeployPlan(topo, 'hv', { targetHost: '10.0.0.1' }).argv.slice(0, 6), ['nixos-rebuild', 'switch', '--flake', '/root/infra#hv', '--target-host', 'root@10.0.0.1']);
  assert.throws(() => hostDeployPlan(topo, 'bare'), /no `flake`/);
  assert.deepEqual(nixEnv({ config: '  sandbox = false\n' }), { NIX_CONFIG: 'sandbox = false' });
  assert.deepEqual(nixEnv({}), {});
  assert.deepEqual(nixEnv({ config: 'a = b', environment: { NIX_SSHOPTS: '-i k' } }), { NIX_SSHOPTS: '-i k', NIX_CONFIG: 'a = b' });
});

test('a character split between two chunks reaches the log whole (StringDecoder)', async () => {
  const ch = new FakeChannel();
  const lines: string[] = [];
  const p = runBuild({ argv: ['nix', 'build', 'x'], open: async () => ch, onLine: (l) => lines.push(l) });
  await new Promise(setImmediate);
  const bytes = Buffer.from('building 日本🙂 done\r\n');
  for (let i = 0; i < bytes.length; i++) ch.emit('data', bytes.subarray(i, i + 1)); // every character split
  ch.finish(0);
  await p;
  assert.deepEqual(lines, ['building 日本🙂 done']);
});
