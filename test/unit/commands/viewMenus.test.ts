// Every command in a view's item menu (package.json view/item/context) gets the clicked row as its
// typed target and knows it was called from the UI, called the way VS Code's tree calls it: the
// element the view handed out, then `undefined` when one row is selected (the selection array only
// when several are). "List Snapshots" from a VM's menu once did nothing because the command took
// only a call with the array for a menu call.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { resolveTargets, type Target } from '../../../src/commands/targets';
import { isUri, uri } from '../fakes/uri';
import { markViewElement } from '../../../src/activation/viewElements';


interface MenuItem { command: string; when?: string }
const pkg = JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8')) as { contributes: { menus: Record<string, MenuItem[]> } };
const items = pkg.contributes.menus['view/item/context'] ?? [];

/** The rows the views show, by contextValue (src/tree/items.ts, src/tree/planTree.ts), with the element each row is. */
const STATES = ['running', 'paused', 'stopped', 'crashed', 'starting', 'stopping', 'missing', 'unknown'];
const BACKENDS = ['libvirt', 'microvm', 'qemu', 'cloud-hypervisor'];
const vm = (vmName: string, undeclared = false) => ({ kind: 'vm', uri, host: 'hv1', vm: vmName, ...(undeclared ? { undeclared } : {}) });
const ROWS: { view: string; context: string; element: object; target: Target['kind'] }[] = [
  ...STATES.flatMap((s) => BACKENDS.map((b) => ({ view: 'vsim.labs', context: `vm.${s}.${b}`, element: vm('a'), target: 'vm' as const }))),
  ...STATES.flatMap((s) => ['', ...BACKENDS.map((b) => `.${b}`)].map((b) => ({ view: 'vsim.labs', context: `vm.${s}${b}.undeclared`, element: vm('u', true), target: 'vm' as const }))),
  { view: 'vsim.labs', context: 'undeclared', element: { kind: 'undeclared', uri, host: 'hv1' }, target: 'host' },
  ...['idle', 'connecting', 'connected', 'disconnected', 'untrusted', 'offline', 'missing-tool', 'error']
    .map((c) => ({ view: 'vsim.labs', context: `host.${c}`, element: { kind: 'host', uri, host: 'hv1' }, target: 'host' as const })),
  { view: 'vsim.labs', context: 'slot', element: { kind: 'slot', uri, host: 'hv1', slot: 'slot1' }, target: 'slot' },
  { view: 'vsim.labs', context: 'topology', element: { kind: 'file', uri }, target: 'file' },
  ...['active', 'failed', 'inactive', 'activating', 'deactivating', 'reloading', 'not-found', 'unknown']
    .map((s) => ({ view: 'vsim.labs', context: `service.${s}`, element: { kind: 'service', uri, host: 'hv1', unit: 'dnsmasq.service' }, target: 'service' as const })),
  ...['plan.file', 'plan.file.drift'].map((context) => ({ view: 'vsim.plan', context, element: { kind: 'plan-file', uri }, target: 'file' as const })),
  ...['plan.host', 'plan.host.drift', 'plan.host.nixos', 'plan.host.drift.nixos']
    .map((context) => ({ view: 'vsim.plan', context, element: { kind: 'plan-host', uri, host: 'hv1' }, target: 'host' as const })),
  ...['plan.change.applicable', 'plan.change.blocked', 'plan.change.undeclared']
    .map((context) => ({ view: 'vsim.plan', context, element: { kind: 'plan-change', uri, host: 'hv1', id: 'hv1/vm/a' }, target: 'plan-change' as const })),
];
/** Rows that are messages: no command belongs in their menu (they are no target). */
const MESSAGES = [{ view: 'vsim.labs', context: 'message' }, { view: 'vsim.plan', context: 'plan.message' }];

/** Whether a menu item shows on a row: its `view == V && viewItem …` clause, evaluated. */
function shows(m: MenuItem, view: string, context: string): boolean {
  const when = m.when ?? '';
  const re = /^view == ([\w.]+) && viewItem (=~|==) (.+)$/.exec(when);
  assert.ok(re, `a view/item/context clause this test reads: ${m.command}: ${when}`);
  if (re[1] !== view) return false;
  if (re[2] === '==') return re[3] === context;
  const body = /^\/(.+)\/$/.exec(re[3] as string);
  assert.ok(body, `a regex clause: ${when}`);
  return new RegExp(body[1] as string).test(context);
}

test('every view/item/context entry shows on a row this test knows (a new row kind must be added here with its element)', () => {
  assert.ok(items.length > 40, `read ${items.length} menu entries`);
  for (const m of items) assert.ok(ROWS.some((r) => shows(m, r.view, r.context)), `${m.command} (${m.when}) matches no known row`);
  for (const m of items) for (const r of MESSAGES) assert.ok(!shows(m, r.view, r.context), `${m.command} is offered on ${r.context} rows`);
});

test('from a row\'s menu, one row selected (element, undefined): the row is the typed target, the call is from the UI, no value is given', () => {
  let checked = 0;
  for (const m of items) {
    for (const r of ROWS.filter((x) => shows(m, x.view, x.context))) {
      const element = markViewElement({ ...r.element });
      const call = resolveTargets([element, undefined], isUri);
      assert.equal(call.target?.kind, r.target, `${m.command} on ${r.context}`);
      assert.equal(call.fromUi, true, `${m.command} on ${r.context}: shows its result`);
      assert.deepEqual(call.values, [], `${m.command} on ${r.context}: the missing selection is no value`);
      assert.deepEqual(call.selection, []);
      checked++;
    }
  }
  assert.ok(checked > 200, `${checked} command × row pairs`);
});

test('from a row\'s menu with several rows selected (element, [elements]): the selection comes along', () => {
  const a = markViewElement(vm('a'));
  const b = markViewElement(vm('b'));
  const call = resolveTargets([a, [a, b]], isUri);
  assert.equal(call.fromUi, true);
  assert.deepEqual(call.selection.map((t) => (t.kind === 'vm' ? t.vm : '')), ['a', 'b']);
});

test('the same node passed by code (not handed out by a view) is not a UI call; a value after it stays a value', () => {
  const call = resolveTargets([vm('a'), undefined, 'snap1'], isUri);
  assert.equal(call.fromUi, false);
  assert.deepEqual(call.values, [undefined, 'snap1']);
  assert.equal(resolveTargets([vm('a')], isUri).fromUi, false);
});
