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
import { buildImage, cancelBuild } from './build/buildImage';
import { deployHost, deploySlot, exportNixos } from './deploy/deployCommands';
import * as state from './state/stateCommands';
import * as lab from './lab/labCommands';
import type { PlanStore } from '../tree/planStore';

export interface CommandDeps {
  labs: WorkspaceLabs;
  connections: Connections;
  /** The plans of the Plan view (lab commands plan again after they run). */
  plans: PlanStore;
}

export function registerCommands({ labs, connections, plans }: CommandDeps): vscode.Disposable {
  return vscode.Disposable.from(
    registerCommand('vsim.validateTopology', validateTopology),
    registerCommand('vsim.newTopology', newTopology),
    registerCommand('vsim.refresh', refresh(labs)),
    registerCommand('vsim.connectHost', connectHost(labs)),
    registerCommand('vsim.disconnectHost', disconnectHost(labs, connections)),
    registerCommand('vsim.startVm', lifecycleCommand(labs, LIFECYCLE.start, plans)),
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
    registerCommand('vsim.buildImage', buildImage(labs, connections)),
    registerCommand('vsim.cancelBuild', cancelBuild()),
    registerCommand('vsim.deploySlot', deploySlot(labs, connections)),
    registerCommand('vsim.deployHost', deployHost(labs, connections)),
    registerCommand('vsim.exportNixos', exportNixos(labs)),
    registerCommand('vsim.snapshotVm', state.snapshotVm(labs, connections)),
    registerCommand('vsim.listSnapshots', state.listSnapshots(labs, connections)),
    registerCommand('vsim.revertSnapshot', state.revertSnapshot(labs, connections)),
    registerCommand('vsim.deleteSnapshot', state.deleteSnapshot(labs, connections)),
    registerCommand('vsim.saveVm', state.saveVm(labs, connections)),
    registerCommand('vsim.restoreVm', state.restoreVm(labs, connections)),
    registerCommand('vsim.vmStateList', state.vmStateList(labs, connections)),
    registerCommand('vsim.vmStateCreate', state.vmStateCreate(labs, connections)),
    registerCommand('vsim.vmStateSnapshot', state.vmStateSnapshot(labs, connections)),
    registerCommand('vsim.vmStateClone', state.vmStateClone(labs, connections)),
    registerCommand('vsim.vmStateAssign', state.vmStateAssign(labs, connections)),
    registerCommand('vsim.vmStateMigrate', state.vmStateMigrate(labs, connections)),
    registerCommand('vsim.vmStateRestore', state.vmStateRestore(labs, connections)),
    registerCommand('vsim.planLab', lab.planLab({ labs, plans })),
    registerCommand('vsim.applyChange', lab.applyChange({ labs, plans })),
    registerCommand('vsim.applyAll', lab.applyAll({ labs, plans })),
    registerCommand('vsim.labUp', lab.labUp({ labs, plans })),
    registerCommand('vsim.labDown', lab.labDown({ labs, plans })),
    registerCommand('vsim.labDestroy', lab.labDestroy({ labs, plans })),
  );
}
