// "SSH into VM": a login shell on the VM's IP with the hypervisor as ProxyJump, in a terminal
// `ssh: VM (HOST)`. Both hops are ssh2 connections of the one pool (its identities and host-key
// policy); `exit` closes the terminal, a failure keeps it open with the reason.
import type { Consoles } from '../../console/consoles';
import type { RemoteTerminal } from '../../console/remoteTerminal';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import { targetCommand } from '../registry';
import { vmTargets } from '../vm/pickVms';

export function sshIntoVm(labs: WorkspaceLabs, consoles: Consoles) {
  return targetCommand(async (call): Promise<RemoteTerminal[]> => {
    const targets = await vmTargets(labs, call, { title: 'SSH into VM', states: ['running'], many: true });
    return targets.map((t, i) => consoles.show('ssh', t, i < targets.length - 1));
  });
}
