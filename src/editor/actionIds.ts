// The command id each graph action runs: the Labs tree's commands (package.json), nothing else.
// Free of `vscode` so the unit test can compare the graph's menu with package.json's.
import type { ActionCommand } from '../../webview/protocol';
import type { CommandId } from '../commands/ids';

/** The command each remote action of the graph runs. */
export const ACTION_COMMAND_IDS: Record<Exclude<ActionCommand, 'setProfile'>, CommandId> = {
  start: 'vsim.startVm',
  stop: 'vsim.stopVm',
  restart: 'vsim.restartVm',
  destroy: 'vsim.destroyVm',
  suspend: 'vsim.suspendVm',
  resume: 'vsim.resumeVm',
  console: 'vsim.openConsole',
  ssh: 'vsim.sshIntoVm',
  snapshot: 'vsim.snapshotVm',
  build: 'vsim.buildImage',
  applyProfile: 'vsim.applyProfile',
  clearProfile: 'vsim.clearProfile',
  partition: 'vsim.partitionLink',
  heal: 'vsim.healLink',
  impair: 'vsim.impairLink',
  clearImpair: 'vsim.clearLinkImpairment',
  capture: 'vsim.captureTraffic',
};
