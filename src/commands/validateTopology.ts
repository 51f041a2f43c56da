// vsim.validateTopology: check every topology file in the workspace and say what was found.
import * as vscode from 'vscode';
import { analysisOf, TOPOLOGY_GLOB } from '../common/topologyDocuments';

export async function validateTopology(): Promise<{ files: number; errors: number; warnings: number }> {
  const uris = await vscode.workspace.findFiles(TOPOLOGY_GLOB, '**/node_modules/**');
  let errors = 0;
  let warnings = 0;
  for (const uri of uris) {
    const doc = await vscode.workspace.openTextDocument(uri);
    for (const p of analysisOf(doc).problems) {
      if (p.severity === 'error') errors++;
      else if (p.severity === 'warning') warnings++;
    }
  }
  const summary = `vsim: ${uris.length} topology file${uris.length === 1 ? '' : 's'} checked: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}.`;
  if (errors) {
    void vscode.window.showWarningMessage(summary, 'Show Problems').then((a) => a && vscode.commands.executeCommand('workbench.actions.view.problems'));
  } else {
    void vscode.window.showInformationMessage(summary);
  }
  return { files: uris.length, errors, warnings };
}
