// Context-menu actions of the graph (start/stop/console, profiles, partition/heal): the remote ones
// run the command of the same action with the graph's target ({ kind, name, uri }).
import * as vscode from 'vscode';
import { analysisOf } from '../common/topologyDocuments';
import type { Intent } from '../model/edits/intents';
import type { ActionCommand } from '../../webview/protocol';
import type { CommandId } from '../commands/ids';

/** The command each remote action of the graph runs. */
export const ACTION_COMMAND_IDS: Record<Exclude<ActionCommand, 'setProfile'>, CommandId> = {
  start: 'vsim.startVm',
  stop: 'vsim.stopVm',
  console: 'vsim.openConsole',
  applyProfile: 'vsim.applyProfile',
  clearProfile: 'vsim.clearProfile',
  partition: 'vsim.partitionLink',
  heal: 'vsim.healLink',
  impair: 'vsim.impairLink',
  clearImpair: 'vsim.clearLinkImpairment',
  capture: 'vsim.captureTraffic',
};

type Result = { ok: boolean; error?: string };

export async function runAction(
  command: ActionCommand,
  target: { kind: 'vm' | 'link'; name: string },
  document: vscode.TextDocument,
  apply: (i: Intent) => Promise<Result>,
): Promise<Result> {
  if (command === 'setProfile') {
    if (target.kind !== 'link') return { ok: false, error: 'Profiles are set on links.' };
    const profiles = Object.keys(analysisOf(document).topology?.profiles ?? {});
    const none = '$(circle-slash) No profile';
    const pick = await vscode.window.showQuickPick([none, ...profiles], { title: `tc profile for link ${target.name}` });
    if (pick === undefined) return { ok: false };
    return apply({ kind: 'setLinkProfile', link: target.name, profile: pick === none ? null : pick });
  }
  await vscode.commands.executeCommand(ACTION_COMMAND_IDS[command], { kind: target.kind, name: target.name, uri: document.uri });
  return { ok: true };
}
