// Commands take (node?, nodes?): from a context menu they get the clicked VM and the selection;
// from the palette they ask which VM(s) with a QuickPick.
import * as vscode from 'vscode';
import type { VmState } from '../../backends/backend';
import { isVmNode, type VmNode } from '../../tree/nodes';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import { isGraphTarget, labDefining } from '../resolveName';

export async function vmTargets(labs: WorkspaceLabs, node: unknown, nodes: unknown, opts: { title: string; states?: VmState[]; many?: boolean }): Promise<VmNode[]> {
  if (Array.isArray(nodes) && nodes.length > 1) return nodes.filter(isVmNode);
  if (isGraphTarget(node) || typeof node === 'string') {
    // From the graph ({ kind: 'vm', name, uri }) or a bare name (tests, keybindings).
    const name = typeof node === 'string' ? node : node.name;
    if (typeof node !== 'string' && node.kind !== 'vm') throw new Error(`${node.name} is a link, not a VM.`);
    const found = await labDefining(labs, 'vms', name, typeof node === 'string' ? undefined : node.uri);
    const vm = found.lab.current.vms?.[name];
    return [{ kind: 'vm', uri: found.entry.uri, host: vm?.host ?? '', vm: name }];
  }
  if (isVmNode(node)) return [node];
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
