// The VM details feature: the pages and the "Show VM Details" command (a VM of the tree, the graph
// or the palette's picker).
import * as vscode from 'vscode';
import { registerCommand, targetCommand } from '../commands/registry';
import { vmTargets } from '../commands/vm/pickVms';
import type { WorkspaceLabs } from '../workspace/workspaceLabs';
import { VmDetailsPages } from './panel';

export function registerVmDetails(context: vscode.ExtensionContext, labs: WorkspaceLabs): vscode.Disposable & { pages: VmDetailsPages } {
  const pages = new VmDetailsPages(context.extensionUri, labs);
  const disposable = vscode.Disposable.from(
    pages,
    registerCommand('vsim.showVmDetails', targetCommand(async (call) => {
      const [t] = await vmTargets(labs, call, { title: 'Show VM Details', undeclared: true });
      if (!t) return undefined;
      pages.show({ uri: t.uri, host: t.host, vm: t.vm, ...(t.undeclared ? { undeclared: true } : {}) });
      return t.vm;
    })),
    registerCommand('vsim._vmDetails.stats', () => pages.stats()),
  );
  return { pages, dispose: () => disposable.dispose() };
}
