// "Open Console": one terminal per selected VM (`console: VM (HOST)`), an existing one is shown.
// Returns the pseudoterminals (tests read what they wrote).
import type { Consoles } from '../../console/consoles';
import type { RemoteTerminal } from '../../console/remoteTerminal';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import { targetCommand } from '../registry';
import { vmTargets } from '../vm/pickVms';

export function openConsole(labs: WorkspaceLabs, consoles: Consoles) {
  return targetCommand(async (call): Promise<RemoteTerminal[]> => {
    const targets = await vmTargets(labs, call, { title: 'Open Console', states: ['running', 'paused'], many: true, undeclared: true });
    // Several at once: the last one gets the focus (none when the caller keeps it, the graph's double-click).
    return targets.map((t, i) => consoles.show('console', t, call.options.preserveFocus === true || i < targets.length - 1));
  });
}
