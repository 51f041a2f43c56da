// The graph's VM menu offers what the Labs tree's menu offers for the same state and backend: each
// action's command id (src/editor/actions.ts) is read from package.json's `view/item/context` with
// its `viewItem` rule, evaluated on the tree's contextValue `vm.STATE.BACKEND`.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { ACTION_COMMAND_IDS } from '../../../src/editor/actionIds';
import type { LiveState } from '../../../webview/protocol';
import { vmActions, VM_ACTION_COMMANDS } from '../../../webview/topology/vmActions';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  contributes: { commands: { command: string }[]; menus: Record<string, { command: string; when?: string }[]> };
};
const treeMenu = pkg.contributes.menus['view/item/context']!.filter((m) => m.when?.includes('view == vsim.labs'));
const ruleOf = (when: string) => /viewItem =~ \/(.*)\/(?:\s|$)/.exec(when)?.[1];
const STATES: LiveState[] = ['running', 'paused', 'stopped', 'unknown'];
const BACKENDS = ['libvirt', 'microvm', 'qemu', 'cloud-hypervisor'];

test('every graph action runs a command that package.json contributes (no ids that do not exist)', () => {
  const contributed = new Set(pkg.contributes.commands.map((c) => c.command));
  for (const [action, id] of Object.entries(ACTION_COMMAND_IDS)) assert.ok(contributed.has(id), `${action} → ${id} is not contributed`);
});

test("the graph's VM menu offers exactly what the tree's VM menu offers, per state and backend", () => {
  for (const command of VM_ACTION_COMMANDS) {
    const id = ACTION_COMMAND_IDS[command as keyof typeof ACTION_COMMAND_IDS];
    const rules = treeMenu.filter((m) => m.command === id).map((m) => ruleOf(m.when ?? '')).filter((r): r is string => !!r).map((r) => new RegExp(r.replace(/\\\\/g, '\\')));
    assert.ok(rules.length, `${id} is not in the tree's VM menu`);
    for (const state of STATES) {
      for (const backend of BACKENDS) {
        const tree = rules.some((r) => r.test(`vm.${state}.${backend}`));
        const graph = vmActions(state, backend).some((a) => a.command === command);
        assert.equal(graph, tree, `${command} (${id}) for a ${state} ${backend} VM: graph ${graph}, tree ${tree}`);
      }
    }
  }
});

test('no Start on a running VM, no Stop on a stopped one (issue 13 item 7)', () => {
  const running = vmActions('running', 'libvirt').map((a) => a.command);
  const stopped = vmActions('stopped', 'libvirt').map((a) => a.command);
  assert.ok(!running.includes('start') && running.includes('stop'));
  assert.ok(stopped.includes('start') && !stopped.includes('stop') && !stopped.includes('console'));
});
