// Puts the plan's markers on the topology graph: each time a file's plan changes, the VMs it says
// are missing or differ are posted to that file's open graphs (and kept for graphs opened later).
import * as vscode from 'vscode';
import { vmDrifts } from '../tree/planPresent';
import type { PlanStore } from '../tree/planStore';
import type { PlanMark } from '../../webview/protocol';
import type { TopologyEditorProvider } from './topologyEditor';

export function bridgePlanMarks(plans: PlanStore, p: TopologyEditorProvider): vscode.Disposable {
  const last = new Map<string, string>();
  const post = (uri: vscode.Uri): void => {
    const marks: Record<string, PlanMark> = {};
    for (const [vm, d] of vmDrifts(plans.get(uri)?.plan)) marks[vm] = d.mark;
    const fp = JSON.stringify(marks);
    if (last.get(uri.toString()) === fp) return;
    last.set(uri.toString(), fp);
    p.postPlanMarks(uri, marks);
  };
  return plans.onDidChange((uri) => {
    if (uri) post(uri);
    else for (const e of plans.all()) post(e.uri);
  });
}
