// Start order: `after:` loops found once each, and Up's per-host order (file order, `after` first).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { afterCycles, startOrder } from '../../../src/model/checks/order';
import { analyze } from '../../../src/model/analyze';
import type { Topology, Vm } from '../../../src/model/types';
import { mutate } from './helpers';

function topo(vms: Record<string, Partial<Vm>>): Topology {
  return { version: 1, hosts: { h: {} }, vms: Object.fromEntries(Object.entries(vms).map(([n, v]) => [n, { host: 'h', backend: 'qemu', ...v } as Vm])) } as Topology;
}

describe('afterCycles', () => {
  test('no after: no loops', () => assert.deepEqual(afterCycles(topo({ a: {}, b: {} })), []));
  test('a chain is not a loop', () => assert.deepEqual(afterCycles(topo({ a: { after: ['b'] }, b: { after: ['c'] }, c: {} })), []));
  test('a three-VM loop is reported once, from its first name', () => {
    assert.deepEqual(afterCycles(topo({ c: { after: ['a'] }, a: { after: ['b'] }, b: { after: ['c'] } })), [['a', 'b', 'c']]);
  });
  test('a self reference is a loop of one', () => assert.deepEqual(afterCycles(topo({ a: { after: ['a'] } })), [['a']]));
  test('unknown names are ignored (checkReferences reports them)', () => assert.deepEqual(afterCycles(topo({ a: { after: ['zz'] } })), []));
});

describe('startOrder', () => {
  test('file order without after', () => assert.deepEqual(startOrder(topo({ a: {}, b: {}, c: {} }), ['a', 'b', 'c']), ['a', 'b', 'c']));
  test('a VM comes after the VMs it names, the rest keep the file order', () => {
    const t = topo({ web: { after: ['db'] }, cache: {}, db: { after: ['net'] }, net: {} });
    assert.deepEqual(startOrder(t, ['web', 'cache', 'db', 'net']), ['net', 'db', 'web', 'cache']);
  });
  test('VMs outside the given list (other hosts) do not appear', () => {
    assert.deepEqual(startOrder(topo({ a: { after: ['x'] }, x: {} }), ['a']), ['a']);
  });
  test('a loop does not hang and every VM appears once', () => {
    const out = startOrder(topo({ a: { after: ['b'] }, b: { after: ['a'] } }), ['a', 'b']);
    assert.deepEqual([...out].sort(), ['a', 'b']);
  });
});

describe('schema: start and after', () => {
  test('a qemu start argv with cwd validates', () => {
    const a = analyze(mutate(['    sockets: { qmp: /run/b.qmp }\n', '    sockets: { qmp: /run/b.qmp }\n    start: { argv: [nix, run, ".#emulation-vm-bg"], cwd: /home/dev/n3x }\n    after: [a]\n']));
    assert.deepEqual(a.problems.map((p) => p.code), []);
    assert.deepEqual(a.topology?.vms?.b?.start, { argv: ['nix', 'run', '.#emulation-vm-bg'], cwd: '/home/dev/n3x' });
  });
  for (const [what, start] of [['a shell string', '"nix run .#x"'], ['an empty argv', '{ argv: [] }'], ['a relative cwd', '{ argv: [nix], cwd: n3x }'], ['an unknown key', '{ argv: [nix], shell: true }']] as const) {
    test(`start as ${what} is refused by the schema`, () => {
      const a = analyze(mutate(['    sockets: { qmp: /run/b.qmp }\n', `    sockets: { qmp: /run/b.qmp }\n    start: ${start}\n`]));
      assert.ok(a.problems.some((p) => p.severity === 'error' && (p.path ?? []).join('.').startsWith('vms.b.start')), JSON.stringify(a.problems.map((p) => [p.code, (p.path ?? []).join('.'), p.message])));
    });
  }
  test('an argv element with a newline is refused', () => {
    const a = analyze(mutate(['    sockets: { qmp: /run/b.qmp }\n', '    sockets: { qmp: /run/b.qmp }\n    start: { argv: ["nix\\nrm"] }\n']));
    assert.ok(a.problems.some((p) => p.severity === 'error' && (p.path ?? []).join('.').startsWith('vms.b.start.argv')), JSON.stringify(a.problems.map((p) => (p.path ?? []).join('.'))));
  });
});
