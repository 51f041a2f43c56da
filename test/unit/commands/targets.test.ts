// resolveTargets: every way a command is called gives one typed CommandCall; confirmation comes only
// from an explicit { confirmed: true }, never from the arguments being strings.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeTarget, resolveTargets } from '../../../src/commands/targets';
import { isUri, uri } from '../fakes/uri';
import { markViewElement } from '../../../src/activation/viewElements';

const vm = (name: string) => ({ kind: 'vm' as const, uri, host: 'hv1', vm: name });

test('from the palette: nothing given, shown in the UI', () => {
  assert.deepEqual(resolveTargets([], isUri), { target: undefined, selection: [], values: [], options: { confirmed: false }, fromUi: true });
});

test('from a tree menu: the clicked node and the selection (only when it has several nodes)', () => {
  const one = resolveTargets([markViewElement(vm('a')), undefined], isUri);
  assert.deepEqual(one.target, vm('a'));
  assert.deepEqual(one.selection, []);
  assert.equal(one.fromUi, true);
  assert.equal(resolveTargets([vm('a'), [vm('a')]], isUri).fromUi, true, 'a selection array also says a view called');
  const two = resolveTargets([vm('a'), [vm('a'), vm('b')]], isUri);
  assert.deepEqual(two.selection, [vm('a'), vm('b')]);
  assert.deepEqual(resolveTargets([vm('a'), [vm('a')], 'constrained'], isUri).values, ['constrained']);
});

test('from the graph: a named VM or link of its file', () => {
  const c = resolveTargets([{ kind: 'link', name: 'l1', uri }], isUri);
  assert.deepEqual(c.target, { kind: 'named', name: 'l1', is: 'link', uri });
  assert.equal(c.fromUi, false);
});

test('from code: a name, then values (holes kept), then options', () => {
  const c = resolveTargets(['slot3', undefined, 'dst', { confirmed: true }], isUri);
  assert.deepEqual(c.target, { kind: 'named', name: 'slot3' });
  assert.deepEqual(c.values, [undefined, 'dst']);
  assert.deepEqual(c.options, { confirmed: true });
  assert.equal(c.fromUi, false);
  assert.deepEqual(resolveTargets([vm('a'), undefined, { confirmed: true }], isUri).values, [undefined]);
  assert.deepEqual(resolveTargets([uri], isUri).target, { kind: 'file', uri });
});

test('strings never confirm: only { confirmed: true } does', () => {
  assert.deepEqual(resolveTargets(['storage', 'snap1'], isUri).options, { confirmed: false });
  assert.deepEqual(resolveTargets(['storage', 'snap1', { confirmed: 'yes' }], isUri).options, { confirmed: false });
  assert.deepEqual(resolveTargets(['storage', 'snap1', { confirm: true }], isUri).options, { confirmed: false });
});

test('what is not a target or a value counts as not given', () => {
  assert.equal(resolveTargets([{ kind: 'message', id: 'x', text: 'y' }], isUri).target, undefined);
  assert.equal(resolveTargets([{ kind: 'vm', vm: 'a', uri: 'not a uri' }], isUri).target, undefined);
  assert.deepEqual(resolveTargets(['a', 42], isUri).values, [undefined]);
});

test('from the Plan view: its file and host rows read as a file and a host, a change row as itself', () => {
  assert.deepEqual(resolveTargets([{ kind: 'plan-file', uri }, [{ kind: 'plan-file', uri }]], isUri).target, { kind: 'file', uri });
  assert.deepEqual(resolveTargets([{ kind: 'plan-host', uri, host: 'hv1' }], isUri).target, { kind: 'host', uri, host: 'hv1' });
  assert.deepEqual(resolveTargets([{ kind: 'plan-change', uri, host: 'hv1', id: 'hv1/vm/a' }], isUri).target, { kind: 'plan-change', uri, host: 'hv1', id: 'hv1/vm/a' });
  assert.equal(resolveTargets([{ kind: 'plan-change', uri, host: 'hv1' }], isUri).target, undefined, 'a change row without its id');
  assert.equal(resolveTargets([{ kind: 'plan-message', id: 'x', text: 'y', icon: 'error' }], isUri).target, undefined);
});

test('the lab options: a confirm callback and a host list, only when typed right', () => {
  const confirm = () => true;
  const o = resolveTargets([{ kind: 'file', uri }, undefined, { confirm, hosts: ['hv1', 'hv2'] }], isUri).options;
  assert.equal(o.confirm, confirm);
  assert.deepEqual(o.hosts, ['hv1', 'hv2']);
  assert.equal(o.confirmed, false, 'a confirm callback is not a confirmation');
  assert.deepEqual(resolveTargets([uri, undefined, { hosts: ['hv1', 2], confirm: 'yes' }], isUri).options, { confirmed: false });
  assert.deepEqual(resolveTargets([uri, undefined, { hosts: 'hv1' }], isUri).options, { confirmed: false });
});

test('describeTarget: what a log line says the command acted on', () => {
  assert.equal(describeTarget(vm('storage')), 'storage on hv1');
  assert.equal(describeTarget({ kind: 'host', uri, host: 'hv1' }), 'hv1');
  assert.equal(describeTarget({ kind: 'slot', uri, host: 'hv2', slot: 'slot3' }), 'slot3 on hv2');
  assert.equal(describeTarget({ kind: 'file', uri }), 'lab.vsim.yaml');
  assert.equal(describeTarget({ kind: 'named', name: 'chassis' }), 'chassis');
  assert.equal(describeTarget(undefined), '', 'from the palette: the command asks');
});
