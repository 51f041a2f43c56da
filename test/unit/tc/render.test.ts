import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Profile } from '../../../src/model/types';
import { ifbName } from '../../../src/tc/ifbName';
import { renderApply, renderClear } from '../../../src/tc/renderClear';
import { renderPartition, renderHeal, renderHealSide, renderPartitionSide, partitionPref } from '../../../src/tc/renderPartition';
import { renderProfile, shapingFor } from '../../../src/tc/renderProfile';
import { isTolerated, NOTHING_TO_DELETE } from '../../../src/tc/steps';
import { defaultBurstBytes, durationUs, formatRate, percent, rateBits, sizeBytes } from '../../../src/tc/units';
import { netemProbe, netemUnavailableMessage, isMissingFeature } from '../../../src/tc/probe';

test('units follow iproute2', () => {
  assert.equal(rateBits('10mbit'), 10_000_000);
  assert.equal(rateBits('1.5gbit'), 1_500_000_000);
  assert.equal(rateBits('100kbps'), 800_000);
  assert.equal(sizeBytes('32kbit'), 4096);
  assert.equal(sizeBytes('64kb'), 65536);
  assert.equal(sizeBytes('1600b'), 1600);
  assert.equal(durationUs('50ms'), 50_000);
  assert.equal(durationUs('1.5s'), 1_500_000);
  assert.equal(percent('0.1%'), 0.1);
  assert.equal(defaultBurstBytes(10_000_000), 5000);
  assert.equal(defaultBurstBytes(1_000_000), 1600);
  assert.equal(formatRate(10_000_000), '10mbit');
  assert.throws(() => rateBits('10 mbit'), /Invalid tc rate/);
});

test('rate only: one tbf root with the default burst', () => {
  assert.deepEqual(renderProfile({ rate: '10mbit' }, { iface: 'vnet-a' }), [
    ['tc', 'qdisc', 'add', 'dev', 'vnet-a', 'root', 'handle', '1:', 'tbf', 'rate', '10mbit', 'burst', '5000b', 'latency', '50ms'],
  ]);
  assert.deepEqual(renderProfile({ rate: '10mbit', burst: '32kbit' }, { iface: 'a' })[0]!.slice(-5), ['10mbit', 'burst', '32kbit', 'latency', '50ms']);
});

test('netem alone, and netem root with tbf child; netem off keeps only the rate', () => {
  const lossy: Profile = { delay: '50ms', jitter: '20ms', loss: '5%', corrupt: '0.1%', duplicate: '1%' };
  assert.deepEqual(renderProfile(lossy, { iface: 't' }), [
    ['tc', 'qdisc', 'add', 'dev', 't', 'root', 'handle', '1:', 'netem', 'delay', '50ms', '20ms', 'loss', '5%', 'corrupt', '0.1%', 'duplicate', '1%'],
  ]);
  const both: Profile = { rate: '100mbit', delay: '10ms' };
  assert.deepEqual(renderProfile(both, { iface: 't' }), [
    ['tc', 'qdisc', 'add', 'dev', 't', 'root', 'handle', '1:', 'netem', 'delay', '10ms'],
    ['tc', 'qdisc', 'add', 'dev', 't', 'parent', '1:1', 'handle', '10:', 'tbf', 'rate', '100mbit', 'burst', '50000b', 'latency', '50ms'],
  ]);
  assert.deepEqual(renderProfile(both, { iface: 't' }, { netem: false }).map((c) => c[8]), ['tbf']);
  assert.deepEqual(renderProfile(lossy, { iface: 't' }, { netem: false }), []);
  assert.deepEqual(renderProfile({ description: 'none' }, { iface: 't' }), []);
});

test('overrides replace top-level values field by field; link override wins over the VM', () => {
  const p: Profile = { rate: '100mbit', delay: '10ms', overrides: { chassis: { rate: '10mbit' }, l1: { delay: '1ms' } } };
  assert.deepEqual(shapingFor(p, ['chassis']), { rate: '10mbit', delay: '10ms' });
  assert.deepEqual(shapingFor(p, ['l1', 'chassis']), { rate: '100mbit', delay: '1ms' });
  assert.deepEqual(shapingFor(p, ['other']), { rate: '100mbit', delay: '10ms' });
});

test('ingress goes through an ifb device whose name fits 15 characters', () => {
  assert.equal(ifbName('vnet-a'), 'ifb-vnet-a');
  const long = ifbName('vnet-jetson-1x');
  assert.equal(long.length, 15);
  assert.match(long, /^ifb-vnet-j[0-9a-f]{5}$/);
  assert.notEqual(long, ifbName('vnet-jetson-1y'));
  const cmds = renderProfile({ rate: '1mbit', direction: 'both' }, { iface: 'tap0' });
  assert.deepEqual(cmds.map((c) => c.slice(0, 6).join(' ')), [
    'tc qdisc add dev tap0 root',
    'ip link add name ifb-tap0 type',
    'ip link set dev ifb-tap0 up',
    'tc qdisc add dev tap0 handle',
    'tc filter add dev tap0 parent',
    'tc qdisc add dev ifb-tap0 root',
  ]);
  assert.deepEqual(cmds[4]!.slice(-8), ['0', '0', 'action', 'mirred', 'egress', 'redirect', 'dev', 'ifb-tap0']);
});

test('clear is tolerant of "nothing there" and nothing else', () => {
  const c = renderClear('tap0');
  assert.deepEqual(c.map((s) => s.argv.join(' ')), ['tc qdisc del dev tap0 root', 'tc filter del dev tap0 parent ffff: protocol all prio 40000', 'ip link del dev ifb-tap0']);
  assert.ok(isTolerated(c[0]!, 2, 'Error: Cannot delete qdisc with handle of zero.\n'));
  assert.ok(isTolerated(c[1]!, 2, 'Error: Invalid handle.\n'));
  assert.ok(isTolerated(c[2]!, 1, 'Cannot find device "ifb-tap0"\n'));
  assert.ok(!isTolerated(c[0]!, 2, 'RTNETLINK answers: Operation not permitted\n'));
  assert.ok(!isTolerated(c[0]!, 255, 'Cannot delete qdisc with handle of zero'));
  assert.ok(!isTolerated({ argv: ['x'] }, 1, 'Cannot find device'));
  assert.equal(NOTHING_TO_DELETE.exitCodes.length, 2);
  const a = renderApply({ rate: '1mbit' }, { iface: 'tap0' });
  assert.equal(a.length, 4);
  assert.equal(a[3]!.tolerate, undefined);
});

test('names are validated before reaching a command', () => {
  for (const bad of ['a;b', '$(reboot)', 'much-too-long-name0', '']) {
    assert.throws(() => renderProfile({ rate: '1mbit' }, { iface: bad }), /Invalid interface name/);
    assert.throws(() => renderClear(bad), /Invalid interface name/);
  }
  assert.throws(() => renderPartition({ iface: 't1', ip: '10.0.0.300' }, { iface: 't2', ip: '10.0.0.2' }), /Invalid IPv4/);
});

test('partition: u32 drop on each tap, per-peer preference below the ifb redirect; heal removes just that pair', () => {
  const a = { iface: 'aspen-tap0', ip: '10.100.0.2' };
  const b = { iface: 'aspen-tap1', ip: '10.100.0.3' };
  const steps = renderPartition(a, b);
  assert.deepEqual(steps.map((s) => s.argv.join(' ')), [
    'tc qdisc add dev aspen-tap0 handle ffff: ingress',
    `tc filter add dev aspen-tap0 parent ffff: protocol ip prio ${partitionPref(b.ip)} u32 match ip src 10.100.0.2/32 match ip dst 10.100.0.3/32 action drop`,
    'tc qdisc add dev aspen-tap1 handle ffff: ingress',
    `tc filter add dev aspen-tap1 parent ffff: protocol ip prio ${partitionPref(a.ip)} u32 match ip src 10.100.0.3/32 match ip dst 10.100.0.2/32 action drop`,
  ]);
  assert.ok(isTolerated(steps[0]!, 2, 'Error: Exclusivity flag on, cannot modify.'));
  assert.ok(partitionPref(b.ip) < 40000);
  assert.deepEqual(renderHeal(a, b).map((s) => s.argv.slice(-2)), [['prio', String(partitionPref(b.ip))], ['prio', String(partitionPref(a.ip))]]);
  const bh = renderPartition(a, b, { kind: 'blackhole', dev: 'vsim-drop' });
  assert.deepEqual(bh[0]!.argv, ['ip', 'link', 'add', 'name', 'vsim-drop', 'type', 'ifb']);
  assert.deepEqual(bh[2]!.argv.slice(-6), ['action', 'mirred', 'egress', 'redirect', 'dev', 'vsim-drop']);
});

test('netem probe and message', () => {
  assert.deepEqual(netemProbe(), ['unshare', '-n', 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms']);
  assert.ok(isMissingFeature('Error: Specified qdisc kind is unknown.'));
  assert.equal(netemUnavailableMessage('vsim-hv1'), 'netem not available on vsim-hv1');
});

test('partition between hosts: each side is the half of renderPartition that runs on that side\'s tap', () => {
  const a = { iface: 'tap-a', ip: '10.79.0.11' };
  const b = { iface: 'tap-b', ip: '10.79.0.13' };
  const both = renderPartition(a, b).map((s) => s.argv.join(' '));
  const sides = [...renderPartitionSide(a, b), ...renderPartitionSide(b, a)].map((s) => s.argv.join(' '));
  assert.deepEqual(sides, both);
  assert.ok(renderPartitionSide(a, b).every((s) => s.argv.includes('tap-a')));
  assert.deepEqual([...renderHealSide(a, b), ...renderHealSide(b, a)].map((s) => s.argv), renderHeal(a, b).map((s) => s.argv));
  assert.equal(renderPartitionSide(a, b, { kind: 'blackhole', dev: 'vsim-drop' })[0]?.argv.join(' '), 'ip link add name vsim-drop type ifb');
});
