// The Labs tree, as defined in the workspace's topology files: file -> hosts -> VMs.
// (Live state from the hypervisors is layered on by the lab store.)
import * as vscode from 'vscode';
import { analysisOf, TOPOLOGY_GLOB } from '../common/topologyDocuments';
import { Disposable } from '../common/lifecycle';
import type { Topology } from '../model/types';

type Node =
  | { kind: 'file'; uri: vscode.Uri; topology: Topology | undefined; label: string }
  | { kind: 'host'; uri: vscode.Uri; topology: Topology; name: string }
  | { kind: 'vm'; uri: vscode.Uri; topology: Topology; name: string };

export class DefinedTree extends Disposable implements vscode.TreeDataProvider<Node> {
  private readonly changed = this._register(new vscode.EventEmitter<Node | undefined>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor() {
    super();
    const watcher = this._register(vscode.workspace.createFileSystemWatcher(TOPOLOGY_GLOB));
    const fire = () => this.changed.fire(undefined);
    this._register(watcher.onDidCreate(fire));
    this._register(watcher.onDidDelete(fire));
    this._register(watcher.onDidChange(fire));
    this._register(vscode.workspace.onDidSaveTextDocument(fire));
  }

  async getChildren(node?: Node): Promise<Node[]> {
    if (!node) {
      const uris = await vscode.workspace.findFiles(TOPOLOGY_GLOB, '**/node_modules/**');
      uris.sort((a, b) => a.path.localeCompare(b.path));
      const out: Node[] = [];
      for (const uri of uris) {
        const doc = await vscode.workspace.openTextDocument(uri);
        const { topology } = analysisOf(doc);
        out.push({ kind: 'file', uri, topology, label: topology?.name ?? vscode.workspace.asRelativePath(uri) });
      }
      return out;
    }
    if (node.kind === 'file' && node.topology) {
      const t = node.topology;
      return Object.keys(t.hosts ?? {}).map((name) => ({ kind: 'host', uri: node.uri, topology: t, name }));
    }
    if (node.kind === 'host') {
      const vms = Object.entries(node.topology.vms ?? {}).filter(([, vm]) => vm?.host === node.name);
      return vms.map(([name]) => ({ kind: 'vm', uri: node.uri, topology: node.topology, name }));
    }
    return [];
  }

  getTreeItem(node: Node): vscode.TreeItem {
    switch (node.kind) {
      case 'file': {
        const item = new vscode.TreeItem(node.label, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `file:${node.uri.toString()}`;
        item.resourceUri = node.uri;
        item.description = node.topology ? vscode.workspace.asRelativePath(node.uri) : 'has errors';
        item.contextValue = 'topology';
        item.iconPath = new vscode.ThemeIcon('file-code');
        return item;
      }
      case 'host': {
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.Expanded);
        item.id = `host:${node.uri.toString()}#${node.name}`;
        item.contextValue = 'host';
        item.iconPath = new vscode.ThemeIcon('server');
        return item;
      }
      case 'vm': {
        const vm = node.topology.vms?.[node.name];
        const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
        item.id = `vm:${node.uri.toString()}#${node.name}`;
        item.description = [vm?.backend, vm?.arch ?? 'x86_64', ...(vm?.nics ?? []).map((n) => n.ip).filter(Boolean)].join(' · ');
        item.contextValue = 'vm.defined';
        item.iconPath = new vscode.ThemeIcon('vm');
        return item;
      }
    }
  }
}

export function registerDefinedTree(): vscode.Disposable {
  const tree = new DefinedTree();
  return vscode.Disposable.from(tree, vscode.window.createTreeView('vsim.labs', { treeDataProvider: tree, showCollapseAll: true }));
}
