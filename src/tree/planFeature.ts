// The Plan view and the plan's badges: one PlanStore, the `vsim.plan` TreeView, the drift badges
// of the Labs tree and the change count in the Labs view's title (TreeView.badge).
// Refresh: never polled. The first time the Plan view is shown each file is planned once; after
// that only the Plan command and apply / up / down / destroy plan again.
import * as vscode from 'vscode';
import { log } from '../common/log';
import type { LabsFeature } from '../session/labsFeature';
import { PlanStore } from './planStore';
import { PlanTree, type PlanNode } from './planTree';

export interface PlanFeature extends vscode.Disposable {
  store: PlanStore;
  tree: PlanTree;
  view: vscode.TreeView<PlanNode>;
  /** The count the Labs view's title shows (undefined: no badge). */
  labsBadge(): number | undefined;
}

export function registerPlans(labs: LabsFeature): PlanFeature {
  const store = new PlanStore(labs.labs);
  const tree = new PlanTree(labs.labs, store);
  const view = vscode.window.createTreeView('vsim.plan', { treeDataProvider: tree, showCollapseAll: true });
  const updateBadge = (): void => {
    const n = store.total();
    labs.view.badge = n ? { value: n, tooltip: `${n} change${n === 1 ? '' : 's'} between the topology files and their hosts (see the Plan view)` } : undefined;
    view.badge = labs.view.badge;
  };
  let plannedOnce = false;
  const planAllOnce = (): void => {
    if (plannedOnce || !vscode.workspace.isTrusted) return;
    plannedOnce = true;
    void labs.labs.ready().then(() => Promise.all(labs.labs.all().filter((e) => e.lab && !store.get(e.uri)?.plan)
      .map((e) => store.plan(e.uri).catch((err: Error) => log().warn(`plan of ${vscode.workspace.asRelativePath(e.uri)}: ${err.message}`)))));
  };
  if (view.visible) planAllOnce();
  const d = vscode.Disposable.from(
    labs.tree.showPlans(store),
    store.onDidChange(updateBadge),
    view.onDidChangeVisibility((e) => e.visible && planAllOnce()),
    view,
    tree,
    store,
  );
  return { store, tree, view, labsBadge: () => labs.view.badge?.value, dispose: () => d.dispose() };
}
