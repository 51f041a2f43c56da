// A file with errors still gives its valid part: the entries with errors and what refers to them are
// left out, the rest validates on its own; errors outside the entries leave nothing usable.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { stringify } from 'yaml';
import { analyze } from '../../../src/model/analyze';
import { BASE, mutate } from './helpers';

function usable(text: string) {
  const a = analyze(text);
  assert.equal(a.ok, false, 'the text has errors');
  const u = a.usable();
  if (u) {
    // What is left is a topology without errors by itself.
    const again = analyze(stringify(u.topology));
    assert.deepEqual(again.problems.filter((p) => p.severity === 'error').map((p) => p.message), []);
  }
  return u;
}

test('a valid file is usable whole', () => {
  const a = analyze(BASE);
  assert.deepEqual(a.usable(), { topology: a.topology, leftOut: [] });
});

test('one VM whose name is not valid for its backend is left out; the others, hosts and networks stay', () => {
  // m is a microvm: a dot is no unit name. Nothing refers to m, so only m goes.
  const u = usable(mutate(['  m:\n    host: hv2', '  m.x:\n    host: hv2']));
  assert.ok(u);
  assert.deepEqual(Object.keys(u.topology.vms ?? {}), ['a', 'b']);
  assert.deepEqual(Object.keys(u.topology.hosts), ['hv1', 'hv2']);
  assert.deepEqual(Object.keys(u.topology.networks ?? {}), ['lan', 'slotnet']);
  assert.deepEqual(u.leftOut.map((l) => [l.section, l.name]), [['vms', 'm.x']]);
  assert.match(u.leftOut[0]!.reason, /not valid for backend microvm: it becomes the systemd unit `microvm@m\.x`/);
});

test('what refers to a left-out entry goes too: its link and the profile that targets it', () => {
  // a's NIC has an unknown key: a is left out, then link ab (endpoint a) and profile slow (targets a, ab).
  const u = usable(mutate(['        tap: tap-a\n', '        tap: tap-a\n        colour: red\n']));
  assert.ok(u);
  assert.deepEqual(Object.keys(u.topology.vms ?? {}), ['b', 'm']);
  assert.deepEqual(u.leftOut.map((l) => `${l.section}.${l.name}`), ['vms.a', 'links.ab', 'profiles.slow']);
  assert.match(u.leftOut[0]!.reason, /Unknown key `colour`/);
  assert.match(u.leftOut[1]!.reason, /links\.ab\.endpoints\[0\] refers to VM `a`, which has errors/);
});

test('a host with an error takes its networks, slots, states and VMs with it; the other host stays', () => {
  const u = usable(mutate(['    address: 10.0.0.2\n', '    address: 10.0.0.2\n    port: 99999\n']));
  assert.ok(u);
  assert.deepEqual(Object.keys(u.topology.hosts), ['hv1']);
  assert.deepEqual(Object.keys(u.topology.vms ?? {}), ['a', 'b']);
  assert.deepEqual(Object.keys(u.topology.networks ?? {}), ['lan']);
  assert.deepEqual(Object.keys(u.topology.slots ?? {}), []);
  assert.deepEqual(u.leftOut.map((l) => `${l.section}.${l.name}`).sort(), ['hosts.hv2', 'networks.slotnet', 'slots.s1', 'states.st1', 'vms.m']);
});

test('a dangling reference leaves out the entry that has it', () => {
  const u = usable(mutate(['state: st1 }', 'state: st2 }']));
  assert.ok(u);
  assert.ok(!u.topology.slots?.s1);
  assert.ok(!u.topology.vms?.m, 'the microvm in the left-out slot goes too');
  assert.ok(u.topology.vms?.a);
});

test('an error outside the entries leaves nothing usable: version, offline, a section of the wrong type, YAML syntax', () => {
  assert.equal(usable(mutate(['version: 1', 'version: 2'])), undefined);
  assert.equal(usable(mutate(['name: unit-base', 'name: unit-base\noffline: maybe'])), undefined);
  assert.equal(usable(mutate(['states:\n  st1: { host: hv2 }', 'states: [st1]'])), undefined);
  assert.equal(analyze(`${BASE}\n  bad: [unclosed\n`).usable(), undefined);
  // The lab's name is description only: a bad one is dropped, the lab stays.
  const u = usable(mutate(['name: unit-base', 'name: "unit base"']));
  assert.equal(u?.topology.name, undefined);
  assert.deepEqual(Object.keys(u?.topology.vms ?? {}), ['a', 'b', 'm']);
});
