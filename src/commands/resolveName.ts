// Names given to commands by the graph ({ kind, name, uri }) or by tests and keybindings (a bare
// name): which topology file do they mean? The graph says; for a bare name defined in several
// files the active editor's file wins, otherwise the user picks (never silently the first file).
import * as vscode from 'vscode';
import type { Lab } from '../lab/lab';
import type { LabEntry, WorkspaceLabs } from '../workspace/workspaceLabs';

function activeUri(): string | undefined {
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const uri = vscode.window.activeTextEditor?.document.uri ?? (tab instanceof vscode.TabInputCustom || tab instanceof vscode.TabInputText ? tab.uri : undefined);
  return uri?.toString();
}

/** The lab whose `section` defines `name` (in `uri` when given). Throws a message naming what is missing. */
export async function labDefining(labs: WorkspaceLabs, section: 'vms' | 'links', name: string, uri?: vscode.Uri): Promise<{ entry: LabEntry; lab: Lab }> {
  await labs.ready();
  const what = section === 'vms' ? 'VM' : 'link';
  const found = labs.findAll(section, name, uri);
  if (!found.length) {
    const where = uri ? vscode.workspace.asRelativePath(uri) : "the workspace's topologies";
    // A VM the file declares with errors is left out: say why, never drive it.
    const out = (uri ? [labs.get(uri)] : labs.all()).flatMap((e) => (e?.leftOut ?? []).filter((l) => l.section === section && l.name === name).map((l) => ({ e: e!, l })))[0];
    if (out) throw new Error(`The ${what} ${name} in ${vscode.workspace.asRelativePath(out.e.uri)} has errors, so vsim leaves it out until they are fixed: ${out.l.reason}`);
    throw new Error(`No ${what} named ${name} in ${where}${uri && !labs.get(uri)?.lab ? ' (the file has errors)' : ''}.`);
  }
  if (found.length === 1) return found[0]!;
  const active = activeUri();
  const mine = found.find((f) => f.entry.uri.toString() === active);
  if (mine) return mine;
  const picked = await vscode.window.showQuickPick(
    found.map((f) => ({ label: vscode.workspace.asRelativePath(f.entry.uri), f })),
    { title: `${found.length} topology files define the ${what} ${name}`, placeHolder: 'Choose a topology file' },
  );
  if (!picked) throw new vscode.CancellationError();
  return picked.f;
}
