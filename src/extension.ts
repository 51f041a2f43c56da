// vsim's activation: registers what VS Code asks for at once (command stubs, the views, the graph
// editor, the console profile) and loads the features (src/features.ts, dist/features.js) on first
// use or with the first topology document. Nothing else happens here; nothing remote happens at all.
import path from 'node:path';
import type * as vscode from 'vscode';
import { contributedCommands, registerCommandStubs } from './activation/commandStubs';
import { onFirstTopologyDocument } from './activation/firstTopology';
import { registerPorts } from './activation/ports';
import type { Features } from './features';
import { requireBundled } from './loader/requireBundled';

export interface VsimApi extends Features {
  /** Time activate() took, in milliseconds. */
  readonly activationMs: number;
  /** Time from the bundle's first line to activate() (evaluating the bundled modules), in milliseconds. */
  readonly loadMs: number | undefined;
  /** Whether the features bundle was evaluated when activate() returned: it should not be. */
  readonly featuresAtActivation: boolean;
  /** Whether the model bundle (dist/lib/model.js) was loaded when activate() returned: it should not be. */
  readonly modelAtActivation: boolean;
  /** Time loading the features took (requiring dist/features.js and starting them), once they are loaded. */
  readonly featuresMs: number | undefined;
  /** activate()'s steps, in milliseconds each: views and editor stand-ins, command stubs, document watch. */
  readonly activationSteps: Readonly<Record<'ports' | 'stubs' | 'documents', number>>;
  /** Where VS Code keeps this extension's logs (the "vsim" channel is vsim.log in it). */
  readonly logUri: vscode.Uri;
}

type FeaturesModule = typeof import('./features');

export function activate(context: vscode.ExtensionContext): VsimApi {
  const t0 = performance.now();
  let features: Features | undefined;
  let featuresMs: number | undefined;
  const load = (): Features => {
    if (features) return features;
    const t = performance.now();
    const module = requireBundled<FeaturesModule>("vsim's features bundle", [path.join(__dirname, 'features.js'), path.join(__dirname, 'features.ts')]);
    stubs.dispose();
    features = module.startFeatures(context, ports);
    featuresMs = performance.now() - t;
    return features;
  };
  const ports = registerPorts(load);
  const t1 = performance.now();
  const stubs = registerCommandStubs(contributedCommands(context.extension), load);
  const t2 = performance.now();
  context.subscriptions.push(ports, stubs, onFirstTopologyDocument(load));
  const t3 = performance.now();
  const loadStart = (globalThis as { __vsimLoadStart?: number }).__vsimLoadStart;
  const modelLoaded = (): boolean => features?.modelLoaded() ?? false;
  const activationMs = performance.now() - t0;
  return {
    activationMs,
    loadMs: loadStart === undefined ? undefined : t0 - loadStart,
    featuresAtActivation: features !== undefined,
    modelAtActivation: modelLoaded(),
    get featuresMs() { return featuresMs; },
    activationSteps: { ports: t1 - t0, stubs: t2 - t1, documents: t3 - t2 },
    logUri: context.logUri,
    get labs() { return load().labs; },
    get connections() { return load().connections; },
    get tree() { return load().tree; },
    get plans() { return load().plans; },
    modelLoaded,
  };
}

export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
