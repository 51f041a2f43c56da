// A VM's live facts in its tooltip and what "Copy IP" offers (pure parts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ipChoices, liveFactsMarkdown, vmLiveIps } from '../../../src/tree/vmLive';
import { parseHostNet } from '../../../src/hostnet/parse';
import type { Topology } from '../../../src/model/types';

test('Copy IP: same live and declared → one choice; different → both, marked as differing; none live → the file', () => {
  const same = ipChoices(['10.0.0.5'], [{ ip: '10.0.0.5', source: 'lease' }]);
  assert.equal(same.differs, false);
  assert.deepEqual(same.choices.map((c) => [c.which, c.label]), [['live', '10.0.0.5']]);
  assert.match(same.choices[0]!.detail, /same as the file/);
  const diff = ipChoices(['10.0.0.5'], [{ ip: '10.0.0.77', source: 'lease' }]);
  assert.equal(diff.differs, true);
  assert.deepEqual(diff.choices.map((c) => [c.which, c.label]), [['live', '10.0.0.77'], ['declared', '10.0.0.5']]);
  assert.match(diff.choices[0]!.detail, /live: 10\.0\.0\.77 \(lease\) — the file says 10\.0\.0\.5/);
  const none = ipChoices(['10.0.0.5'], []);
  assert.deepEqual(none.choices.map((c) => c.which), ['declared']);
  assert.match(none.choices[0]!.detail, /no live IP seen/);
  assert.deepEqual(ipChoices([], []).choices, []);
});

test('live IPs from the probe (real dnsmasq lease) and the guest agent; tooltip escapes host strings', () => {
  const probe = readFileSync(join(__dirname, '../../fixtures/hostnet/probe-ok.txt'), 'utf8');
  const net = { facts: parseHostNet(probe), at: 0 };
  const topo = { version: 1, hosts: { h: {} }, vms: { g: { host: 'h', backend: 'libvirt', nics: [{ network: 'n', ip: '10.9.0.99' }] } } } as unknown as Topology;
  // No MAC in the file: the one domiflist reports finds the lease.
  const facts = { interfaces: [{ mac: '52:54:00:aa:bb:01', tap: 'vA*', source: 'br0' }], disks: [], agentIps: ['10.9.0.200'] };
  const ips = vmLiveIps(topo, 'g', facts, net, 1_700_000_000_000);
  assert.deepEqual(ips.map((i) => [i.ip, i.source]), [['10.9.0.200', 'guest agent'], ['10.9.0.10', 'lease']]);
  const md = liveFactsMarkdown(facts, ips, 0);
  assert.match(md, /vA\\\*/);
  assert.ok(md.includes("10\\.9\\.0\\.10 \\(lease\\)"), md);
});
