// TcOps over a fake runner (exact composed script, readback parsing, netem-missing path, errors
// naming host/command/stderr) and the same composed script run for real by sh + tc in a
// throwaway network namespace.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { CommandRunner } from '../../../src/backends/backend';
import { analyze } from '../../../src/model/analyze';
import type { Topology } from '../../../src/model/types';
import { describeIface, hasDrop, identifyIface, parseFilterJson, TcOps, vmIfaces, type VmIface } from '../../../src/tc/ops';
import { composeScript, libvirtTapMac, parseScriptOutput, SCRIPT_ARGV, scriptStdin, type TcScript } from '../../../src/tc/opsScript';
import { ifbName } from '../../../src/tc/ifbName';
import { activeShaping, parseQdiscJson } from '../../../src/tc/parseQdisc';
import { renderApply, renderClear } from '../../../src/tc/renderClear';
import { buildCommand, shellQuote } from '../../../src/remote/quote';
import { NOTHING_TO_DELETE } from '../../../src/tc/steps';
import { asMarked, fakeRunner, unmarked } from '../fakes/runner';
import { EXAMPLES } from '../model/helpers';
import { Netns } from './netns';

function sandboxTopology(): Topology {
  const a = analyze(readFileSync(join(EXAMPLES, 'sandbox.vsim.yaml'), 'utf8'));
  assert.ok(a.topology, 'sandbox example parses');
  return a.topology;
}
const topo = sandboxTopology();

const TBF_10M = JSON.stringify([{ kind: 'tbf', handle: '1:', root: true, refcnt: 2, options: { rate: 1250000, burst: 4096, lat: 50000 }, bytes: 1200, packets: 12, drops: 1, overlimits: 3, requeues: 0, backlog: 0, qlen: 0 }]);
const NOQUEUE = JSON.stringify([{ kind: 'noqueue', handle: '0:', root: true, refcnt: 2, options: {}, bytes: 0, packets: 0, drops: 0, overlimits: 0, requeues: 0, backlog: 0, qlen: 0 }]);

test('vmIfaces: taps of the VM, libvirt host-side MAC, overrides of links in the profile targets', () => {
  assert.deepEqual(vmIfaces(topo, 'chassis'), [{ vm: 'chassis', iface: 'tap-chassis', hostMac: 'fe:54:00:00:00:10', names: ['chassis'], ip: '192.168.100.10' }]);
  assert.deepEqual(vmIfaces(topo, 'compute', { targets: ['chassis-compute'] })[0]!.names, ['chassis-compute', 'compute']);
  assert.equal(vmIfaces(topo, 'slot1')[0]!.hostMac, undefined, 'microvm taps are named by the host config');
  assert.throws(() => vmIfaces(topo, 'nope'), /No VM named nope/);
  assert.equal(libvirtTapMac('52:54:00:AB:00:10'), 'fe:54:00:ab:00:10');
});

test('composeScript: one script on the stdin of sh -s, steps quoted by buildCommand, the tap as the resolved device variable', () => {
  const s: TcScript = {
    devices: [{ iface: 'tap-chassis', hostMac: 'fe:54:00:00:00:10', qdiscs: { ifb: ifbName('tap-chassis') } }],
    units: [{ devices: [0], steps: renderApply({ rate: '10mbit', burst: '32kbit' }, { iface: 'tap-chassis' }) }],
  };
  const TOL = shellQuote(NOTHING_TO_DELETE.stderr.source);
  assert.deepEqual(SCRIPT_ARGV, ['sh', '-s']);
  const marked = scriptStdin(s);
  assert.match(marked, /^echo @@vsim\.[0-9a-f]{32}\n\{\n/, 'the run announces its own mark first');
  const stdin = unmarked(marked) ?? '';
  assert.ok(stdin.startsWith('{\n') && stdin.endsWith('\n} </dev/null\n'), 'one group: parsed whole, commands read /dev/null');
  const body = stdin.slice(2, -'\n} </dev/null\n'.length).split('\n');
  const tail = body.slice(body.findIndex((l) => l.startsWith('r 0')));
  assert.deepEqual(tail, [
    'r 0 tap-chassis fe:54:00:00:00:10',
    'u 0',
    `s 0 '1 2' ${TOL} tc qdisc del dev "$D0" root`,
    // The ingress qdisc stays (a partition's drop filters live there): only the ifb redirect goes.
    `s 1 '1 2' ${TOL} tc filter del dev "$D0" parent ffff: protocol all prio 40000`,
    // The ifb device keeps the name derived from the configured tap (stable across vnetN renumbering).
    `s 2 '1 2' ${TOL} ip link del dev ${ifbName('tap-chassis')}`,
    `s 3 '' . tc qdisc add dev "$D0" root handle 1: tbf rate 10mbit burst 32kbit latency 50ms`,
    `q 0 ${ifbName('tap-chassis')}`,
    'exit 0',
  ]);
  assert.throws(() => composeScript({ devices: [{ iface: 'a;reboot' }], units: [] }), /Invalid interface name/);
  assert.throws(() => composeScript({ devices: [{ iface: 'a', hostMac: "x'" }], units: [] }), /Invalid MAC/);
});

test('parseScriptOutput: devices, failures (tolerance re-checked in JS), missing devices, readbacks, probes', () => {
  const s: TcScript = { devices: [{ iface: 'vnet-a', qdiscs: {} }, { iface: 'vnet-b', qdiscs: {} }], units: [{ devices: [0], steps: renderClear('vnet-a') }, { devices: [1], steps: renderClear('vnet-b') }] };
  const out = parseScriptOutput(s, asMarked([
    '@@vsim probe netem 2', 'Error: Specified qdisc kind is unknown.',
    '@@vsim dev 0 vnet0', '@@vsim dev 1 ',
    '@@vsim step 0 2 1', 'Error: Cannot delete qdisc with handle of zero.',
    '@@vsim missing 1',
    '@@vsim qdisc 0', NOQUEUE, '',
  ].join('\n'), `@@vsim.${'ab'.repeat(16)}`));
  assert.deepEqual(out.devices.map((d) => d.dev), ['vnet0', '']);
  assert.equal(out.failures.length, 1);
  assert.equal(out.failures[0]!.tolerated, true);
  assert.deepEqual(out.missing, [1]);
  assert.equal(out.devices[0]!.qdiscJson, NOQUEUE);
  assert.deepEqual(out.probes.netem, { code: 2, stderr: 'Error: Specified qdisc kind is unknown.' });
});

/** A fake host: answers the probe script and the op scripts from a function of the script text. */
function fakeHost(answer: (script: string) => string, code = 0): CommandRunner & { calls: string[][] } {
  return fakeRunner((argv, stdin) => {
    assert.deepEqual(argv, SCRIPT_ARGV);
    return { stdout: answer(stdin ?? ''), code };
  });
}

test('apply constrained: one round trip, readback names the profile and counters', async () => {
  const run = fakeHost(() => ['@@vsim dev 0 vnet0', '@@vsim qdisc 0', TBF_10M].join('\n'));
  const ops = new TcOps();
  const r = await ops.apply('vsim-hv1', run, topo, 'constrained', vmIfaces(topo, 'chassis'));
  assert.equal(run.calls.length, 1, 'rate only: no probe round trip');
  assert.equal(r.roundTrips, 1);
  assert.deepEqual(r.errors, []);
  assert.equal(r.netemSkipped, false);
  assert.deepEqual(r.ifaces[0]!.match, { kind: 'profile', profile: 'constrained' });
  assert.equal(r.ifaces[0]!.egress.rateBits, 10_000_000);
  assert.equal(describeIface(r.ifaces[0]!), 'chassis tap-chassis (vnet0): constrained (egress tbf rate 10mbit burst 4096b; sent 1.2 kB / 12 pkts, 1 dropped, 3 overlimits)');
});

test('netem missing: probed once per host, rate part applied, netemSkipped reported', async () => {
  const lossyRate: Topology = { ...topo, profiles: { ...topo.profiles, wan: { rate: '10mbit', burst: '32kbit', delay: '40ms' } } };
  const scripts: string[] = [];
  const run = fakeHost((script) => {
    scripts.push(script);
    if (script.includes('\np netem')) return ['@@vsim probe netem 2', 'Error: Specified qdisc kind is unknown.', '@@vsim probe gact 2', 'Error: Failed to load TC action module.'].join('\n');
    return ['@@vsim dev 0 vnet0', '@@vsim qdisc 0', TBF_10M].join('\n');
  });
  const ops = new TcOps();
  const r = await ops.apply('vsim-hv1', run, lossyRate, 'wan', vmIfaces(lossyRate, 'chassis'));
  assert.equal(r.roundTrips, 2);
  assert.equal(r.netemSkipped, true);
  assert.ok(!scripts[1]!.includes('netem'), 'no netem command rendered');
  assert.ok(scripts[1]!.includes('tbf rate 10mbit burst 32kbit'));
  // With netem absent, the rate-only readback matches "wan" (the netem part cannot be there).
  assert.deepEqual(r.ifaces[0]!.match, { kind: 'profile', profile: 'constrained' }, 'file order: constrained has the same rate and comes first');
  const again = await ops.apply('vsim-hv1', run, lossyRate, 'lossy', vmIfaces(lossyRate, 'chassis'));
  assert.equal(again.roundTrips, 1, 'probe cached per host');
  assert.equal(again.netemSkipped, true);
  assert.equal(run.calls.length, 3);
  // lossy has no rate: with netem absent nothing is rendered but the clear.
  assert.ok(!scripts[2]!.includes(' add '), scripts[2]);
});

test('a failing step names host, command and stderr; later steps of that interface are not reported as run', async () => {
  const run = fakeHost(() => ['@@vsim dev 0 vnet0', '@@vsim step 3 2 0', 'Error: Specified qdisc kind is unknown.', '@@vsim qdisc 0', NOQUEUE].join('\n'));
  const r = await new TcOps().apply('vsim-hv1', run, topo, 'constrained', vmIfaces(topo, 'chassis'));
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0]!.message, /^tc qdisc add dev tap-chassis root handle 1: tbf rate 10mbit burst 32kbit latency 50ms on vsim-hv1 failed \(exit 2\): Error: Specified qdisc kind is unknown\.$/);
  assert.deepEqual(r.ifaces[0]!.match, { kind: 'none' }, 'show reports what the kernel has');
});

test('a missing tap is an error naming the host; the ssh failure of the whole script too', async () => {
  const run = fakeHost(() => ['@@vsim dev 0 ', '@@vsim missing 0'].join('\n'));
  const r = await new TcOps().show('vsim-hv1', run, topo, vmIfaces(topo, 'chassis'));
  assert.deepEqual(r.ifaces[0]!.match, { kind: 'missing' });
  assert.match(r.errors[0]!.message, /tap-chassis does not exist on vsim-hv1 \(no device with libvirt's tap MAC fe:54:00:00:00:10 either\)/);
  const throwing: CommandRunner = { exec: async (argv) => { throw new Error(`${buildCommand(argv)} on vsim-hv1: No way to authenticate`); } };
  await assert.rejects(new TcOps().show('vsim-hv1', throwing, topo, vmIfaces(topo, 'chassis')), (e: Error) => e.message === '<vsim tc script> on vsim-hv1: No way to authenticate');
  const broken = fakeRunner(() => ({ code: 255, stderr: 'ssh: connect to host 127.0.0.1 port 22220: Connection refused' }));
  await assert.rejects(new TcOps().show('vsim-hv1', broken, topo, vmIfaces(topo, 'chassis')), /on vsim-hv1 failed \(exit 255\): ssh: connect to host/);
});

test('identifyIface: direction-aware (ingress on the ifb), none, custom', () => {
  const tbf = activeShaping(parseQdiscJson(TBF_10M));
  const none = activeShaping(parseQdiscJson(NOQUEUE));
  const profiles = { constrained: { rate: '10mbit', burst: '32kbit' }, up: { rate: '10mbit', burst: '32kbit', direction: 'ingress' as const } };
  assert.deepEqual(identifyIface(none, undefined, profiles, []), { kind: 'none' });
  assert.deepEqual(identifyIface(tbf, undefined, profiles, []), { kind: 'profile', profile: 'constrained' });
  assert.deepEqual(identifyIface(none, tbf, profiles, []), { kind: 'profile', profile: 'up' });
  assert.deepEqual(identifyIface(tbf, tbf, profiles, []), { kind: 'custom' });
});

test('parseFilterJson: u32 rows folded per preference, action named', () => {
  const text = '[{"protocol":"ip","pref":1035,"kind":"u32","chain":0},{"protocol":"ip","pref":1035,"kind":"u32","chain":0,"options":{"fh":"800:","ht_divisor":1}},{"protocol":"ip","pref":1035,"kind":"u32","chain":0,"options":{"fh":"800::800","actions":[{"order":1,"kind":"mirred","mirred_action":"redirect","direction":"egress","to_dev":"vsim-drop"}]}}]';
  assert.deepEqual(parseFilterJson(text), [{ pref: 1035, kind: 'u32', action: 'mirred redirect vsim-drop' }]);
  assert.deepEqual(parseFilterJson(''), []);
});

// ---- the composed script, run for real (sh + tc in a throwaway netns) -----------------------

const hasTc = spawnSync('sh', ['-c', 'command -v tc && command -v nsenter']).status === 0;
let ns: Netns | undefined;
let skip: string | false = hasTc ? false : 'tc/nsenter not installed';

function nsRunner(n: Netns): CommandRunner {
  return {
    async exec(argv, opts) {
      const t0 = Date.now();
      const r = n.run(argv, opts?.stdin);
      return { stdout: r.stdout, stderr: r.stderr, code: r.status, durationMs: Date.now() - t0 };
    },
  };
}

before(() => {
  if (skip) return;
  // A veth whose MAC follows libvirt's tap convention, under a name libvirt would give it (vnet0).
  // A bridge that carries the tap's MAC first (a bridge takes its ports' lowest MAC): never a target.
  const a = Netns.openWith([['ip', 'link', 'add', 'vsimbr0', 'address', 'fe:54:00:00:00:10', 'type', 'bridge'],
    ['ip', 'link', 'add', 'vnet0', 'address', 'fe:54:00:00:00:10', 'type', 'veth', 'peer', 'name', 'vpeer0'],
    ['ip', 'link', 'add', 'tap-compute', 'type', 'veth', 'peer', 'name', 'vpeer1'],
    ['ip', 'link', 'set', 'vnet0', 'master', 'vsimbr0'], ['ip', 'link', 'set', 'vsimbr0', 'up'],
    ['ip', 'link', 'set', 'vnet0', 'up'], ['ip', 'link', 'set', 'tap-compute', 'up']]);
  if (typeof a === 'string') skip = a;
  else ns = a;
});
after(() => ns?.close());

test('real tc: apply → readback → clear through the composed script; tap found by libvirt MAC', { skip: skip || undefined }, async (t) => {
  if (skip) return t.skip(skip);
  const run = nsRunner(ns!);
  const ops = new TcOps();
  const ifaces: VmIface[] = [...vmIfaces(topo, 'chassis'), ...vmIfaces(topo, 'compute')];
  const r = await ops.apply('local', run, topo, 'constrained', ifaces);
  assert.deepEqual(r.errors.map(String), []);
  assert.deepEqual(r.ifaces.map((i) => i.dev), ['vnet0', 'tap-compute']);
  for (const i of r.ifaces) {
    assert.equal(i.egress.rateBits, 10_000_000);
    assert.deepEqual(i.match, { kind: 'profile', profile: 'constrained' });
  }
  const again = await ops.apply('local', run, topo, 'constrained', ifaces);
  assert.deepEqual(again.errors.map(String), [], 'idempotent');
  const lossy = await ops.apply('local', run, topo, 'lossy', ifaces.slice(0, 1));
  if (lossy.netemSkipped) {
    assert.deepEqual(lossy.ifaces[0]!.match, { kind: 'none' }, 'netem missing: nothing of lossy can be applied here');
  } else {
    assert.deepEqual(lossy.ifaces[0]!.match, { kind: 'profile', profile: 'lossy' });
    assert.equal(lossy.ifaces[0]!.egress.delayUs, 50_000);
  }
  const c = await ops.clear('local', run, topo, ifaces);
  assert.deepEqual(c.errors.map(String), []);
  assert.ok(c.ifaces.every((i) => i.egress.none && i.match.kind === 'none'));
  const c2 = await ops.clear('local', run, topo, ifaces);
  assert.deepEqual(c2.errors.map(String), [], 'clear of nothing is fine');
});

test('real tc: partition puts both drop filters in, heal removes them', { skip: skip || undefined }, async (t) => {
  if (skip) return t.skip(skip);
  const run = nsRunner(ns!);
  const ops = new TcOps();
  const a = { ...vmIfaces(topo, 'chassis')[0]!, ip: '192.168.100.10' };
  const b = { ...vmIfaces(topo, 'compute')[0]!, ip: '192.168.100.11' };
  const p = await ops.partition('local', run, topo, a, b);
  assert.deepEqual(p.errors.map(String), []);
  assert.equal(p.partitioned, true);
  assert.ok(hasDrop(p.ifaces[0], b.ip) && hasDrop(p.ifaces[1], a.ip));
  const p2 = await ops.partition('local', run, topo, a, b);
  assert.deepEqual(p2.errors.map(String), [], 'partition twice is fine');
  const h = await ops.heal('local', run, topo, a, b);
  assert.deepEqual(h.errors.map(String), []);
  assert.equal(h.partitioned, false);
  await ops.clear('local', run, topo, [a, b]);
});

test('500 interfaces on one host: one round trip, argv constant, the script on stdin run by the real sh', async () => {
  const many: Topology = { ...topo, vms: {} };
  for (let i = 0; i < 500; i++) {
    many.vms![`vm${i}`] = { host: 'vsim-hv1', backend: 'microvm', nics: [{ network: 'vsimbr0', tap: `vsimt${i}`, ip: `192.168.${100 + (i >> 8)}.${i & 255}` }] };
  }
  const ifaces = Object.keys(many.vms!).flatMap((vm) => vmIfaces(many, vm));
  assert.equal(ifaces.length, 500);
  const { localRunner } = await import('../fakes/runner');
  // The real /bin/sh reads the script; no device exists, so each unit stops at "missing" (nothing is changed).
  const run = localRunner();
  const r = await new TcOps().apply('vsim-hv1', run, many, 'constrained', ifaces);
  assert.equal(run.calls.length, 1);
  assert.deepEqual(run.calls[0], ['sh', '-s']);
  assert.ok(buildCommand(run.calls[0]!).length < 16, 'the command line does not grow with the interfaces');
  const stdin = scriptStdin({ devices: ifaces.map((t) => ({ iface: t.iface, qdiscs: {} })), units: ifaces.map((t, i) => ({ devices: [i], steps: renderApply({ rate: '10mbit' }, t) })) });
  assert.ok(stdin.length > 128 * 1024, `the script (${stdin.length} bytes) is larger than one argv element may be`);
  assert.equal(r.roundTrips, 1);
  assert.equal(r.ifaces.length, 500);
  assert.ok(r.ifaces.every((i) => i.match.kind === 'missing'), 'every device looked up by the script, none found');
  assert.equal(r.errors.length, 500);
  assert.match(r.errors[499]!.message, /vsimt499 does not exist on vsim-hv1/);
});
