// Per-link shaping: rendering (htb class + netem leaf + u32 filter by the peer's address), the
// readback parsers on tc's real output (captured from iproute2 6.1), the topology resolution, the
// ad-hoc value parser, and a rate-only link applied for real in a throwaway network namespace.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import type { CommandRunner } from '../../../src/backends/backend';
import { analyze } from '../../../src/model/analyze';
import { formatImpairment, linkProfileShaping, linkTaps, parseImpairment } from '../../../src/tc/linkTargets';
import { describeIface, TcOps } from '../../../src/tc/ops';
import { parseHtbClasses, parseLinkFilters, readLinks, tcPrintedRate } from '../../../src/tc/parseLink';
import { parseQdiscJson } from '../../../src/tc/parseQdisc';
import { renderLinkShaping } from '../../../src/tc/renderLink';
import { Netns } from './netns';

const REPO = join(__dirname, '../../..');
const topo = (() => {
  const a = analyze(readFileSync(join(REPO, 'test/fixtures/netem.vsim.yaml'), 'utf8'));
  assert.ok(a.topology);
  return a.topology;
})();

test('renderLinkShaping: root htb, one class + netem leaf + filter by source address per link', () => {
  const steps = renderLinkShaping('tap-ep2', [
    { link: 'ep1-ep2', peerIp: '10.99.0.11', shaping: { delay: '40ms', rate: '20mbit' } },
    { link: 'ep2-ep3', peerIp: '10.99.0.13', shaping: { loss: '1%' } },
  ]);
  assert.deepEqual(steps.map((s) => s.argv.join(' ')), [
    'tc qdisc del dev tap-ep2 root',
    'tc qdisc add dev tap-ep2 root handle 1: htb',
    'tc class add dev tap-ep2 parent 1: classid 1:10 htb rate 20mbit ceil 20mbit',
    'tc qdisc add dev tap-ep2 parent 1:10 handle 10: netem delay 40ms',
    'tc filter add dev tap-ep2 parent 1: protocol ip prio 100 u32 match ip src 10.99.0.11/32 flowid 1:10',
    'tc class add dev tap-ep2 parent 1: classid 1:11 htb rate 10gbit ceil 10gbit',
    'tc qdisc add dev tap-ep2 parent 1:11 handle 11: netem loss 1%',
    'tc filter add dev tap-ep2 parent 1: protocol ip prio 101 u32 match ip src 10.99.0.13/32 flowid 1:11',
  ]);
  assert.ok(steps[0]!.tolerate, 'nothing to delete is fine');
  assert.equal(steps.slice(1).filter((s) => s.tolerate).length, 0);
  assert.deepEqual(renderLinkShaping('tap-ep2', []).map((s) => s.argv.join(' ')), ['tc qdisc del dev tap-ep2 root'], 'no links: clear only');
  // No netem on the host: a delay-only link renders nothing; a rate keeps its class.
  assert.equal(renderLinkShaping('t', [{ link: 'l', peerIp: '10.0.0.1', shaping: { delay: '5ms' } }], { netem: false }).length, 1);
  assert.throws(() => renderLinkShaping('t', [{ link: 'l', peerIp: '10.0.0.300', shaping: { rate: '1mbit' } }]), /Invalid IPv4/);
  assert.throws(() => renderLinkShaping('a;b', []), /Invalid interface name/);
});

// Captured from the netem guest (iproute2 6.1): `tc -j filter show dev tap-ep2 parent 1:`, `tc class show`, `tc -s -j qdisc show`.
const FILTERS = '[{"protocol":"ip","pref":100,"kind":"u32","chain":0},{"protocol":"ip","pref":100,"kind":"u32","chain":0,"options":{"fh":"800:","ht_divisor":1}},{"protocol":"ip","pref":100,"kind":"u32","chain":0,"options":{"fh":"800::800","order":2048,"key_ht":"800","bkt":"0","flowid":"1:20","not_in_hw":true,"match":{"value":"a63000b","mask":"ffffffff","offmask":"","off":12}}}]';
const CLASSES = 'class htb 1:20 root leaf 20: prio 0 rate 20Mbit ceil 20Mbit burst 1600b cburst 1600b \n';
const QDISCS = '[{"kind":"htb","handle":"1:","root":true,"refcnt":2,"options":{"r2q":10,"default":"0","direct_packets_stat":0,"direct_qlen":1000},"bytes":0,"packets":0,"drops":0,"overlimits":0,"requeues":0,"backlog":0,"qlen":0},{"kind":"netem","handle":"20:","parent":"1:20","options":{"limit":1000,"delay":{"delay":0.04,"jitter":0,"correlation":0},"ecn":false,"gap":0},"bytes":0,"packets":0,"drops":0,"overlimits":0,"requeues":0,"backlog":0,"qlen":0}]';

test('readback: filter → peer (u32 value in hex, leading zero dropped by tc), class rate, netem leaf', () => {
  assert.deepEqual(parseLinkFilters(FILTERS), [{ peerIp: '10.99.0.11', classid: '1:20', pref: 100 }]);
  assert.deepEqual([...parseHtbClasses(CLASSES)], [['1:20', 20_000_000]]);
  assert.equal(tcPrintedRate('10Gbit'), 10e9);
  assert.equal(tcPrintedRate('800bit'), 800);
  const links = readLinks(parseQdiscJson(QDISCS), CLASSES, FILTERS);
  assert.equal(links.length, 1);
  assert.equal(links[0]!.peerIp, '10.99.0.11');
  assert.deepEqual(links[0]!.shaping.kinds, ['htb', 'netem']);
  assert.equal(links[0]!.shaping.delayUs, 40_000);
  assert.equal(links[0]!.shaping.rateBits, 20_000_000);
  // The "no limit" class rate is not reported as a rate.
  const unl = readLinks(parseQdiscJson(QDISCS), CLASSES.replace(/20Mbit/g, '10Gbit'), FILTERS);
  assert.equal(unl[0]!.shaping.rateBits, undefined);
  assert.deepEqual(readLinks(parseQdiscJson('[{"kind":"tbf","handle":"1:","root":true,"options":{}}]'), CLASSES, FILTERS), [], 'not our htb: no links');
});

test('linkTaps: both ends of the link, each tap with all its VM\'s shaped links, peer by address', () => {
  const shaping = linkProfileShaping(topo);
  assert.deepEqual(shaping, { 'ep1-ep2': { delay: '40ms', rate: '20mbit' } });
  const g = linkTaps(topo, { ...shaping, 'ep1-ep3': { delay: '5ms' } }, ['ep1-ep2']);
  assert.equal(g.length, 1);
  assert.equal(g[0]!.host, 'vsim-netem');
  const byTap = Object.fromEntries(g[0]!.taps.map((t) => [t.iface, t.specs.map((s) => `${s.link}<-${s.peerIp}`)]));
  assert.deepEqual(byTap, { 'tap-ep1': ['ep1-ep2<-10.99.0.12', 'ep1-ep3<-10.99.0.13'], 'tap-ep2': ['ep1-ep2<-10.99.0.11'] });
  assert.throws(() => linkTaps(topo, {}, ['nope']), /No link named nope/);
});

test('parseImpairment: several values in one change, tc units checked; formatImpairment inverts it', () => {
  const s = parseImpairment('delay 50ms, jitter=10ms loss: 1% rate 10mbit corrupt 0.1% duplicate 2%');
  assert.deepEqual(s, { delay: '50ms', jitter: '10ms', loss: '1%', rate: '10mbit', corrupt: '0.1%', duplicate: '2%' });
  assert.equal(formatImpairment(s), 'rate 10mbit delay 50ms jitter 10ms loss 1% corrupt 0.1% duplicate 2%');
  assert.deepEqual(parseImpairment(formatImpairment(s)), s);
  assert.throws(() => parseImpairment('delay 50'), /Invalid duration/);
  assert.throws(() => parseImpairment('latency 5ms'), /Unknown impairment/);
  assert.throws(() => parseImpairment('jitter 5ms'), /jitter needs a delay/);
  assert.throws(() => parseImpairment('delay'), /needs a name and a value/);
  assert.throws(() => parseImpairment('loss 1%; rm -rf /'), /Unknown impairment|Invalid|needs a name/);
  assert.throws(() => parseImpairment('loss 1% rm x'), /Unknown impairment/);
});

// ---- a rate-only link for real (this kernel has htb and u32; netem is tested on the netem host) ----

const hasTc = spawnSync('sh', ['-c', 'command -v tc && command -v nsenter']).status === 0;
let ns: Netns | undefined;
let skip: string | false = hasTc ? false : 'tc/nsenter not installed';
before(() => {
  if (skip) return;
  const a = Netns.openWith([['ip', 'link', 'add', 'tap-ep1', 'type', 'veth', 'peer', 'name', 'p1'], ['ip', 'link', 'add', 'tap-ep2', 'type', 'veth', 'peer', 'name', 'p2'],
    ['ip', 'link', 'set', 'tap-ep1', 'up'], ['ip', 'link', 'set', 'tap-ep2', 'up']]);
  if (typeof a === 'string') skip = a;
  else ns = a;
});
after(() => ns?.close());

test('real tc: a rate-only link applied, read back per peer, partition filters untouched, cleared', async (t) => {
  if (skip) return t.skip(skip);
  const run: CommandRunner = { async exec(argv, opts) { const r = ns!.run(argv, opts?.stdin); return { stdout: r.stdout, stderr: r.stderr, code: r.status, durationMs: 0 }; } };
  const ops = new TcOps();
  // A partition's ingress filter first: the link apply must leave it.
  assert.equal(ns!.run(['tc', 'qdisc', 'add', 'dev', 'tap-ep1', 'handle', 'ffff:', 'ingress']).status, 0);
  const g = linkTaps(topo, { 'ep1-ep2': { rate: '20mbit' } }, ['ep1-ep2'])[0]!;
  const r = await ops.applyLinks(g.host, run, topo, g.taps);
  assert.deepEqual(r.errors.map(String), []);
  const ep1 = r.ifaces.find((i) => i.iface === 'tap-ep1')!;
  console.log(`# ${describeIface(ep1)}`);
  assert.deepEqual(ep1.match, { kind: 'links' });
  assert.equal(ep1.links?.length, 1);
  assert.equal(ep1.links![0]!.peerIp, '10.99.0.12');
  assert.equal(ep1.links![0]!.shaping.rateBits, 20_000_000);
  assert.match(describeIface(ep1), /link from 10\.99\.0\.12: htb rate 20mbit/);
  assert.match(ns!.run(['tc', 'qdisc', 'show', 'dev', 'tap-ep1']).stdout, /qdisc ingress ffff:/, 'ingress qdisc kept');
  const c = await ops.applyLinks(g.host, run, topo, g.taps.map((x) => ({ ...x, specs: [] })));
  assert.deepEqual(c.errors.map(String), []);
  for (const i of c.ifaces) {
    assert.deepEqual(i.links, []);
    assert.deepEqual(i.match, { kind: 'none' });
  }
});
