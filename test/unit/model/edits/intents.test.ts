// Each graph intent → the exact expected YAML text, comments and formatting elsewhere untouched.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { analyze } from '../../../../src/model/analyze';
import { applyIntent, IntentError, type Intent } from '../../../../src/model/edits/intents';
import { applyEdits } from '../../../../src/model/edits/textDiff';

const TINY = readFileSync(new URL('./fixtures/tiny.vsim.yaml', import.meta.url), 'utf8');

/** `text` with each [from, to] replaced once (and each `from` must occur exactly once). */
function patched(text: string, ...pairs: [string, string][]): string {
  let out = text;
  for (const [from, to] of pairs) {
    assert.equal(out.split(from).length, 2, `fixture must contain ${JSON.stringify(from)} exactly once`);
    out = out.replace(from, () => to);
  }
  return out;
}

function check(intent: Intent, expected: string, text = TINY): void {
  const r = applyIntent(text, intent);
  assert.equal(r.text, expected);
  assert.equal(applyEdits(text, r.edits), expected, 'the edits produce the same text');
  assert.equal(r.fallback, false, 'no wide replacement');
  const a = analyze(r.text);
  assert.deepEqual(a.problems.filter((p) => p.severity === 'error').map((p) => p.message), []);
}

describe('intents → exact text', () => {
  it('the fixture is valid', () => assert.ok(analyze(TINY).ok));

  it('addVm on the first host', () => {
    check({ kind: 'addVm' }, patched(TINY, ['        ip: 192.168.1.11\n', '        ip: 192.168.1.11\n  vm-3:\n    host: hv1\n    backend: libvirt\n']));
  });

  it('addVm on a network of a kvm-less host, with a dropped position', () => {
    check({ kind: 'addVm', name: 'cache', network: 'br1', position: { x: 10.4, y: -20.6 } }, patched(TINY,
      ['        ip: 192.168.1.11\n', '        ip: 192.168.1.11\n  cache:\n    host: hv2\n    backend: libvirt\n    accel: tcg\n    nics:\n      - network: br1\n        ip: 192.168.2.1\n'],
      ['# app traffic\n', '# app traffic\n\nlayout:\n  vms:\n    cache: { x: 10, y: -21 }\n']));
  });

  it('addNetwork picks a free subnet', () => {
    check({ kind: 'addNetwork', host: 'hv1' }, patched(TINY, ['192.168.2.0/24 }\n', '192.168.2.0/24 }\n  net-3:\n    host: hv1\n    subnet: 10.200.0.0/24\n    gateway: 10.200.0.1\n']));
  });

  it('connectNic appends to a flow list in its own style, with the next free IP', () => {
    check({ kind: 'connectNic', vm: 'web', network: 'br0' }, patched(TINY, ['ip: 192.168.1.10 }]', 'ip: 192.168.1.10 }, { network: br0, ip: 192.168.1.2 }]']));
  });

  it('disconnectNic removes the last NIC and its key', () => {
    check({ kind: 'disconnectNic', vm: 'db', index: 0 }, patched(TINY, ['    nics:\n      - network: br0\n        ip: 192.168.1.11\n', '']));
  });

  it('addLink with a profile matches the one-line style of existing links', () => {
    check({ kind: 'addLink', a: 'db', b: 'web', profile: 'slow' }, patched(TINY, ['# app traffic\n', '# app traffic\n  db-web: { endpoints: [ db, web ], profile: slow }\n']));
  });

  it('rename a VM renames every reference (link endpoints, profile targets)', () => {
    check({ kind: 'rename', section: 'vms', from: 'db', to: 'database' }, patched(TINY,
      ['  db:\n', '  database:\n'], ['targets: [db]', 'targets: [database]'], ['[web, db]', '[web, database]']));
  });

  it('rename a network renames NIC references', () => {
    check({ kind: 'rename', section: 'networks', from: 'br0', to: 'lan' }, patched(TINY,
      ['  br0:\n', '  lan:\n'], ['{ network: br0,', '{ network: lan,'], ['- network: br0', '- network: lan']));
  });

  it('rename a host keeps its comment (moved below the key) and renames host references', () => {
    check({ kind: 'rename', section: 'hosts', from: 'hv1', to: 'alpha' }, TINY
      .replace('  hv1: # the main host\n', '  alpha:\n    # the main host\n')
      .replace(/host: hv1\n/g, 'host: alpha\n'));
  });

  it('delete a VM removes its links, profile targets, and keeps other comments', () => {
    check({ kind: 'delete', section: 'vms', name: 'db' }, patched(TINY,
      ['  db:\n    # database server\n    host: hv1\n    backend: libvirt\n    nics:\n      - network: br0\n        ip: 192.168.1.11\n', ''],
      ['  slow: { rate: 1mbit, targets: [db] }', '  slow: { rate: 1mbit }'],
      ['links:\n  web-db: { endpoints: [web, db] }  # app traffic\n', 'links: {}\n']));
  });

  it('delete a network used by NICs removes those NICs', () => {
    const r = applyIntent(TINY, { kind: 'delete', section: 'networks', name: 'br0' });
    assert.equal(r.text, patched(TINY,
      ['  br0:\n    host: hv1\n    subnet: 192.168.1.0/24\n    gateway: 192.168.1.1\n', ''],
      ['    nics: [{ network: br0, ip: 192.168.1.10 }]  # front\n', ''],
      ['    nics:\n      - network: br0\n        ip: 192.168.1.11\n', '']));
    assert.ok(analyze(r.text).ok);
  });

  it('delete a host cascades to its networks (with the comment above them)', () => {
    check({ kind: 'delete', section: 'hosts', name: 'hv2' }, patched(TINY,
      ['  hv2:\n    address: 10.0.0.2\n    kvm: false\n', ''], ['  # second network\n  br1: { host: hv2, subnet: 192.168.2.0/24 }\n', '']));
  });

  it('setLinkProfile adds to a flow map; null removes it', () => {
    const withP = patched(TINY, ['[web, db] }', '[web, db], profile: slow }']);
    check({ kind: 'setLinkProfile', link: 'web-db', profile: 'slow' }, withP);
    check({ kind: 'setLinkProfile', link: 'web-db', profile: null }, TINY, withP);
  });

  it('setProperty sets in place, adds, removes, and creates nested maps', () => {
    check({ kind: 'setProperty', path: ['vms', 'web', 'memory'], value: 1024 }, patched(TINY, ['# front\n', '# front\n    memory: 1024\n']));
    check({ kind: 'setProperty', path: ['vms', 'db', 'backend'], value: 'libvirt' }, TINY);
    check({ kind: 'setProperty', path: ['hosts', 'hv2', 'kvm'], value: null }, patched(TINY, ['    kvm: false\n', ''])
      .replace('hv2:\n    address: 10.0.0.2\n', 'hv2:\n    address: 10.0.0.2\n'), TINY);
    check({ kind: 'setProperty', path: ['vms', 'web', 'console', 'kind'], value: 'pty' }, patched(TINY, ['# front\n', '# front\n    console:\n      kind: pty\n']));
  });

  it('movePositions writes rounded integers into a new layout section, then updates in place', () => {
    const moved = patched(TINY, ['# app traffic\n', '# app traffic\n\nlayout:\n  vms:\n    web: { x: 2, y: 2 }\n  networks:\n    br0: { x: -3, y: 4 }\n']);
    check({ kind: 'movePositions', positions: [{ section: 'vms', name: 'web', x: 1.5, y: 2.4 }, { section: 'networks', name: 'br0', x: -3, y: 4 }] }, moved);
    check({ kind: 'movePositions', positions: [{ section: 'vms', name: 'web', x: 100, y: 2 }] }, moved.replace('web: { x: 2, y: 2 }', 'web: { x: 100, y: 2 }'), moved);
  });

  it('follows the 4-space indentation of a file', () => {
    // Every indent doubled; the list item's continuation line stays aligned with its dash content.
    const four = TINY.replace(/^( +)/gm, (s) => ' '.repeat(s.length * 2)).replace('                ip: 192.168.1.11', '              ip: 192.168.1.11');
    assert.ok(analyze(four).ok);
    const r = applyIntent(four, { kind: 'addVm', host: 'hv1' });
    assert.equal(r.fallback, false);
    assert.equal(r.text, four.replace('              ip: 192.168.1.11\n', '              ip: 192.168.1.11\n    vm-3:\n        host: hv1\n        backend: libvirt\n'));
  });

  it('refuses with a reason', () => {
    const refuse = (i: Intent, re: RegExp) => assert.throws(() => applyIntent(TINY, i), (e: unknown) => e instanceof IntentError && re.test(e.message));
    refuse({ kind: 'connectNic', vm: 'web', network: 'br1' }, /on host `hv2` but VM `web` runs on `hv1`/);
    refuse({ kind: 'addLink', a: 'web', b: 'web' }, /two different VMs/);
    refuse({ kind: 'rename', section: 'vms', from: 'web', to: 'db' }, /already exists/);
    refuse({ kind: 'rename', section: 'vms', from: 'web', to: 'web-db' }, /already a link name/);
    refuse({ kind: 'rename', section: 'vms', from: 'web', to: 'no spaces' }, /not a valid name/);
    refuse({ kind: 'delete', section: 'vms', name: 'ghost' }, /No VM named `ghost`/);
    refuse({ kind: 'setProperty', path: ['vms', 'web', 'nics'], value: 'x' }, /not a single value/);
    assert.throws(() => applyIntent('version: 1\nhosts: [', { kind: 'addVm' }), /YAML errors/);
  });
});
