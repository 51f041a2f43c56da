// The console feature: VM serial consoles and SSH logins as terminals, their commands and the
// "vsim: VM Console" terminal profile.
import * as vscode from 'vscode';
import { openConsole } from '../commands/console/openConsole';
import { sshIntoVm } from '../commands/console/sshIntoVm';
import { registerCommand } from '../commands/registry';
import { vmTargets } from '../commands/vm/pickVms';
import type { LabsFeature } from '../workspace/labsFeature';
import { extensionBackends } from '../workspace/backends';
import { Consoles } from './consoles';

export const CONSOLE_PROFILE_ID = 'vsim.console';

export function registerConsoles({ labs, connections }: Pick<LabsFeature, 'labs' | 'connections'>): vscode.Disposable {
  let backends: ReturnType<typeof extensionBackends> | undefined;
  const consoles = new Consoles(labs, connections, () => (backends ??= extensionBackends()));
  return vscode.Disposable.from(
    consoles,
    registerCommand('vsim.openConsole', openConsole(labs, consoles)),
    registerCommand('vsim.sshIntoVm', sshIntoVm(labs, consoles)),
    vscode.window.registerTerminalProfileProvider(CONSOLE_PROFILE_ID, {
      async provideTerminalProfile() {
        const [t] = await vmTargets(labs, undefined, undefined, { title: 'Open the console of which VM?', states: ['running', 'paused'] });
        if (!t) return undefined;
        return new vscode.TerminalProfile({ name: Consoles.terminalName('console', t), pty: consoles.create('console', t), iconPath: new vscode.ThemeIcon('terminal') });
      },
    }),
  );
}
