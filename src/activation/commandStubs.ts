// Every command package.json contributes, registered at activation as a stub: the first call loads
// the features (which register the real handlers under the same ids) and runs the real command.
import * as vscode from 'vscode';

/** The command ids in the extension's manifest (contributes.commands). */
export function contributedCommands(extension: vscode.Extension<unknown>): string[] {
  const commands = (extension.packageJSON as { contributes?: { commands?: { command: string }[] } }).contributes?.commands ?? [];
  return commands.map((c) => c.command);
}

/** Registers the stubs; load() must dispose them before the real commands are registered. */
export function registerCommandStubs(ids: readonly string[], load: () => void): vscode.Disposable {
  return vscode.Disposable.from(...ids.map((id) => vscode.commands.registerCommand(id, (...args: unknown[]) => {
    load();
    return vscode.commands.executeCommand(id, ...args);
  })));
}
