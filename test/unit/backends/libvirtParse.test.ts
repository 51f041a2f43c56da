import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { parseVirshList } from '../../../src/backends/libvirt/parseList';
import { parseDomstats } from '../../../src/backends/libvirt/parseDomstats';
import { parseEventLine, parseVirshEvents, VirshEventParser } from '../../../src/backends/libvirt/parseEvents';
import { parseDomiflist, parseSnapshotNames } from '../../../src/backends/libvirt/parseSnapshots';

test('virsh -q list --all: ids, names with spaces, multi-word states', () => {
  const text = ' 8   hvg1   running\n -   name with spaces   shut off\n 12  x  in shutdown\n -   p   paused\n 3   z   pmsuspended\n\n';
  assert.deepEqual(parseVirshList(text), [
    { id: 8, name: 'hvg1', state: 'running' },
    { name: 'name with spaces', state: 'shutoff' },
    { id: 12, name: 'x', state: 'shutdown' },
    { name: 'p', state: 'paused' },
    { id: 3, name: 'z', state: 'pmsuspended' },
  ]);
});

test('virsh list with header (no -q) is parsed too; a domain named "running" stays a name', () => {
  const text = ' Id   Name      State\n-------------------------\n 1    running   running\n -    shut      shut off\n';
  assert.deepEqual(parseVirshList(text), [{ id: 1, name: 'running', state: 'running' }, { name: 'shut', state: 'shutoff' }]);
});

test('domstats blocks: state codes, reasons, counters', () => {
  const text = "Domain: 'hvg1'\n  state.state=1\n  state.reason=1\n  net.count=1\n  net.0.rx.bytes=1234\n\nDomain: 'off one'\n  state.state=5\n  state.reason=2\n\nDomain: 'p'\n  state.state=3\n  state.reason=1\n";
  const s = parseDomstats(text);
  assert.equal(s.length, 3);
  assert.deepEqual([s[0]!.name, s[0]!.state, s[0]!.reason, s[0]!.fields['net.0.rx.bytes']], ['hvg1', 'running', 1, '1234']);
  assert.deepEqual([s[1]!.name, s[1]!.state], ['off one', 'shutoff']);
  assert.equal(s[2]!.state, 'paused');
});

test('lifecycle events with timestamp and multi-word details', () => {
  const e = parseEventLine("2026-11-23 07:09:10.833+0000: event 'lifecycle' for domain 'hvg1': Started Booted");
  assert.ok(e);
  assert.equal(e.type, 'lifecycle');
  assert.equal(e.domain, 'hvg1');
  assert.equal(e.event, 'Started');
  assert.equal(e.detail, 'Booted');
  assert.equal(e.time?.toISOString(), '2026-11-23T07:09:10.833Z');
  const s = parseEventLine("event 'lifecycle' for domain 'a b': Shutdown Finished after host request");
  assert.deepEqual([s?.domain, s?.event, s?.detail, s?.time], ['a b', 'Shutdown', 'Finished after host request', undefined]);
  for (const [line, ev, det] of [
    ['Suspended Paused', 'Suspended', 'Paused'], ['Resumed Unpaused', 'Resumed', 'Unpaused'], ['Stopped Destroyed', 'Stopped', 'Destroyed'],
    ['Stopped Saved', 'Stopped', 'Saved'], ['Started Restored', 'Started', 'Restored'], ['Defined Added', 'Defined', 'Added'],
    ['Undefined Removed', 'Undefined', 'Removed'], ['Suspended I/O Error', 'Suspended', 'I/O Error'],
  ]) {
    const x = parseEventLine(`event 'lifecycle' for domain 'd': ${line}`);
    assert.deepEqual([x?.event, x?.detail], [ev, det]);
  }
  assert.equal(parseEventLine('events received: 3'), undefined);
  assert.equal(parseEventLine(''), undefined);
});

test('stream: chunks split anywhere, multi-line job-completed complete at the next event or flush', () => {
  const text = [
    "2026-11-23 07:09:10.833+0000: event 'lifecycle' for domain 'hvg1': Stopped Saved",
    "2026-11-23 07:09:10.900+0000: event 'job-completed' for domain 'hvg1':",
    '\toperation: 3',
    '\ttime_elapsed: 1803',
    '\tmemory_total: 134217728',
    "2026-11-23 07:09:11.000+0000: event 'reboot' for domain 'hvg1'",
    "2026-11-23 07:09:12.000+0000: event 'job-completed' for domain 'x':",
    '\toperation: 2',
    '',
  ].join('\n');
  const p = new VirshEventParser();
  const got = [];
  for (let i = 0; i < text.length; i += 7) got.push(...p.push(text.slice(i, i + 7)));
  assert.deepEqual(got.map((e) => e.type), ['lifecycle', 'job-completed', 'reboot']);
  assert.deepEqual(got[1]!.fields, { operation: '3', time_elapsed: '1803', memory_total: '134217728' });
  const rest = p.flush();
  assert.equal(rest.length, 1);
  assert.deepEqual([rest[0]!.domain, rest[0]!.fields], ['x', { operation: '2' }]);
  assert.equal(parseVirshEvents(text).length, 4);
});

test("other event kinds: rtc-change, disk-change ('disk' form)", () => {
  assert.equal(parseEventLine("event 'rtc-change' for domain 'd': -3600")?.text, '-3600');
  assert.equal(parseEventLine("event 'tray-change' for domain 'd' disk hdc: opened")?.text, 'disk hdc: opened');
});

test('snapshot names and domiflist', () => {
  assert.deepEqual(parseSnapshotNames('snap1\nbefore-update\n\n'), ['snap1', 'before-update']);
  const ifl = ' Interface   Type     Source    Model    MAC\n------------------------------------------------------------\n vnet0       bridge   vsimbr0   virtio   52:54:00:00:00:10\n -           bridge   ovsbr0    virtio   52:54:00:00:00:11\n';
  assert.deepEqual(parseDomiflist(ifl), [
    { iface: 'vnet0', type: 'bridge', source: 'vsimbr0', model: 'virtio', mac: '52:54:00:00:00:10' },
    { iface: undefined, type: 'bridge', source: 'ovsbr0', model: 'virtio', mac: '52:54:00:00:00:11' },
  ]);
});

const hasVirsh = spawnSync('sh', ['-c', 'command -v virsh']).status === 0;
test('real virsh output (in-process test driver): list, domstats, snapshot-list', { skip: hasVirsh ? false : 'virsh not installed' }, () => {
  const run = (cmds: string): string => execFileSync('virsh', ['-q', '-c', 'test:///default', cmds], { encoding: 'utf8' });
  assert.deepEqual(parseVirshList(run('list --all')), [{ id: 1, name: 'test', state: 'running' }]);
  assert.deepEqual(parseVirshList(run('suspend test; list --all')), [{ id: 1, name: 'test', state: 'paused' }]);
  assert.deepEqual(parseVirshList(run('destroy test; list --all')), [{ name: 'test', state: 'shutoff' }]);
  const st = parseDomstats(run('domstats --state'));
  assert.deepEqual(st.map((s) => [s.name, s.state]), [['test', 'running']]);
  assert.deepEqual(parseSnapshotNames(run('snapshot-create-as --domain test --name s1; snapshot-create-as --domain test --name s2; snapshot-list --domain test --name')), ['s1', 's2']);
});
