// One command registry: id -> handler, with error reporting and logging in one place: an Error is
// an error message, a Notice (./notice.ts) an information message, a cancellation nothing.
import * as vscode from 'vscode';
import type { CommandId } from './ids';
import { resolveTargets, type CommandCall, type Target } from './targets';
import { log } from '../common/log';
import { Notice } from './notice';

export type Handler = (...args: unknown[]) => unknown;

export function registerCommand(id: CommandId, handler: Handler): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await handler(...args);
    } catch (err) {
      if (err instanceof vscode.CancellationError) return undefined;
      if (err instanceof Notice) {
        log().info(`${id}: ${err.message}`);
        void vscode.window.showInformationMessage(`vsim: ${err.message}`);
        return undefined;
      }
      const message = err instanceof Error ? err.message : String(err);
      log().error(`${id}: ${message}`);
      void vscode.window.showErrorMessage(`vsim: ${message}`);
      return undefined;
    }
  });
}

/** A handler that takes the command's arguments read once (src/commands/targets.ts) instead of guessing them. */
export function targetCommand<T>(handler: (call: CommandCall) => Promise<T>): (...args: unknown[]) => Promise<T> {
  return (...args) => handler(resolveTargets(args, (x): x is vscode.Uri => x instanceof vscode.Uri));
}

/** The target a single argument names (a tree node, the graph's { kind, name, uri }, a bare name, a file), read as targetCommand reads it. */
export function targetOf(arg: unknown): Target | undefined {
  return resolveTargets([arg], (x): x is vscode.Uri => x instanceof vscode.Uri).target;
}
