// Messages from the webview are validated before use: well-formed ones pass, anything else is rejected.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isIntent, isToWebview, parseFromWebview } from '../../../webview/protocol';
import { diffLines, minimalEdit, splitLines } from '../../../src/model/edits/textDiff';

describe('protocol validation', () => {
  const good: unknown[] = [
    { type: 'ready' },
    { type: 'ready', timing: { pageStart: 1767225600000.5, pageLoaded: 1767225600010, scriptLoaded: 1767225600150, scriptStart: 1767225600200 } },
    { type: 'intent', requestId: 1, intent: { kind: 'addVm' } },
    { type: 'intent', requestId: 2, intent: { kind: 'addVm', host: 'hv1', network: 'br0', backend: 'qemu', position: { x: 1.5, y: -2 } } },
    { type: 'intent', requestId: 3, intent: { kind: 'connectNic', vm: 'a', network: 'b' } },
    { type: 'intent', requestId: 4, intent: { kind: 'rename', section: 'vms', from: 'a', to: 'b' } },
    { type: 'intent', requestId: 5, intent: { kind: 'delete', section: 'links', name: 'l1' } },
    { type: 'intent', requestId: 6, intent: { kind: 'setLinkProfile', link: 'l1', profile: null } },
    { type: 'intent', requestId: 7, intent: { kind: 'setProperty', path: ['vms', 'a', 'memory'], value: 512 } },
    { type: 'intent', requestId: 8, intent: { kind: 'movePositions', positions: [{ section: 'vms', name: 'a', x: 1, y: 2 }] } },
    { type: 'undo', requestId: 9 },
    { type: 'redo', requestId: 10 },
    { type: 'command', requestId: 11, command: 'start', target: { kind: 'vm', name: 'a' } },
    { type: 'command', requestId: 12, command: 'partition', target: { kind: 'link', name: 'l' } },
    { type: 'rendered', version: 3, nodes: 10, edges: 9, drawn: 4, ms: 12.5 },
    { type: 'rendered', version: 3, nodes: 1030, edges: 100, drawn: 10, ms: 40, partial: true },
    { type: 'openText', section: 'vms', name: 'a' },
  ];
  for (const m of good) it(`accepts ${JSON.stringify(m)}`, () => assert.deepEqual(parseFromWebview(m), m));

  const bad: unknown[] = [
    null, 42, 'ready', [], {}, { type: 'nope' },
    { type: 'ready', extra: 1 },
    { type: 'ready', timing: { pageStart: 1 } },
    { type: 'ready', timing: { pageStart: 1, pageLoaded: 1, scriptLoaded: 1, scriptStart: '2' } },
    { type: 'ready', timing: { pageStart: 1, pageLoaded: 1, scriptLoaded: 1, scriptStart: 2, extra: 3 } },
    { type: 'intent', requestId: '1', intent: { kind: 'addVm' } },
    { type: 'intent', requestId: 1.5, intent: { kind: 'addVm' } },
    { type: 'intent', requestId: 1, intent: { kind: 'format-disk' } },
    { type: 'intent', requestId: 1, intent: { kind: 'addVm', host: 'bad name' } },
    { type: 'intent', requestId: 1, intent: { kind: 'addVm', backend: 'vmware' } },
    { type: 'intent', requestId: 1, intent: { kind: 'addVm', position: { x: 'a', y: 1 } } },
    { type: 'intent', requestId: 1, intent: { kind: 'addVm', position: { x: Infinity, y: 1 } } },
    { type: 'intent', requestId: 1, intent: { kind: 'addVm', __proto__x: 1 } },
    { type: 'intent', requestId: 1, intent: { kind: 'connectNic', vm: 'a' } },
    { type: 'intent', requestId: 1, intent: { kind: 'rename', section: 'layout', from: 'a', to: 'b' } },
    { type: 'intent', requestId: 1, intent: { kind: 'rename', section: 'vms', from: 'a', to: 'x'.repeat(64) } },
    { type: 'intent', requestId: 1, intent: { kind: 'setProperty', path: ['vms'], value: 1 } },
    { type: 'intent', requestId: 1, intent: { kind: 'setProperty', path: ['vms', 'a', 'b'], value: { nested: true } } },
    { type: 'intent', requestId: 1, intent: { kind: 'setProperty', path: ['vms', 'a', 'x\ny'], value: 1 } },
    { type: 'intent', requestId: 1, intent: { kind: 'disconnectNic', vm: 'a', index: -1 } },
    { type: 'intent', requestId: 1, intent: { kind: 'movePositions', positions: [{ section: 'profiles', name: 'a', x: 1, y: 2 }] } },
    { type: 'intent', requestId: 1, intent: { kind: 'movePositions', positions: 'all' } },
    { type: 'command', requestId: 1, command: 'rm -rf', target: { kind: 'vm', name: 'a' } },
    { type: 'command', requestId: 1, command: 'start', target: { kind: 'vm', name: 'a; reboot' } },
    { type: 'command', requestId: 1, command: 'start', target: { kind: 'host', name: 'a' } },
    { type: 'rendered', version: 1, nodes: 'many', edges: 1, drawn: 1, ms: 1 },
    { type: 'rendered', version: 1, nodes: 1, edges: 1, drawn: 1, ms: 1, partial: false },
    { type: 'openText', section: 'secrets' },
  ];
  for (const m of bad) it(`rejects ${JSON.stringify(m)}`, () => assert.equal(parseFromWebview(m), undefined));

  it('isIntent rejects unknown keys smuggled into an intent', () => {
    assert.equal(isIntent({ kind: 'delete', section: 'vms', name: 'a', cascade: false }), false);
  });
});

describe('text diffs', () => {
  it('minimalEdit keeps the common prefix and suffix', () => {
    assert.deepEqual(minimalEdit('abcXdef', 'abcYYdef'), { start: 3, end: 4, text: 'YY' });
    assert.equal(minimalEdit('same', 'same'), undefined);
  });
  it('diffLines finds separate hunks', () => {
    const a = splitLines('1\n2\n3\n4\n5\n');
    const b = splitLines('1\nX\n3\n4\n5\nY\n');
    assert.deepEqual(diffLines(a, b), [{ aStart: 1, aEnd: 2, bStart: 1, bEnd: 2 }, { aStart: 5, aEnd: 5, bStart: 5, bEnd: 6 }]);
  });
});

it('linkState: a message the extension sends; the link actions impair/clearImpair/capture are accepted from the webview', () => {
  assert.ok(isToWebview({ type: 'linkState', links: { 'ep1-ep2': { label: 'delay 40ms', tooltip: 'ep1 tap-ep1 from 10.99.0.12: htb+netem delay 40ms', impaired: true, partitioned: false } } }));
  for (const command of ['impair', 'clearImpair', 'capture'] as const) {
    assert.deepEqual(parseFromWebview({ type: 'command', requestId: 1, command, target: { kind: 'link', name: 'ep1-ep2' } }), { type: 'command', requestId: 1, command, target: { kind: 'link', name: 'ep1-ep2' } });
  }
  assert.equal(parseFromWebview({ type: 'command', requestId: 1, command: 'rm', target: { kind: 'link', name: 'x' } }), undefined);
});
