import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activeShaping, parseQdiscJson } from '../../../src/tc/parseQdisc';
import { compareShaping, describeMatch, identifyProfile } from '../../../src/tc/compare';

// Captured from iproute2 6.1 on this kernel (tbf) and shaped per iproute2's q_netem.c JSON printer (netem).
const TBF = '[{"kind":"tbf","handle":"1:","root":true,"refcnt":3,"options":{"rate":1250000,"burst":5000,"lat":50000},"bytes":1514,"packets":1,"drops":0,"overlimits":0,"requeues":0,"backlog":0,"qlen":0}]';
const NETEM_TBF = JSON.stringify([
  { kind: 'netem', handle: '1:', root: true, refcnt: 2, options: { limit: 1000, delay: { delay: 0.05, jitter: 0.02, correlation: 0 }, 'loss-random': { loss: 0.05, correlation: 0 }, ecn: false, gap: 0 }, bytes: 100, packets: 2, drops: 1, overlimits: 0, requeues: 0, backlog: 0, qlen: 0 },
  { kind: 'tbf', handle: '10:', parent: '1:1', options: { rate: 12500000, burst: 50000, lat: 50000 }, bytes: 0, packets: 0, drops: 0, overlimits: 0, requeues: 0, backlog: 0, qlen: 0 },
]);
const DEFAULT = '[{"kind":"noqueue","handle":"0:","root":true,"refcnt":2,"options":{},"bytes":0,"packets":0,"drops":0,"overlimits":0,"requeues":0,"backlog":0,"qlen":0}]';

test('tbf: rate back in bit/s, burst in bytes, counters', () => {
  const a = activeShaping(parseQdiscJson(TBF));
  assert.equal(a.none, false);
  assert.deepEqual(a.kinds, ['tbf']);
  assert.equal(a.rateBits, 10_000_000);
  assert.equal(a.burstBytes, 5000);
  assert.equal(a.counters.bytes, 1514);
  assert.equal(a.counters.packets, 1);
});

test('netem root with tbf child: delay, jitter, loss and the child rate', () => {
  const a = activeShaping(parseQdiscJson(NETEM_TBF));
  assert.deepEqual(a.kinds, ['netem', 'tbf']);
  assert.equal(a.delayUs, 50_000);
  assert.equal(a.jitterUs, 20_000);
  assert.ok(Math.abs((a.lossPct ?? 0) - 5) < 1e-9);
  assert.equal(a.rateBits, 100_000_000);
  assert.equal(a.counters.drops, 1);
});

test('the default qdisc is no shaping; bad JSON is a clear error', () => {
  assert.equal(activeShaping(parseQdiscJson(DEFAULT)).none, true);
  assert.equal(activeShaping(parseQdiscJson('')).none, true);
  assert.throws(() => parseQdiscJson('Cannot find device "x"'), /tc did not print JSON/);
});

test('comparison with profiles: matches, custom, none; netem absent host', () => {
  const profiles = {
    default: {},
    constrained: { rate: '10mbit' },
    wan: { rate: '100mbit', delay: '50ms', jitter: '20ms', loss: '5%' },
  };
  const tbf = activeShaping(parseQdiscJson(TBF));
  assert.equal(describeMatch(identifyProfile(tbf, profiles)), 'matches profile constrained');
  assert.equal(describeMatch(identifyProfile(activeShaping(parseQdiscJson(NETEM_TBF)), profiles)), 'matches profile wan');
  assert.equal(describeMatch(identifyProfile(activeShaping(parseQdiscJson(DEFAULT)), profiles)), 'none');
  assert.equal(describeMatch(identifyProfile(tbf, { other: { rate: '20mbit' } })), 'custom');
  const c = compareShaping(tbf, { rate: '20mbit' });
  assert.equal(c.matches, false);
  assert.match(c.differences[0]!, /rate 20mbit expected, 10000000 bit\/s found/);
  assert.equal(compareShaping(tbf, { rate: '10mbit', delay: '10ms' }).matches, false);
  assert.equal(compareShaping(tbf, { rate: '10mbit', delay: '10ms' }, { netem: false }).matches, true);
  assert.equal(compareShaping(activeShaping(parseQdiscJson(DEFAULT)), {}).matches, true);
});
