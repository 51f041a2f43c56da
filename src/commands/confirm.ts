// The one confirmation of destructive commands: a modal naming what will be touched, unless the
// caller said so explicitly — `confirmed` (it already asked, or runs unattended) or `confirm` (it
// answers the same request the modal would show). Never inferred from the other arguments.
import * as vscode from 'vscode';
import type { CommandOptions, ConfirmRequest } from './targets';

/** True to go ahead. `detail` is the modal's text under the message (default: the request's lines). */
export async function askConfirmation(options: CommandOptions, req: ConfirmRequest, detail = req.lines.join('\n')): Promise<boolean> {
  if (options.confirmed) return true;
  if (options.confirm) return !!(await options.confirm({ message: req.message, lines: [...req.lines], button: req.button }));
  return (await vscode.window.showWarningMessage(req.message, { modal: true, detail }, req.button)) === req.button;
}
