// The features load with the first topology document: one already open at activation (after
// activate() returns) or the next one opened.
import * as vscode from 'vscode';
import { isTopologyDocument } from '../common/topologyFiles';

export function onFirstTopologyDocument(load: () => void): vscode.Disposable {
  if (vscode.workspace.textDocuments.some(isTopologyDocument)) {
    const t = setImmediate(load);
    return { dispose: () => clearImmediate(t) };
  }
  const sub = vscode.workspace.onDidOpenTextDocument((doc) => {
    if (!isTopologyDocument(doc)) return;
    sub.dispose();
    load();
  });
  return sub;
}
