// "Show Log": the VM's followed log where its backend keeps one apart from the console (microvm:
// the unit's journal), read-only in a terminal `log: VM (HOST)`; an existing one is shown.
import type { Consoles } from '../../console/consoles';
import type { RemoteTerminal } from '../../console/remoteTerminal';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import { targetCommand } from '../registry';
import { vmTargets } from '../vm/pickVms';

export function showVmLog(labs: WorkspaceLabs, consoles: Consoles) {
  return targetCommand(async (call): Promise<RemoteTerminal[]> => {
    const targets = await vmTargets(labs, call, { title: 'Show VM Log', many: true });
    return targets.map((t, i) => consoles.show('log', t, i < targets.length - 1));
  });
}
