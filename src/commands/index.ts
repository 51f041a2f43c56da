// Registers every command through the one registry.
import * as vscode from 'vscode';
import type { Consoles } from '../console/consoles';
import type { Connections } from '../workspace/connections';
import type { WorkspaceLabs } from '../workspace/workspaceLabs';
import { registerConsoleCommands } from './console';
import { registerServiceCommands } from './service/serviceCommands';
import { connectHost, disconnectHost, refresh } from './host/hostCommands';
import { forgetPassphrases } from './host/forgetPassphrases';
import { newTopology } from './newTopology';
import { registerCommand } from './registry';
import { applyProfile, clearProfile, healLink, partitionLink, showProfile } from './tc/tcCommands';
import { validateTopology } from './validateTopology';
import { copyVmIp } from './vm/copyVmIp';
import { addToTopology, importHostVms } from './vm/addToTopology';
import { LIFECYCLE, lifecycleCommand } from './vm/lifecycle';
import { revealVmDefinition } from './vm/revealVmDefinition';
import { buildImage, cancelBuild } from './build/buildImage';
import { deployHost, deployLabCommand, deploySlot, exportNixos } from './deploy/deployCommands';
import * as state from './state/stateCommands';
import { TcOps } from '../tc/ops';
import { applyLinkProfiles, clearLinkImpairment, impairLink } from './tc/linkCommands';
import { captureTraffic, disposeCaptures, stopCapture } from './capture/captureCommands';
import * as lab from './lab/labCommands';
import type { PlanStore } from '../tree/planStore';

export interface CommandDeps {
  labs: WorkspaceLabs;
  connections: Connections;
  consoles: Consoles;
  /** The plans of the Plan view (lab commands plan again after they run). */
  plans: PlanStore;
}

export function registerCommands({ labs, connections, consoles, plans }: CommandDeps): vscode.Disposable {
  // What the tc commands learn of each host (netem, gact), until the host is disconnected.
  const tc = new TcOps();
  return vscode.Disposable.from(
    registerCommand('vsim.validateTopology', validateTopology),
    registerCommand('vsim.newTopology', newTopology),
    registerCommand('vsim.refresh', refresh(labs)),
    registerCommand('vsim.connectHost', connectHost(labs)),
    registerCommand('vsim.disconnectHost', disconnectHost(labs, connections, tc)),
    registerCommand('vsim.forgetPassphrases', forgetPassphrases(connections)),
    registerCommand('vsim.startVm', lifecycleCommand(labs, LIFECYCLE.start, plans)),
    registerCommand('vsim.stopVm', lifecycleCommand(labs, LIFECYCLE.stop)),
    registerCommand('vsim.restartVm', lifecycleCommand(labs, LIFECYCLE.restart)),
    registerCommand('vsim.destroyVm', lifecycleCommand(labs, LIFECYCLE.destroy)),
    registerCommand('vsim.suspendVm', lifecycleCommand(labs, LIFECYCLE.suspend)),
    registerCommand('vsim.resumeVm', lifecycleCommand(labs, LIFECYCLE.resume)),
    registerCommand('vsim.copyVmIp', copyVmIp(labs)),
    registerCommand('vsim.revealVmDefinition', revealVmDefinition(labs)),
    registerCommand('vsim.addToTopology', addToTopology(labs)),
    registerCommand('vsim.importHostVms', importHostVms(labs)),
    registerConsoleCommands(labs, consoles),
    registerServiceCommands(labs),
    registerCommand('vsim.applyProfile', applyProfile(labs, tc)),
    registerCommand('vsim.showProfile', showProfile(labs, tc)),
    registerCommand('vsim.clearProfile', clearProfile(labs, tc)),
    registerCommand('vsim.partitionLink', partitionLink(labs, tc)),
    registerCommand('vsim.healLink', healLink(labs, tc)),
    registerCommand('vsim.impairLink', impairLink(labs, tc)),
    registerCommand('vsim.applyLinkProfile', applyLinkProfiles(labs, tc)),
    registerCommand('vsim.clearLinkImpairment', clearLinkImpairment(labs, tc)),
    registerCommand('vsim.captureTraffic', captureTraffic(labs)),
    registerCommand('vsim.stopCapture', stopCapture()),
    disposeCaptures(),
    registerCommand('vsim.buildImage', buildImage(labs, connections)),
    registerCommand('vsim.cancelBuild', cancelBuild()),
    registerCommand('vsim.deploySlot', deploySlot(labs, connections)),
    registerCommand('vsim.deployHost', deployHost(labs, connections)),
    registerCommand('vsim.deployLab', deployLabCommand(labs)),
    registerCommand('vsim.exportNixos', exportNixos(labs)),
    registerCommand('vsim.snapshotVm', state.snapshotVm(labs)),
    registerCommand('vsim.listSnapshots', state.listSnapshots(labs)),
    registerCommand('vsim.revertSnapshot', state.revertSnapshot(labs)),
    registerCommand('vsim.deleteSnapshot', state.deleteSnapshot(labs)),
    registerCommand('vsim.saveVm', state.saveVm(labs)),
    registerCommand('vsim.restoreVm', state.restoreVm(labs)),
    registerCommand('vsim.vmStateList', state.vmStateList(labs)),
    registerCommand('vsim.vmStateCreate', state.vmStateCreate(labs)),
    registerCommand('vsim.vmStateSnapshot', state.vmStateSnapshot(labs)),
    registerCommand('vsim.vmStateClone', state.vmStateClone(labs)),
    registerCommand('vsim.vmStateAssign', state.vmStateAssign(labs)),
    registerCommand('vsim.vmStateMigrate', state.vmStateMigrate(labs)),
    registerCommand('vsim.vmStateRestore', state.vmStateRestore(labs)),
    registerCommand('vsim.planLab', lab.planLab({ labs, plans })),
    registerCommand('vsim.applyChange', lab.applyChange({ labs, plans })),
    registerCommand('vsim.applyAll', lab.applyAll({ labs, plans })),
    registerCommand('vsim.labUp', lab.labUp({ labs, plans })),
    registerCommand('vsim.labDown', lab.labDown({ labs, plans })),
    registerCommand('vsim.labDestroy', lab.labDestroy({ labs, plans })),
  );
}
