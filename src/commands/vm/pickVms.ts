// The VMs a command acts on: the tree's selection, the clicked VM, a VM named by the graph or a
// caller, or (from the palette) the ones the user picks in a QuickPick.
import * as vscode from 'vscode';
import type { VmState } from '../../backends/backend';
import { isVmNode, type VmNode } from '../../tree/nodes';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import { labDefining } from '../resolveName';
import type { CommandCall } from '../targets';

export async function vmTargets(labs: WorkspaceLabs, call: Pick<CommandCall, 'target' | 'selection'>, opts: { title: string; states?: VmState[]; many?: boolean }): Promise<VmNode[]> {
  if (call.selection.length) return call.selection.filter(isVmNode);
  const t = call.target;
  if (t?.kind === 'named') {
    if (t.is === 'link') throw new Error(`${t.name} is a link, not a VM.`);
    const found = await labDefining(labs, 'vms', t.name, t.uri);
    const vm = found.lab.current.vms?.[t.name];
    return [{ kind: 'vm', uri: found.entry.uri, host: vm?.host ?? '', vm: t.name }];
  }
  if (t?.kind === 'vm') return [t];
  await labs.ready();
  const items: (vscode.QuickPickItem & { node: VmNode })[] = [];
  for (const e of labs.all()) {
    if (!e.lab) continue;
    for (const [name, vm] of Object.entries(e.lab.current.vms ?? {})) {
      const state = e.lab.host(vm.host).vms[name]?.state ?? 'unknown';
      if (opts.states && state !== 'unknown' && !opts.states.includes(state)) continue;
      items.push({ label: name, description: `${state} · ${vm.host} · ${vm.backend}`, detail: vscode.workspace.asRelativePath(e.uri), node: { kind: 'vm', uri: e.uri, host: vm.host, vm: name } });
    }
  }
  if (!items.length) throw new Error('No VM to choose from: open a folder with a *.vsim.yaml topology.');
  const picked = await vscode.window.showQuickPick(items, { title: opts.title, canPickMany: opts.many ?? false, matchOnDescription: true });
  if (!picked) throw new vscode.CancellationError();
  return (Array.isArray(picked) ? picked : [picked]).map((p) => p.node);
}

/** No target: what the palette and the terminal profile pass. */
export const NO_TARGET: Pick<CommandCall, 'target' | 'selection'> = { target: undefined, selection: [] };
