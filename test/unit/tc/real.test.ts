// Real tc in a throwaway network namespace: render → apply → `tc -s -j qdisc show` → compare.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { Profile } from '../../../src/model/types';
import { ifbName } from '../../../src/tc/ifbName';
import { activeShaping, parseQdiscJson, type ActiveShaping } from '../../../src/tc/parseQdisc';
import { compareShaping, describeMatch, identifyProfile } from '../../../src/tc/compare';
import { renderApply, renderClear, renderShow } from '../../../src/tc/renderClear';
import { renderHeal, renderPartition, type DropMethod } from '../../../src/tc/renderPartition';
import { gactProbe, isMissingFeature, netemProbe } from '../../../src/tc/probe';
import { isTolerated, type TcStep } from '../../../src/tc/steps';
import { Netns } from './netns';

const hasTc = spawnSync('sh', ['-c', 'command -v tc && command -v nsenter']).status === 0;
let ns: Netns | undefined;
let peer: Netns | undefined;
let skip: string | false = hasTc ? false : 'tc/nsenter not installed';

before(() => {
  if (skip) return;
  const a = Netns.open();
  const b = typeof a === 'string' ? a : Netns.open();
  if (typeof a === 'string' || typeof b === 'string') {
    skip = typeof a === 'string' ? a : (b as string);
    return;
  }
  ns = a;
  peer = b;
  assert.ok(ns.ready() && peer.ready(), 'namespaces ready');
  must(['ip', 'link', 'add', 'vtest0', 'type', 'veth', 'peer', 'name', 'vtest1']);
  must(['ip', 'link', 'set', 'vtest1', 'netns', String(peer.pid)]);
  must(['ip', 'addr', 'add', '10.9.0.1/24', 'dev', 'vtest0']);
  must(['ip', 'link', 'set', 'vtest0', 'up']);
  must(['ip', 'link', 'set', 'lo', 'up']);
  for (const argv of [['ip', 'addr', 'add', '10.9.0.2/24', 'dev', 'vtest1'], ['ip', 'link', 'set', 'vtest1', 'up'], ['ip', 'link', 'set', 'lo', 'up']]) {
    const r = peer.run(argv);
    assert.equal(r.status, 0, r.stderr);
  }
});
after(() => {
  ns?.close();
  peer?.close();
});

function must(argv: string[]): string {
  const r = ns!.run(argv);
  assert.equal(r.status, 0, `${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function runSteps(steps: TcStep[]): void {
  for (const s of steps) {
    const r = ns!.run(s.argv);
    assert.ok(isTolerated(s, r.status, r.stderr), `${s.argv.join(' ')} → ${r.status} ${r.stderr}`);
  }
}

function show(dev: string): ActiveShaping {
  return activeShaping(parseQdiscJson(must(renderShow(dev))));
}

/** Runs a probe (argv already carries its own `unshare -n`) inside our namespace. */
function probe(argv: string[]): { ok: boolean; stderr: string } {
  const r = ns!.run(argv);
  return { ok: r.status === 0, stderr: r.stderr };
}

test('rate profile: applied for real, the same rate read back, matches the profile', { skip: skip || undefined }, (t) => {
  if (skip) return t.skip(skip);
  const constrained: Profile = { rate: '10mbit', burst: '32kbit' };
  const target = { iface: 'vtest0' };
  runSteps(renderApply(constrained, target));
  const a = show('vtest0');
  assert.deepEqual(a.kinds, ['tbf']);
  assert.equal(a.rateBits, 10_000_000);
  assert.ok(Math.abs((a.burstBytes ?? 0) - 4096) <= 2, `burst ${a.burstBytes} (tc rounds through timer ticks)`);
  assert.equal(describeMatch(identifyProfile(a, { default: {}, constrained })), 'matches profile constrained');
  // Applying again is idempotent (clear first), and a different rate replaces it.
  runSteps(renderApply({ rate: '2mbit' }, target));
  const b = show('vtest0');
  assert.equal(b.rateBits, 2_000_000);
  assert.ok(Math.abs((b.burstBytes ?? 0) - 1600) <= 2);
  assert.equal(describeMatch(identifyProfile(b, { constrained })), 'custom');
});

test('ingress shaping through ifb: the rate is on the ifb device', { skip: skip || undefined }, (t) => {
  if (skip) return t.skip(skip);
  runSteps(renderApply({ rate: '5mbit', direction: 'both' }, { iface: 'vtest0' }));
  assert.equal(show('vtest0').rateBits, 5_000_000);
  const ifb = show(ifbName('vtest0'));
  assert.equal(ifb.rateBits, 5_000_000);
  assert.ok(compareShaping(ifb, { rate: '5mbit' }).matches);
  const filters = JSON.parse(must(['tc', '-j', 'filter', 'show', 'dev', 'vtest0', 'parent', 'ffff:'])) as { options?: { actions?: { to_dev?: string }[] } }[];
  assert.ok(filters.some((f) => f.options?.actions?.some((x) => x.to_dev === ifbName('vtest0'))));
});

test('clear removes everything and is idempotent', { skip: skip || undefined }, (t) => {
  if (skip) return t.skip(skip);
  runSteps(renderClear('vtest0'));
  assert.equal(show('vtest0').none, true);
  assert.notEqual(ns!.run(['ip', 'link', 'show', ifbName('vtest0')]).status, 0);
  runSteps(renderClear('vtest0')); // nothing there: every failure is the tolerated kind
});

test('netem profile: delay/loss read back (skips when the kernel lacks netem)', { skip: skip || undefined }, (t) => {
  if (skip) return t.skip(skip);
  const p = probe(netemProbe());
  if (!p.ok) {
    assert.ok(isMissingFeature(p.stderr), `unexpected probe failure: ${p.stderr}`);
    return t.skip('netem not in this kernel');
  }
  const lossy: Profile = { rate: '10mbit', delay: '50ms', jitter: '10ms', loss: '5%' };
  runSteps(renderApply(lossy, { iface: 'vtest0' }));
  const a = show('vtest0');
  assert.deepEqual(a.kinds, ['netem', 'tbf']);
  assert.ok(compareShaping(a, lossy).matches, compareShaping(a, lossy).differences.join('; '));
  runSteps(renderClear('vtest0'));
});

test('without netem, a netem profile degrades to its rate (what the extension applies on such hosts)', { skip: skip || undefined }, (t) => {
  if (skip) return t.skip(skip);
  const wan: Profile = { rate: '10mbit', delay: '40ms' };
  runSteps(renderApply(wan, { iface: 'vtest0' }, { netem: false }));
  const a = show('vtest0');
  assert.deepEqual(a.kinds, ['tbf']);
  assert.ok(compareShaping(a, wan, { netem: false }).matches);
  runSteps(renderClear('vtest0'));
});

async function reachable(): Promise<boolean> {
  // A TCP connect from our namespace to a listener in the peer namespace (socat), 1 s timeout.
  const r = ns!.run(['socat', '-u', 'OPEN:/dev/null', 'TCP:10.9.0.2:7070,connect-timeout=1']);
  return r.status === 0;
}

test('partition drops traffic between two addresses for real, heal restores it', { skip: skip || undefined }, async (t) => {
  if (skip) return t.skip(skip);
  if (spawnSync('sh', ['-c', 'command -v socat']).status !== 0) return t.skip('socat not installed');
  const listener = spawn('nsenter', ['-t', String(peer!.pid), '-n', '--', 'socat', '-u', 'TCP-LISTEN:7070,fork,reuseaddr', 'OPEN:/dev/null'], { stdio: 'ignore' });
  try {
    const deadline = Date.now() + 3000;
    let up = false;
    while (!up && Date.now() < deadline) {
      up = await reachable();
      if (!up) await new Promise((r) => setImmediate(r));
    }
    assert.ok(up, 'listener reachable before the partition');
    const gact = probe(gactProbe());
    const method: DropMethod = gact.ok ? { kind: 'gact' } : { kind: 'blackhole', dev: 'vsim-drop' };
    if (!gact.ok) assert.ok(isMissingFeature(gact.stderr), gact.stderr);
    // Only our side has a tap here (the peer is a plain namespace): partition with a stand-in peer tap.
    const a = { iface: 'vtest0', ip: '10.9.0.2' };
    const b = { iface: 'vtest0', ip: '10.9.0.1' };
    runSteps(renderPartition(a, b, method));
    assert.equal(await reachable(), false, `blocked with ${method.kind}`);
    runSteps(renderHeal(a, b));
    assert.equal(await reachable(), true, 'healed');
    runSteps(renderHeal(a, b));
  } finally {
    listener.kill('SIGKILL');
  }
});
