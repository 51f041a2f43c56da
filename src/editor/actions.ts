// Context-menu actions of the graph (start/stop/console, profiles, partition/heal). Remote actions are
// other features' commands: run `vsim.<…>` when it is registered, otherwise say it is not available.
import * as vscode from 'vscode';
import { analysisOf } from '../common/topologyDocuments';
import type { Intent } from '../model/edits/intents';
import type { ActionCommand } from '../../webview/protocol';

/** Command ids tried for each action, in order (the first registered one runs). */
export const ACTION_COMMAND_IDS: Record<Exclude<ActionCommand, 'setProfile'>, string[]> = {
  start: ['vsim.startVm', 'vsim.start'],
  stop: ['vsim.stopVm', 'vsim.stop'],
  console: ['vsim.openConsole', 'vsim.console'],
  applyProfile: ['vsim.applyProfile'],
  clearProfile: ['vsim.clearProfile'],
  partition: ['vsim.partitionLink', 'vsim.partition'],
  heal: ['vsim.healLink', 'vsim.heal'],
  impair: ['vsim.impairLink'],
  clearImpair: ['vsim.clearLinkImpairment'],
  capture: ['vsim.captureTraffic'],
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
  const available = new Set(await vscode.commands.getCommands(true));
  const id = ACTION_COMMAND_IDS[command].find((c) => available.has(c));
  if (!id) {
    void vscode.window.showInformationMessage(`vsim: "${command}" for ${target.kind === 'vm' ? 'VM' : 'link'} ${target.name} is not available yet.`);
    return { ok: false, error: 'not available yet' };
  }
  await vscode.commands.executeCommand(id, { kind: target.kind, name: target.name, uri: document.uri });
  return { ok: true };
}
