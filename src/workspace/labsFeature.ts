// The live-lab feature: connections, one Lab per topology file, the Labs tree and its refresh policy.
import * as vscode from 'vscode';
import { Connections } from './connections';
import { extensionBackends } from './backends';
import { WorkspaceLabs } from './workspaceLabs';
import { LabTree } from '../tree/labTree';

export interface LabsFeature extends vscode.Disposable {
  labs: WorkspaceLabs;
  connections: Connections;
  view: vscode.TreeView<unknown>;
  tree: LabTree;
}

export function registerLabs(context: vscode.ExtensionContext): LabsFeature {
  const connections = new Connections(context.secrets);
  const labs = new WorkspaceLabs({
    runnerFor: (name, host, topology) => connections.runnerFor(name, host, topology),
    backends: extensionBackends(),
    trusted: () => vscode.workspace.isTrusted,
  });
  const tree = new LabTree(labs, () => !vscode.workspace.isTrusted);
  const view = vscode.window.createTreeView('vsim.labs', { treeDataProvider: tree, showCollapseAll: true, canSelectMany: true });
  // The welcome text ("no topology") only once the workspace has really been searched.
  void labs.ready().then(() => vscode.commands.executeCommand('setContext', 'vsim.labsLoaded', true));
  // The one refresh policy: live work only while the tree is visible.
  labs.policy.setVisible(view.visible);
  const disposable = vscode.Disposable.from(
    view.onDidChangeVisibility((e) => labs.policy.setVisible(e.visible)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      tree.refresh();
      labs.policy.restart();
    }),
    view,
    tree,
    labs,
    connections,
  );
  return { labs, connections, tree, view: view as vscode.TreeView<unknown>, dispose: () => disposable.dispose() };
}
