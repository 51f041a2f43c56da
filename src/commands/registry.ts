// One command registry: id -> handler, with error reporting and logging in one place: an Error is
// an error message, a Notice (./notice.ts) an information message, a cancellation nothing.
import * as vscode from 'vscode';
import type { CommandId } from './ids';
import { describeTarget, resolveTargets, type CommandCall, type Target } from './targets';
import { log } from '../common/log';
import { Notice } from './notice';

export type Handler = (...args: unknown[]) => unknown;

export function registerCommand(id: CommandId, handler: Handler): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    // What the user did, at info (the internal vsim._* hooks, which tests and the graph call often, at debug).
    const what = `${id}${describeArgs(args)}`;
    const level = id.startsWith('vsim._') ? 'debug' : 'info';
    const t0 = performance.now();
    try {
      const result = await handler(...args);
      log()[level](`${what}: done in ${Math.round(performance.now() - t0)} ms`);
      return result;
    } catch (err) {
      if (err instanceof vscode.CancellationError) {
        log()[level](`${what}: cancelled`);
        return undefined;
      }
      if (err instanceof Notice) {
        log().info(`${what}: ${err.message}`);
        void vscode.window.showInformationMessage(`vsim: ${err.message}`);
        return undefined;
      }
      const message = err instanceof Error ? err.message : String(err);
      log().error(`${what}: ${message}`);
      void vscode.window.showErrorMessage(`vsim: ${message}`);
      return undefined;
    }
  });
}

/** The target of a call for the log (` storage on vsim-hv1`), or nothing. */
function describeArgs(args: unknown[]): string {
  const call = resolveTargets(args, (x): x is vscode.Uri => x instanceof vscode.Uri);
  const t = describeTarget(call.target);
  const n = call.selection.length;
  return `${t ? ` ${t}` : ''}${n > 1 ? ` (+${n - 1} selected)` : ''}`;
}

/** A handler that takes the command's arguments read once (src/commands/targets.ts) instead of guessing them. */
export function targetCommand<T>(handler: (call: CommandCall) => Promise<T>): (...args: unknown[]) => Promise<T> {
  return (...args) => handler(resolveTargets(args, (x): x is vscode.Uri => x instanceof vscode.Uri));
}

/** The target a single argument names (a tree node, the graph's { kind, name, uri }, a bare name, a file), read as targetCommand reads it. */
export function targetOf(arg: unknown): Target | undefined {
  return resolveTargets([arg], (x): x is vscode.Uri => x instanceof vscode.Uri).target;
}
