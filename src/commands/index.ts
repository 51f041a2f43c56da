// Registers every command through the one registry.
import * as vscode from 'vscode';
import type { Connections } from '../session/connections';
import type { WorkspaceLabs } from '../session/workspaceLabs';
import { connectHost, disconnectHost, refresh } from './host/hostCommands';
import { newTopology } from './newTopology';
import { registerCommand } from './registry';
import { applyProfile, clearProfile, healLink, partitionLink, showProfile } from './tc/tcCommands';
import { validateTopology } from './validateTopology';
import { copyVmIp } from './vm/copyVmIp';
import { LIFECYCLE, lifecycleCommand } from './vm/lifecycle';
import { revealVmDefinition } from './vm/revealVmDefinition';

export interface CommandDeps {
  labs: WorkspaceLabs;
  connections: Connections;
}

export function registerCommands({ labs, connections }: CommandDeps): vscode.Disposable {
  return vscode.Disposable.from(
    registerCommand('vsim.validateTopology', validateTopology),
    registerCommand('vsim.newTopology', newTopology),
    registerCommand('vsim.refresh', refresh(labs)),
    registerCommand('vsim.connectHost', connectHost(labs)),
    registerCommand('vsim.disconnectHost', disconnectHost(labs, connections)),
    registerCommand('vsim.startVm', lifecycleCommand(labs, LIFECYCLE.start)),
    registerCommand('vsim.stopVm', lifecycleCommand(labs, LIFECYCLE.stop)),
    registerCommand('vsim.restartVm', lifecycleCommand(labs, LIFECYCLE.restart)),
    registerCommand('vsim.destroyVm', lifecycleCommand(labs, LIFECYCLE.destroy)),
    registerCommand('vsim.suspendVm', lifecycleCommand(labs, LIFECYCLE.suspend)),
    registerCommand('vsim.resumeVm', lifecycleCommand(labs, LIFECYCLE.resume)),
    registerCommand('vsim.copyVmIp', copyVmIp(labs)),
    registerCommand('vsim.revealVmDefinition', revealVmDefinition(labs)),
    registerCommand('vsim.applyProfile', applyProfile(labs, connections)),
    registerCommand('vsim.showProfile', showProfile(labs, connections)),
    registerCommand('vsim.clearProfile', clearProfile(labs, connections)),
    registerCommand('vsim.partitionLink', partitionLink(labs, connections)),
    registerCommand('vsim.healLink', healLink(labs, connections)),
  );
}
