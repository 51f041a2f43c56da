// The VMs a command acts on: the tree's selection, the clicked VM, a VM named by the graph or a
// caller, or (from the palette) the ones the user picks in a QuickPick.
import * as vscode from 'vscode';
import type { VmState } from '../../backends/backend';
import { isVmNode, type VmNode } from '../../tree/nodes';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import { Notice } from '../notice';
import { labDefining } from '../resolveName';
import { undeclaredIndex } from '../../lab/hostState';
import type { CommandCall } from '../targets';

/**
 * `title`: the action, plainly ("Shut Down VM"); the picker's placeholder asks for the VM(s).
 * `undeclared`: also offer (and find by name) the VMs hosts have that their file does not declare,
 * for commands whose backend capability drives them by name (lifecycle, console, snapshots).
 */
export async function vmTargets(labs: WorkspaceLabs, call: Pick<CommandCall, 'target' | 'selection'>, opts: { title: string; states?: VmState[]; many?: boolean; undeclared?: boolean | 'only' }): Promise<VmNode[]> {
  const withUndeclared = opts.undeclared ?? false;
  if (call.selection.length) return call.selection.filter(isVmNode).filter((n) => withUndeclared || !n.undeclared);
  const t = call.target;
  if (t?.kind === 'named') {
    if (t.is === 'link') throw new Error(`${t.name} is a link, not a VM.`);
    await labs.ready();
    if (withUndeclared && t.is === undefined && !labs.findAll('vms', t.name, t.uri).length) {
      const u = undeclaredNamed(labs, t.name, t.uri);
      if (u.length === 1) return u;
    }
    const found = await labDefining(labs, 'vms', t.name, t.uri);
    const vm = found.lab.current.vms?.[t.name];
    return [{ kind: 'vm', uri: found.entry.uri, host: vm?.host ?? '', vm: t.name }];
  }
  if (t?.kind === 'vm') {
    if (t.undeclared && !withUndeclared) throw new Error(`${t.vm} on ${t.host} is not in the topology: add it to the file first.`);
    return [t];
  }
  await labs.ready();
  const items: (vscode.QuickPickItem & { node: VmNode })[] = [];
  for (const e of labs.all()) {
    if (!e.lab) continue;
    for (const [name, vm] of Object.entries(e.lab.current.vms ?? {})) {
      const state = e.lab.host(vm.host).vms[name]?.state ?? 'unknown';
      if (opts.states && state !== 'unknown' && !opts.states.includes(state)) continue;
      if (opts.undeclared === 'only') break;
      items.push({ label: name, description: `${state} · ${vm.host} · ${vm.backend}`, detail: vscode.workspace.asRelativePath(e.uri), node: { kind: 'vm', uri: e.uri, host: vm.host, vm: name } });
    }
    if (!withUndeclared) continue;
    for (const host of e.lab.hostNames()) {
      for (const u of undeclaredIndex(e.lab.host(host)).rows) {
        if (opts.states && u.status.state !== 'unknown' && !opts.states.includes(u.status.state)) continue;
        items.push({ label: u.name, description: `not in topology · ${u.status.detail ?? u.status.state} · ${host} · ${u.backend}`, detail: vscode.workspace.asRelativePath(e.uri),
          node: { kind: 'vm', uri: e.uri, host, vm: u.name, undeclared: true } });
      }
    }
  }
  if (!items.length) throw new Notice(opts.undeclared === 'only' ? 'No VM outside the topology to choose from: the hosts list none (refresh them).' : 'No VM to choose from: open a folder with a *.vsim.yaml topology.');
  const picked = await vscode.window.showQuickPick(items, { title: opts.title, placeHolder: opts.many ? 'Choose one or more VMs' : 'Choose a VM', canPickMany: opts.many ?? false, matchOnDescription: true });
  if (!picked) throw new vscode.CancellationError();
  return (Array.isArray(picked) ? picked : [picked]).map((p) => p.node);
}

/** The undeclared VMs called `name` on the hosts of the labs (of `uri` when given), as tree nodes. */
export function undeclaredNamed(labs: WorkspaceLabs, name: string, uri?: vscode.Uri): VmNode[] {
  const out: VmNode[] = [];
  for (const e of labs.all()) {
    if (!e.lab || (uri && e.uri.toString() !== uri.toString())) continue;
    for (const host of e.lab.hostNames()) {
      if (undeclaredIndex(e.lab.host(host)).byName.has(name)) out.push({ kind: 'vm', uri: e.uri, host, vm: name, undeclared: true });
    }
  }
  return out;
}

/** No target: what the palette and the terminal profile pass. */
export const NO_TARGET: Pick<CommandCall, 'target' | 'selection'> = { target: undefined, selection: [] };
