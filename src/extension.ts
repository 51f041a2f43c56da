// vsim: wires the features together. Nothing else happens here; nothing remote happens at all.
import type * as vscode from 'vscode';
import { registerCommands } from './commands';
import { disposeLog } from './common/log';
import { registerDiagnostics } from './language/diagnostics';
import { registerDefinedTree } from './tree/definedTree';

export interface VsimApi {
  /** Time activate() took, in milliseconds. */
  readonly activationMs: number;
}

export function activate(context: vscode.ExtensionContext): VsimApi {
  const t0 = performance.now();
  context.subscriptions.push(
    registerDiagnostics(),
    registerCommands(),
    registerDefinedTree(),
    { dispose: disposeLog },
  );
  return { activationMs: performance.now() - t0 };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
