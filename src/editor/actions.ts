// Context-menu actions of the graph (lifecycle, console, SSH, snapshot, build, profiles, links): each
// runs the tree's command of the same action (the same ids, package.json) with the graph's target
// ({ kind, name, uri }); the command confirms what needs confirming, as from the tree.
import * as vscode from 'vscode';
import { analysisOf } from '../common/topologyDocuments';
import type { Intent } from '../model/edits/intents';
import type { ActionCommand } from '../../webview/protocol';
import { ACTION_COMMAND_IDS } from './actionIds';


type Result = { ok: boolean; error?: string };

export async function runAction(
  command: ActionCommand,
  target: { kind: 'vm' | 'link'; name: string },
  document: vscode.TextDocument,
  apply: (i: Intent) => Promise<Result>,
  keepFocus = false,
): Promise<Result> {
  if (command === 'setProfile') {
    if (target.kind !== 'link') return { ok: false, error: 'Profiles are set on links.' };
    const profiles = Object.keys(analysisOf(document).topology?.profiles ?? {});
    const none = '$(circle-slash) No profile';
    const pick = await vscode.window.showQuickPick([none, ...profiles], { title: `tc profile for link ${target.name}` });
    if (pick === undefined) return { ok: false };
    return apply({ kind: 'setLinkProfile', link: target.name, profile: pick === none ? null : pick });
  }
  const graphTarget = { kind: target.kind, name: target.name, uri: document.uri };
  try {
    if (keepFocus) await vscode.commands.executeCommand(ACTION_COMMAND_IDS[command], graphTarget, { preserveFocus: true });
    else await vscode.commands.executeCommand(ACTION_COMMAND_IDS[command], graphTarget);
  } catch (err) {
    return { ok: false, error: (err as Error).message };
  }
  return { ok: true };
}
