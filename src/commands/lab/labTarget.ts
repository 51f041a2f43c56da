// Which lab (and which of its hosts) a lab command is about: the Labs tree's file or host item,
// the Plan view's file / host / change, the graph's document ({ uri }), a Uri (tests), or — from
// the palette or a view title — the one lab of the workspace, else the user picks the file.
import * as vscode from 'vscode';
import type { Lab } from '../../lab/lab';
import { UNTRUSTED } from '../../lab/lab';
import type { LabEntry, WorkspaceLabs } from '../../workspace/workspaceLabs';
import { isPlanNode } from '../../tree/planTree';

export interface LabTarget {
  entry: LabEntry;
  lab: Lab;
  /** Limited to these hosts (a host item); undefined: the whole lab. */
  hosts?: string[];
  /** A single change (a Plan view change item). */
  changeId?: string;
}

/** Options a caller passes explicitly as the third argument (tests, the graph after its own prompt). */
export interface LabCommandOptions {
  /** The caller already confirmed: no modal. */
  confirmed?: boolean;
  /** Answers the confirmation instead of the modal (tests read exactly what a user would confirm). */
  confirm?(c: { message: string; lines: string[]; button: string }): boolean | Promise<boolean>;
  /** Limit to these hosts. */
  hosts?: string[];
}

export function labOptions(x: unknown): LabCommandOptions {
  if (!x || typeof x !== 'object' || x instanceof vscode.Uri) return {};
  const o = x as Record<string, unknown>;
  return {
    ...(o.confirmed === true ? { confirmed: true } : {}),
    ...(typeof o.confirm === 'function' ? { confirm: o.confirm as LabCommandOptions['confirm'] } : {}),
    ...(Array.isArray(o.hosts) && o.hosts.every((h) => typeof h === 'string') ? { hosts: o.hosts as string[] } : {}),
  };
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

export async function labTarget(labs: WorkspaceLabs, node: unknown, title: string): Promise<LabTarget> {
  await labs.ready();
  if (node instanceof vscode.Uri) return entryFor(labs, node);
  if (node && typeof node === 'object') {
    const n = node as { kind?: unknown; uri?: unknown; host?: unknown; id?: unknown };
    if (n.uri instanceof vscode.Uri) {
      const found = entryFor(labs, n.uri);
      if (isPlanNode(node) && node.kind === 'plan-change') return { ...found, hosts: [node.host], changeId: node.id };
      if (typeof n.host === 'string' && (n.kind === 'host' || n.kind === 'plan-host')) return { ...found, hosts: [n.host] };
      return found;
    }
  }
  const all = labs.all().filter((e) => e.lab);
  if (!all.length) throw new Error('No topology in this workspace: open a folder with a *.vsim.yaml file.');
  if (all.length === 1) return entryFor(labs, all[0]!.uri);
  const active = vscode.window.activeTextEditor?.document.uri.toString();
  const items = all.map((e) => ({ label: e.lab!.current.name ?? vscode.workspace.asRelativePath(e.uri), description: vscode.workspace.asRelativePath(e.uri), uri: e.uri }))
    .sort((a, b) => Number(b.uri.toString() === active) - Number(a.uri.toString() === active));
  const picked = await vscode.window.showQuickPick(items, { title });
  if (!picked) throw new vscode.CancellationError();
  return entryFor(labs, picked.uri);
}

export function labName(t: LabTarget): string {
  return t.lab.current.name ?? vscode.workspace.asRelativePath(t.entry.uri);
}
