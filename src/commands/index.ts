// Registers every command through the one registry.
import * as vscode from 'vscode';
import { registerCommand } from './registry';
import { validateTopology } from './validateTopology';
import { newTopology } from './newTopology';

export function registerCommands(): vscode.Disposable {
  return vscode.Disposable.from(
    registerCommand('vsim.validateTopology', validateTopology),
    registerCommand('vsim.newTopology', newTopology),
  );
}
