// Opens the topology file at the VM's definition.
import * as vscode from 'vscode';
import { analysisOf } from '../../common/topologyDocuments';
import { model } from '../../common/model';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import { targetCommand } from '../registry';
import { vmTargets } from './pickVms';

export function revealVmDefinition(labs: WorkspaceLabs) {
  return targetCommand(async (call): Promise<void> => {
    const [t] = await vmTargets(labs, call, { title: 'Open VM Definition' });
    if (!t) return;
    const doc = await vscode.workspace.openTextDocument(t.uri);
    const [start, end] = model().rangeOf(analysisOf(doc).parsed, ['vms', t.vm], 'key');
    const range = new vscode.Range(doc.positionAt(start), doc.positionAt(end));
    await vscode.window.showTextDocument(doc, { selection: range, preserveFocus: true, preview: true });
  });
}
