// One confirmation and one progress notification for every lab action: the modal lists every item,
// the notification shows each item as it starts and ends and is cancellable (an AbortSignal checked
// between items), failures are logged with host, command and stderr, and a summary ends the run.
import * as vscode from 'vscode';
import { log } from '../../common/log';
import type { ApplyEvent, ApplyOptions, ApplyResult } from '../../plan/types';
import { confirmationDetail, summaryLine, type Confirmation, type LabAction } from './labText';
import { askConfirmation } from '../confirm';
import type { CommandOptions } from '../targets';

/** Asks once (the modal lists every item); true to go ahead. `opts.confirmed` / `opts.confirm` answer instead. */
export async function confirmOnce(c: Confirmation, opts: CommandOptions): Promise<boolean> {
  if (c.empty) {
    void vscode.window.showInformationMessage(`vsim: ${c.message.replace(/\?$/, '')}: nothing to do.`);
    return false;
  }
  return askConfirmation(opts, c, confirmationDetail(c));
}

export interface RunOutcome {
  result: ApplyResult;
  summary: string;
  /** Every event, in order (tests and the log read them). */
  events: ApplyEvent[];
}

/** Runs one lab action under a cancellable progress notification; `total` items for the bar. */
export async function runWithProgress(action: LabAction, title: string, total: number, run: (o: ApplyOptions) => Promise<ApplyResult>): Promise<RunOutcome> {
  const events: ApplyEvent[] = [];
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `vsim: ${title}`, cancellable: true },
    async (progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      let finished = 0;
      const step = total > 0 ? 100 / total : 0;
      try {
        return await run({
          signal: abort.signal,
          onEvent: (e) => {
            events.push(e);
            switch (e.kind) {
              case 'start':
                progress.report({ message: `${e.title} on ${e.host}…` });
                break;
              case 'done':
                finished++;
                log().info(`${title}: ${e.title} on ${e.host}: done${e.note ? ` (${e.note})` : ''}`);
                progress.report({ increment: step, message: `${finished}/${total}: ${e.title} done` });
                break;
              case 'failed':
                finished++;
                log().error(`${title}: ${e.title} on ${e.host} failed: ${e.message}`);
                progress.report({ increment: step, message: `${finished}/${total}: ${e.title} failed` });
                break;
              case 'skipped':
                log().info(`${title}: ${e.title} on ${e.host} skipped: ${e.reason}`);
                break;
            }
          },
        });
      } finally {
        sub.dispose();
      }
    },
  );
  return { result, summary: summaryLine(action, result), events };
}

/** The summary after a run: failures named (host, command, stderr are in their messages), a Restart action when needed. */
export function showSummary(title: string, o: RunOutcome, restart: (vms: string[]) => Promise<void>): void {
  const { result, summary } = o;
  const text = `vsim: ${title}: ${summary}`;
  const actions: string[] = [];
  if (result.restartNeeded.length) actions.push('Restart');
  if (result.failed.length) actions.push('Show Log');
  const failures = result.failed.map((f) => `${f.id}: ${f.message}`).join('\n');
  const show = result.failed.length ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
  // Not awaited: the command ends with the run; the toast's actions work while it is shown.
  void show(result.failed.length ? `${text}. ${failures}` : text, ...actions).then(async (choice) => {
    if (choice === 'Restart') await restart(result.restartNeeded);
    else if (choice === 'Show Log') log().show(true);
  });
}
