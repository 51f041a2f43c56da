// Everything vsim does, started on first use (src/extension.ts requires this as dist/features.js):
// the labs, the views' trees, consoles, plans, diagnostics, IntelliSense, commands, the graph editor.
import type * as vscode from 'vscode';
import type { Ports } from './activation/ports';
import { registerCommands } from './commands';
import { consoleProfileProvider } from './commands/console';
import { registerConsoles } from './console';
import { disposeLog } from './common/log';
import { modelLoaded } from './common/model';
import { bridgeLiveState } from './editor/liveStateBridge';
import { bridgePlanMarks } from './editor/planMarksBridge';
import { registerTopologyEditor } from './editor/topologyEditor';
import { registerDiagnostics } from './language/diagnostics';
import { registerLanguageFeatures } from './language';
import { registerLabTree, type LabTreeFeature } from './tree';
import { registerPlans, type PlanFeature } from './tree/planFeature';
import { registerLabs, type LabsFeature } from './workspace/labsFeature';
import { registerVmDetails } from './vmDetails';

export interface Features {
  readonly labs: LabsFeature['labs'];
  readonly connections: LabsFeature['connections'];
  readonly tree: LabTreeFeature['tree'];
  readonly plans: PlanFeature;
  /** Whether the model bundle (dist/lib/model.js) is loaded. */
  modelLoaded(): boolean;
}

/** Starts the features; what they make is disposed with the extension (context.subscriptions). */
export function startFeatures(context: vscode.ExtensionContext, ports: Ports): Features {
  const labs = registerLabs(context);
  const tree = registerLabTree(labs.labs, ports.labsView);
  const consoles = registerConsoles(labs, context.globalStorageUri.fsPath);
  const plans = registerPlans(labs, tree, ports.planView);
  context.subscriptions.push(
    registerDiagnostics(),
    registerLanguageFeatures(),
    tree,
    labs,
    plans,
    registerCommands({ ...labs, consoles, plans: plans.store }),
    ports.consoleProfile.attach(consoleProfileProvider(labs.labs, consoles)),
    consoles,
    registerVmDetails(context, labs.labs),
  );
  const editor = registerTopologyEditor(context, ports.topologyEditor);
  context.subscriptions.push(
    editor,
    bridgeLiveState(labs.labs, editor.provider),
    bridgePlanMarks(plans.store, editor.provider),
    { dispose: disposeLog },
  );
  return { labs: labs.labs, connections: labs.connections, tree: tree.tree, plans, modelLoaded };
}
