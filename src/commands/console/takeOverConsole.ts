// "Take Over Console": the VM's console terminal (opened if it has none) attaches with force —
// libvirt `virsh console --force`, a serial socket's holders get SIGTERM (src/backends/serialSocket.ts).
// Asked first, naming the VM, its host and who is disconnected; the VM keeps running.
import type { Consoles } from '../../console/consoles';
import type { RemoteTerminal } from '../../console/remoteTerminal';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import { askConfirmation } from '../confirm';
import { targetCommand } from '../registry';
import { vmTargets } from '../vm/pickVms';

export function takeOverConsole(labs: WorkspaceLabs, consoles: Consoles) {
  return targetCommand(async (call): Promise<RemoteTerminal | undefined> => {
    const [t] = await vmTargets(labs, call, { title: 'Take Over Console', states: ['running', 'paused'], undeclared: true });
    if (!t) return undefined;
    const pty = consoles.find('console', t);
    const holders = pty?.holders ?? [];
    const ok = await askConfirmation(call.options, {
      message: `Take over the console of ${t.vm} on ${t.host}?`,
      lines: [
        ...(holders.length ? holders.map((h) => `Held by ${h}.`) : ['Whoever holds it now (vsim cannot name it: it may be on another machine).']),
        'That session is disconnected; the VM keeps running.',
      ],
      button: 'Take Over',
    });
    if (!ok) return undefined;
    if (!pty) return consoles.show('console', t, call.options.preserveFocus === true, true);
    // Shown without show()'s reconnect of an ended console: that plain attempt would race the forced one.
    if (call.options.preserveFocus !== true) consoles.reveal('console', t);
    await pty.takeOver();
    return pty;
  });
}
