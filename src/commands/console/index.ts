// The console commands and the "vsim: VM Console" terminal profile, over the console feature's terminals.
import * as vscode from 'vscode';
import { Consoles } from '../../console/consoles';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import { registerCommand } from '../registry';
import { NO_TARGET, vmTargets } from '../vm/pickVms';
import { openConsole } from './openConsole';
import { showVmLog } from './showVmLog';
import { sshIntoVm } from './sshIntoVm';
import { takeOverConsole } from './takeOverConsole';
import { BOOT_LOG_SCHEME, BootLogDocuments, showBootLog } from './showBootLog';
import { watchBoot } from './watchBoot';
import { showConsoleTranscript } from './showTranscript';

export function registerConsoleCommands(labs: WorkspaceLabs, consoles: Consoles): vscode.Disposable {
  const bootLogs = new BootLogDocuments();
  return vscode.Disposable.from(
    registerCommand('vsim.openConsole', openConsole(labs, consoles)),
    registerCommand('vsim.sshIntoVm', sshIntoVm(labs, consoles)),
    registerCommand('vsim.showVmLog', showVmLog(labs, consoles)),
    registerCommand('vsim.takeOverConsole', takeOverConsole(labs, consoles)),
    registerCommand('vsim.showBootLog', showBootLog(labs, consoles, bootLogs)),
    registerCommand('vsim.watchBoot', watchBoot(labs, consoles)),
    registerCommand('vsim.showConsoleTranscript', showConsoleTranscript(labs, consoles)),
    vscode.workspace.registerTextDocumentContentProvider(BOOT_LOG_SCHEME, bootLogs),
    bootLogs,
  );
}

/** The "vsim: VM Console" profile (registered at activation, src/activation/ports.ts): asks which VM, opens its console. */
export function consoleProfileProvider(labs: WorkspaceLabs, consoles: Consoles): vscode.TerminalProfileProvider {
  return {
    async provideTerminalProfile() {
      const [t] = await vmTargets(labs, NO_TARGET, { title: 'Open Console', states: ['running', 'paused'], undeclared: true });
      if (!t) return undefined;
      // One console per VM: its open terminal is shown instead of a second one.
      if (consoles.reveal('console', t)) return undefined;
      return new vscode.TerminalProfile({ name: Consoles.terminalName('console', t), pty: consoles.create('console', t), iconPath: new vscode.ThemeIcon('terminal') });
    },
  };
}
