// The Plan view and the plan's badges: one PlanStore, the `vsim.plan` TreeView, the drift badges
// of the Labs tree and the change count in the Labs view's title (TreeView.badge).
// Refresh: never polled, never automatic. Planning is remote work on every host of a file (and a
// workspace may hold example files whose hosts must not be dialled unasked): a file is planned by
// the Plan command (its Plan view row offers it) and again after each apply / up / down / destroy.
import * as vscode from 'vscode';
import type { LazyView } from '../activation/ports';
import type { LabsFeature } from '../workspace/labsFeature';
import type { LabTreeFeature } from './index';
import { PlanStore } from './planStore';
import { PlanTree } from './planTree';

export interface PlanFeature extends vscode.Disposable {
  store: PlanStore;
  tree: PlanTree;
  view: vscode.TreeView<unknown>;
  /** The count the Labs view's title shows (undefined: no badge). */
  labsBadge(): number | undefined;
}

/** Attaches the Plan tree to its view (created at activation, src/activation/ports.ts). */
export function registerPlans(labs: LabsFeature, labTree: LabTreeFeature, { view, provider }: LazyView): PlanFeature {
  const store = new PlanStore(labs.labs);
  const tree = new PlanTree(labs.labs, store);
  const updateBadge = (): void => {
    const n = store.total();
    labTree.view.badge = n ? { value: n, tooltip: `${n} change${n === 1 ? '' : 's'} between the topology files and their hosts (see the Plan view)` } : undefined;
  };
  const d = vscode.Disposable.from(
    labTree.tree.showPlans(store),
    store.onDidChange(updateBadge),
    provider.attach(tree as vscode.TreeDataProvider<unknown>),
    tree,
    store,
  );
  return { store, tree, view, labsBadge: () => labTree.view.badge?.value, dispose: () => d.dispose() };
}
