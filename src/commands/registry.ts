// One command registry: id -> handler, with error reporting and logging in one place.
import * as vscode from 'vscode';
import type { CommandId } from './ids';
import { log } from '../common/log';

export type Handler = (...args: unknown[]) => unknown;

export function registerCommand(id: CommandId, handler: Handler): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await handler(...args);
    } catch (err) {
      if (err instanceof vscode.CancellationError) return undefined;
      const message = err instanceof Error ? err.message : String(err);
      log().error(`${id}: ${message}`);
      void vscode.window.showErrorMessage(`vsim: ${message}`);
      return undefined;
    }
  });
}
