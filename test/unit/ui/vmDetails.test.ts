// The VM details page's samples and its message protocol (pure parts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detailsFacts, sampleOf } from '../../../src/vmDetails/sample';
import { isToWebview, parseFromWebview } from '../../../webview/vmDetails/protocol';

const facts = (cpuS: number, rx: number, tx: number, vcpus = 2) => ({ cpuTimeNs: cpuS * 1e9, vcpus, interfaces: [{ tap: 't', mac: 'm', rxBytes: rx, txBytes: tx }], disks: [] });

test('rates from two reads: CPU % per vCPU, bytes/s summed over interfaces; none on the first read or after a restart', () => {
  assert.deepEqual(sampleOf(undefined, { at: 1000, facts: facts(1, 0, 0) }), { at: 1000 });
  const s = sampleOf({ at: 1000, facts: facts(1, 1000, 500) }, { at: 3000, facts: facts(2, 5000, 1500) });
  assert.equal(s.cpuPct, 25); // 1 s of CPU over 2 s on 2 vCPUs
  assert.equal(s.rxBps, 2000);
  assert.equal(s.txBps, 500);
  const restarted = sampleOf({ at: 1000, facts: facts(50, 9000, 9000) }, { at: 2000, facts: facts(1, 10, 10) });
  assert.deepEqual(restarted, { at: 2000 });
});

test('page facts: live IPs per interface by MAC; the protocol guards', () => {
  const f = detailsFacts('vm', 'h', 'running', { ...facts(1, 1, 1), memoryKiB: 131072 }, ['10.0.0.5'], [{ ip: '10.0.0.7', source: 'lease', mac: 'm' }]);
  assert.equal(f.memoryMiB, 128);
  assert.deepEqual(f.interfaces[0]?.liveIps, ['10.0.0.7']);
  assert.ok(isToWebview({ type: 'facts', facts: f, sample: { at: 1 }, intervalMs: 1000 }));
  assert.ok(!isToWebview({ type: 'facts' }));
  assert.deepEqual(parseFromWebview({ type: 'ready' }), { type: 'ready' });
  assert.equal(parseFromWebview({ type: 'run', cmd: 'rm' }), undefined);
});
