// Every vsim command id, as a typed union (package.json contributes the same ids).
export type CommandId =
  | 'vsim.validateTopology'
  | 'vsim.newTopology'
  | 'vsim.refresh'
  | 'vsim.connectHost'
  | 'vsim.disconnectHost'
  | 'vsim.startVm'
  | 'vsim.stopVm'
  | 'vsim.restartVm'
  | 'vsim.destroyVm'
  | 'vsim.suspendVm'
  | 'vsim.resumeVm'
  | 'vsim.copyVmIp'
  | 'vsim.revealVmDefinition'
  | 'vsim.openConsole'
  | 'vsim.sshIntoVm';
