// vsim: wires the features together. Nothing else happens here; nothing remote happens at all.
import type * as vscode from 'vscode';
import { registerCommands } from './commands';
import { registerConsoles } from './console';
import { disposeLog } from './common/log';
import { registerDiagnostics } from './language/diagnostics';
import { bridgeLiveState } from './editor/liveStateBridge';
import { bridgePlanMarks } from './editor/planMarksBridge';
import { registerTopologyEditor } from './editor/topologyEditor';
import { registerLanguageFeatures } from './language';
import { registerLabs, type LabsFeature } from './session/labsFeature';
import { registerPlans, type PlanFeature } from './tree/planFeature';

export interface VsimApi {
  /** Time activate() took, in milliseconds. */
  readonly activationMs: number;
  /** Time from the bundle's first line to activate() (evaluating the bundled modules), in milliseconds. */
  readonly loadMs: number | undefined;
  /** The live labs, for tests and other features. */
  readonly labs: LabsFeature['labs'];
  readonly connections: LabsFeature['connections'];
  /** The Labs tree provider (tests read its items). */
  readonly tree: LabsFeature['tree'];
  /** The Plan view, its plans and the Labs view's badge (tests read them). */
  readonly plans: PlanFeature;
}

export function activate(context: vscode.ExtensionContext): VsimApi {
  const t0 = performance.now();
  const labs = registerLabs(context);
  const plans = registerPlans(labs);
  context.subscriptions.push(
    registerDiagnostics(),
    registerLanguageFeatures(),
    labs,
    plans,
    registerCommands({ ...labs, plans: plans.store }),
    registerConsoles(labs),
  );
  const editor = registerTopologyEditor(context);
  context.subscriptions.push(
    editor,
    bridgeLiveState(labs.labs, editor.provider),
    bridgePlanMarks(plans.store, editor.provider),
    { dispose: disposeLog },
  );
  const loadStart = (globalThis as { __vsimLoadStart?: number }).__vsimLoadStart;
  return { activationMs: performance.now() - t0, loadMs: loadStart === undefined ? undefined : t0 - loadStart, labs: labs.labs, connections: labs.connections, tree: labs.tree, plans };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
