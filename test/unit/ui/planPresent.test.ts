// The presentation of a plan (Plan view rows, badges, graph markers) and the words of the lab
// commands' confirmations and summaries: what a user sees and confirms, checked on hand-made plans.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyConfirmation, destroyConfirmation, downConfirmation, summaryLine, upConfirmation } from '../../../src/commands/lab/labText';
import type { Topology } from '../../../src/model/types';
import type { Change, Plan } from '../../../src/plan/types';
import { changeTooltip, escapeMarkdown, orderedChanges, totalDrift, vmDrifts } from '../../../src/tree/planPresent';
import { parseFromWebview } from '../../../webview/protocol';

const H = 'hv1';
const missing: Change = { id: `${H}/vm-missing/a`, host: H, kind: 'vm-missing', vm: 'a', backend: 'libvirt' };
const differs: Change = { id: `${H}/vm-differs/b`, host: H, kind: 'vm-differs', vm: 'b', backend: 'libvirt', running: true,
  fields: [{ field: 'memory', want: '256', have: '128' }, { field: 'nics[0].mac', want: '52:54:00:00:00:02', have: '52:54:00:00:00:99' }] };
const undeclared: Change = { id: `${H}/vm-undeclared/stray`, host: H, kind: 'vm-undeclared', vm: 'stray', backend: 'libvirt', state: 'running' };
const bridge: Change = { id: `${H}/network-missing/br0`, host: H, kind: 'network-missing', network: 'br0', bridge: 'br0' };
const blocked: Change = { id: `${H}/vm-missing/c`, host: H, kind: 'vm-missing', vm: 'c', backend: 'libvirt', blockedBy: 'virsh is not installed' };
const plan: Plan = { blockers: [], hosts: [{ host: H, roundTrips: 2, changes: [undeclared, blocked, differs, bridge, missing] }, { host: 'hv2', roundTrips: 0, changes: [], error: 'unreachable: connect ECONNREFUSED' }] };
const describe1 = (c: Change) => `${c.kind} ${c.id}`;

const topology: Topology = {
  version: 1, name: 'ui', hosts: { [H]: { address: '127.0.0.1' } },
  networks: { br0: { host: H, subnet: '10.0.0.0/24', gateway: '10.0.0.1' } },
  vms: {
    a: { host: H, backend: 'libvirt', nics: [{ network: 'br0' }] },
    b: { host: H, backend: 'libvirt' },
    q: { host: H, backend: 'qemu', start: { argv: ['nix', 'run', '.#emulation-vm-bg', '--', "it's"], cwd: '/srv/n3x' } },
  },
};

describe('plan presentation', () => {
  it('orders a host: applicable changes, then blocked ones, undeclared VMs last', () => {
    assert.deepEqual(orderedChanges(plan.hosts[0]!).map((c) => c.id), [differs.id, bridge.id, missing.id, blocked.id, undeclared.id]);
  });

  it('marks each declared VM that is missing or differs; never an undeclared or blocked one', () => {
    const d = vmDrifts(plan);
    assert.deepEqual([...d.keys()].sort(), ['a', 'b']);
    assert.equal(d.get('a')?.mark, 'missing');
    assert.equal(d.get('b')?.mark, 'differs');
    assert.equal(d.get('b')?.text, 'differs: memory, nics[0].mac');
    assert.equal(vmDrifts(undefined).size, 0);
  });

  it('counts applicable changes for the Labs view badge (0 when in sync)', () => {
    assert.equal(totalDrift([plan]), 3);
    assert.equal(totalDrift([{ blockers: [], hosts: [{ host: H, roundTrips: 1, changes: [undeclared] }] }, undefined]), 0);
  });

  it('tooltip: a want → have row per field, Markdown in names escaped', () => {
    const md = changeTooltip(differs, 'b differs');
    assert.match(md, /\| memory \| 256 \| 128 \|/);
    assert.match(md, /\| nics\\\[0\\\]\\\.mac \| 52\\:54\\:00\\:00\\:00\\:02 \| 52\\:54\\:00\\:00\\:00\\:99 \|/);
    assert.match(md, /restart/);
    assert.equal(escapeMarkdown('[x](javascript:y) *b* | c'), '\\[x\\]\\(javascript\\:y\\) \\*b\\* \\| c');
    assert.match(changeTooltip(blocked, 'c'), /Blocked: virsh is not installed/);
  });
});

describe('lab command words', () => {
  it('apply lists every applicable change and the restart it will need', () => {
    const c = applyConfirmation('ui', plan.hosts[0]!.changes, describe1);
    assert.deepEqual(c.lines.slice(0, 3), [`vm-differs ${differs.id}`, `network-missing ${bridge.id}`, `vm-missing ${missing.id}`]);
    assert.match(c.lines[3]!, /restart needed afterwards .*: b/);
    assert.equal(c.message, 'Apply 3 changes to lab ui?');
    assert.equal(applyConfirmation('ui', [undeclared], describe1).empty, true);
  });

  it('up lists the changes, then every declared VM it starts, a qemu start argv quoted as it runs', () => {
    const c = upConfirmation('ui', topology, plan, describe1);
    assert.equal(c.lines.length, 3 + 3);
    assert.equal(c.lines[5], "start q (qemu on hv1): runs nix run '.#emulation-vm-bg' -- 'it'\\''s' in /srv/n3x");
    assert.ok(!c.lines.some((l) => l.includes('stray')));
  });

  it('destroy names every declared VM and network, and the undeclared ones as untouched', () => {
    const c = destroyConfirmation('ui', topology, plan);
    assert.deepEqual(c.lines, [
      'destroy and undefine VM a (libvirt on hv1)',
      'destroy and undefine VM b (libvirt on hv1)',
      'destroy and undefine VM q (qemu on hv1)',
      'remove network br0 (bridge on hv1)',
      'not touched (not in the file): stray on hv1',
    ]);
    assert.match(c.message, /3 VMs and 1 network/);
    assert.deepEqual(downConfirmation('ui', topology, ['other']).empty, true);
  });

  it('summary: counts, cancellation and the VMs that need a restart', () => {
    assert.equal(summaryLine('apply', { done: ['x', 'y', 'z'], failed: [{ id: 'w', message: 'm' }], skipped: [], cancelled: false, restartNeeded: ['chassis'] }),
      '3 applied, 1 failed; restart needed: chassis');
    assert.equal(summaryLine('up', { done: ['x'], failed: [], skipped: ['y'], cancelled: true, restartNeeded: [] }), '1 done, 1 skipped (cancelled: nothing new was started)');
  });
});

describe('graph protocol: lab actions and plan markers', () => {
  it('accepts well-formed lab actions and marker counts', () => {
    assert.deepEqual(parseFromWebview({ type: 'labAction', requestId: 1, action: 'up' }), { type: 'labAction', requestId: 1, action: 'up' });
    assert.deepEqual(parseFromWebview({ type: 'marksShown', counts: { missing: 2, differs: 0 } }), { type: 'marksShown', counts: { missing: 2, differs: 0 } });
  });
  it('rejects unknown actions, smuggled fields and bad counts', () => {
    for (const bad of [
      { type: 'labAction', requestId: 1, action: 'rm -rf' },
      { type: 'labAction', requestId: 1, action: 'up', uri: 'file:///etc' },
      { type: 'labAction', requestId: 1.5, action: 'up' },
      { type: 'marksShown', counts: { bogus: 1 } },
      { type: 'marksShown', counts: { missing: -1 } },
    ]) assert.equal(parseFromWebview(bad), undefined, JSON.stringify(bad));
  });
});
