// Which lab (and which of its hosts) a lab command is about, from the registry's typed target
// (src/commands/targets.ts): a file or host (the Labs tree's or the Plan view's rows), a Plan view
// change, a VM or slot (its file), the graph's document (a Uri: a file), or — from the palette or
// a view title — the one lab of the workspace, else the user picks the file.
import * as vscode from 'vscode';
import type { Lab } from '../../lab/lab';
import { UNTRUSTED } from '../../lab/lab';
import type { LabEntry, WorkspaceLabs } from '../../workspace/workspaceLabs';
import { Notice } from '../notice';
import type { Target } from '../targets';

export interface LabTarget {
  entry: LabEntry;
  lab: Lab;
  /** Limited to these hosts (a host item); undefined: the whole lab. */
  hosts?: string[];
  /** A single change (a Plan view change item). */
  changeId?: string;
}

/** Refuses in an untrusted workspace, with the Lab's own words. */
export function requireTrust(): void {
  if (!vscode.workspace.isTrusted) throw new Error(UNTRUSTED);
}

function entryFor(labs: WorkspaceLabs, uri: vscode.Uri): { entry: LabEntry; lab: Lab } {
  const entry = labs.get(uri);
  if (!entry) throw new Error(`${vscode.workspace.asRelativePath(uri)} is not a topology file of this workspace.`);
  if (!entry.lab) throw new Error(`${vscode.workspace.asRelativePath(uri)} has errors and no valid version yet: fix them first.`);
  if (entry.errors) throw new Error(`${vscode.workspace.asRelativePath(uri)} has ${entry.errors} error${entry.errors > 1 ? 's' : ''} (${entry.firstError ?? 'see Problems'}): a topology that does not validate is never applied.`);
  return { entry, lab: entry.lab };
}

export async function labTarget(labs: WorkspaceLabs, target: Target | undefined, title: string): Promise<LabTarget> {
  await labs.ready();
  if (target && target.kind !== 'named') {
    const found = entryFor(labs, target.uri);
    if (target.kind === 'plan-change') return { ...found, hosts: [target.host], changeId: target.id };
    if (target.kind === 'host') return { ...found, hosts: [target.host] };
    return found;
  }
  if (target?.uri) return entryFor(labs, target.uri);
  const all = labs.all().filter((e) => e.lab);
  if (!all.length) throw new Notice('No topology in this workspace: open a folder with a *.vsim.yaml file.');
  if (all.length === 1) return entryFor(labs, all[0]!.uri);
  const active = vscode.window.activeTextEditor?.document.uri.toString();
  const items = all.map((e) => ({ label: e.lab!.current.name ?? vscode.workspace.asRelativePath(e.uri), description: vscode.workspace.asRelativePath(e.uri), uri: e.uri }))
    .sort((a, b) => Number(b.uri.toString() === active) - Number(a.uri.toString() === active));
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Choose a topology file' });
  if (!picked) throw new vscode.CancellationError();
  return entryFor(labs, picked.uri);
}

export function labName(t: LabTarget): string {
  return t.lab.current.name ?? vscode.workspace.asRelativePath(t.entry.uri);
}
