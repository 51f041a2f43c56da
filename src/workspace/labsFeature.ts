// The live-lab feature: the SSH connections, the backends, and one Lab per topology file under the
// one refresh policy.
import * as vscode from 'vscode';
import { healthProbe } from '../health/probe';
import type { VmBackend } from '../backends/backend';
import { createBackends } from '../backends';
import type { Backend } from '../model/types';
import { Connections } from './connections';
import { WorkspaceLabs } from './workspaceLabs';

export interface LabsFeature extends vscode.Disposable {
  labs: WorkspaceLabs;
  connections: Connections;
  /** The backends by kind, built once for the labs and the consoles. */
  backends: Partial<Record<Backend, VmBackend>>;
}

export function registerLabs(context: vscode.ExtensionContext): LabsFeature {
  const connections = new Connections(context.secrets);
  const backends = createBackends();
  const labs = new WorkspaceLabs({
    runnerFor: (name, host, topology) => connections.runnerFor(name, host, topology),
    backends,
    trusted: () => vscode.workspace.isTrusted,
    health: healthProbe,
    probeNetworks: true,
  });
  // The welcome text ("no topology") only once the workspace has really been searched.
  void labs.ready().then(() => vscode.commands.executeCommand('setContext', 'vsim.labsLoaded', true));
  const disposable = vscode.Disposable.from(
    vscode.workspace.onDidGrantWorkspaceTrust(() => labs.policy.restart()),
    labs,
    connections,
  );
  return { labs, connections, backends, dispose: () => disposable.dispose() };
}
