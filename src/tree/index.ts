// The Labs view: the tree of the workspace's labs, shown while its view is visible (a viewer for
// the one refresh policy).
import * as vscode from 'vscode';
import type { LazyView } from '../activation/ports';
import type { WorkspaceLabs } from '../workspace/workspaceLabs';
import { LabTree } from './labTree';
import type { LabNode } from './nodes';

export interface LabTreeFeature extends vscode.Disposable {
  view: vscode.TreeView<unknown>;
  tree: LabTree;
}

/** Attaches the Labs tree to its view (created at activation, src/activation/ports.ts). */
export function registerLabTree(labs: WorkspaceLabs, { view, provider }: LazyView): LabTreeFeature {
  const tree = new LabTree(labs, () => !vscode.workspace.isTrusted);
  labs.policy.setVisible(view.visible);
  const disposable = vscode.Disposable.from(
    view.onDidChangeVisibility((e) => labs.policy.setVisible(e.visible)),
    // A closed Networks node's counters are not polled (opening it marks it shown: networksTree.ts).
    view.onDidCollapseElement((e) => {
      const n = e.element as LabNode;
      if (n.kind === 'networks') labs.get(n.uri)?.lab?.setNetworksShown(n.host, false);
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => tree.refresh()),
    provider.attach(tree as vscode.TreeDataProvider<unknown>),
    tree,
  );
  return { tree, view, dispose: () => disposable.dispose() };
}
