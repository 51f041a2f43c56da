// The stand-ins activation registers: the first use loads the features once, then every call and
// every change event goes to the real provider.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import { LazyTreeProvider, Slot } from '../../../src/activation/lazy';
import { isViewElement } from '../../../src/activation/viewElements';

type Listener = (e: string | undefined) => void;

function realTree() {
  const listeners = new Set<Listener>();
  const tree: vscode.TreeDataProvider<string> = {
    onDidChangeTreeData: (l: Listener) => {
      listeners.add(l);
      return { dispose: () => listeners.delete(l) };
    },
    getChildren: (e?: string) => (e ? [`${e}/child`] : ['root']),
    getTreeItem: (e: string) => ({ label: e }),
    getParent: (e: string) => (e.includes('/') ? e.split('/')[0] : undefined),
  } as unknown as vscode.TreeDataProvider<string>;
  return { tree, fire: (e: string | undefined) => listeners.forEach((l) => l(e)), listeners };
}

test('Slot: get() loads once, then returns what was attached; a load that attaches nothing is a clear error', () => {
  let loads = 0;
  const slot = new Slot<{ v: number }>('the thing', () => {
    loads++;
    slot.attach({ v: 7 });
  });
  assert.equal(slot.attached, false);
  assert.equal(slot.get().v, 7);
  assert.equal(slot.get().v, 7);
  assert.equal(loads, 1);

  const empty = new Slot<number>('the console terminal profile', () => undefined);
  assert.throws(() => empty.get(), /the console terminal profile was not provided/);
});

test('Slot: detaching empties it (a disposed feature is not called)', () => {
  let loads = 0;
  const slot = new Slot<string>('x', () => loads++);
  const d = slot.attach('a');
  assert.equal(slot.get(), 'a');
  d.dispose();
  assert.equal(slot.attached, false);
  assert.throws(() => slot.get());
  assert.equal(loads, 1);
});

test('LazyTreeProvider: the first getChildren loads the features and answers from the real tree', async () => {
  const real = realTree();
  let loads = 0;
  const lazy = new LazyTreeProvider<string>('the vsim.labs tree', () => {
    loads++;
    lazy.attach(real.tree);
  });
  assert.equal(loads, 0, 'nothing loads before the view asks');
  assert.deepEqual(await lazy.getChildren(), ['root']);
  assert.deepEqual(await lazy.getChildren('root'), ['root/child']);
  assert.deepEqual(await lazy.getTreeItem('root'), { label: 'root' });
  assert.equal(await lazy.getParent('root/child'), 'root');
  assert.equal(loads, 1);
});

test('LazyTreeProvider: change events of the real tree reach the view; disposed listeners and a detached tree do not', () => {
  const real = realTree();
  const lazy = new LazyTreeProvider<string>('t', () => undefined);
  const seen: (string | undefined)[] = [];
  const thisArg = { tag: 'me' };
  const disposables: vscode.Disposable[] = [];
  const sub = lazy.onDidChangeTreeData(function (this: typeof thisArg, e) {
    seen.push(`${this.tag}:${e ?? 'all'}`);
  }, thisArg, disposables);
  assert.equal(disposables.length, 1, 'the subscription is added to the disposables given');
  const attached = lazy.attach(real.tree);
  real.fire('root');
  real.fire(undefined);
  assert.deepEqual(seen, ['me:root', 'me:all']);
  sub.dispose();
  real.fire('root');
  assert.deepEqual(seen, ['me:root', 'me:all']);
  attached.dispose();
  assert.equal(real.listeners.size, 0, 'detaching unsubscribes from the real tree');
});

test('LazyTreeProvider: the elements VS Code gets (children, parents) are marked as a view\'s, the real tree\'s own objects unchanged in value', async () => {
  const host = { kind: 'host', host: 'hv1' };
  const vm = { kind: 'vm', vm: 'a' };
  const real = {
    getChildren: (e?: object) => (e ? [vm] : [host]),
    getTreeItem: () => ({}),
    getParent: () => host,
  } as unknown as vscode.TreeDataProvider<object>;
  const lazy = new LazyTreeProvider<object>('t', () => undefined);
  lazy.attach(real);
  const [h] = (await lazy.getChildren()) ?? [];
  assert.equal(h, host, 'the same object: VS Code hands it back to commands');
  assert.ok(isViewElement(h));
  assert.ok(isViewElement((await lazy.getChildren(host))?.[0]));
  assert.ok(isViewElement(await lazy.getParent(vm)));
  assert.deepEqual(h, { kind: 'host', host: 'hv1' }, 'the mark is not an enumerable property');
  assert.equal(JSON.stringify(h), '{"kind":"host","host":"hv1"}');
  assert.ok(!isViewElement({ kind: 'host', host: 'hv1' }), 'a node made by code is not');
});
