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
import { registerLabTree, type LabTreeFeature } from './tree';
import { registerLabs, type LabsFeature } from './workspace/labsFeature';
import { modelLoaded } from './common/model';
import { registerPlans, type PlanFeature } from './tree/planFeature';

export interface VsimApi {
  /** Time activate() took, in milliseconds. */
  readonly activationMs: number;
  /** Time from the bundle's first line to activate() (evaluating the bundled modules), in milliseconds. */
  readonly loadMs: number | undefined;
  /** Whether the model bundle (dist/lib/model.js) was loaded when activate() returned: it should not be. */
  readonly modelAtActivation: boolean;
  /** The live labs, for tests and other features. */
  readonly labs: LabsFeature['labs'];
  readonly connections: LabsFeature['connections'];
  /** The Labs tree provider (tests read its items). */
  readonly tree: LabTreeFeature['tree'];
  /** The Plan view, its plans and the Labs view's badge (tests read them). */
  readonly plans: PlanFeature;
}

export function activate(context: vscode.ExtensionContext): VsimApi {
  const t0 = performance.now();
  const labs = registerLabs(context);
  const tree = registerLabTree(labs.labs);
  const consoles = registerConsoles(labs);
  const plans = registerPlans(labs, tree);
  context.subscriptions.push(
    registerDiagnostics(),
    registerLanguageFeatures(),
    tree,
    labs,
    plans,
    registerCommands({ ...labs, consoles, plans: plans.store }),
    consoles,
  );
  const editor = registerTopologyEditor(context);
  context.subscriptions.push(
    editor,
    bridgeLiveState(labs.labs, editor.provider),
    bridgePlanMarks(plans.store, editor.provider),
    { dispose: disposeLog },
  );
  const loadStart = (globalThis as { __vsimLoadStart?: number }).__vsimLoadStart;
  return { activationMs: performance.now() - t0, loadMs: loadStart === undefined ? undefined : t0 - loadStart, modelAtActivation: modelLoaded(), labs: labs.labs, connections: labs.connections, tree: tree.tree, plans };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
