// The Labs view: the tree of the workspace's labs, shown while its view is visible (a viewer for
// the one refresh policy).
import * as vscode from 'vscode';
import type { WorkspaceLabs } from '../workspace/workspaceLabs';
import { LabTree } from './labTree';

export interface LabTreeFeature extends vscode.Disposable {
  view: vscode.TreeView<unknown>;
  tree: LabTree;
}

export function registerLabTree(labs: WorkspaceLabs): LabTreeFeature {
  const tree = new LabTree(labs, () => !vscode.workspace.isTrusted);
  const view = vscode.window.createTreeView('vsim.labs', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  labs.policy.setVisible(view.visible);
  const disposable = vscode.Disposable.from(
    view.onDidChangeVisibility((e) => labs.policy.setVisible(e.visible)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => tree.refresh()),
    view,
    tree,
  );
  return { tree, view: view as vscode.TreeView<unknown>, dispose: () => disposable.dispose() };
}
