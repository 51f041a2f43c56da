// What VS Code needs from vsim at activation, registered before the features are loaded: the two
// views, the topology editor and the console terminal profile. Each is a stand-in (./lazy.ts) that
// loads the features when VS Code first uses it; the features attach the real providers.
import * as vscode from 'vscode';
import { CONSOLE_PROFILE_ID, LABS_VIEW_ID, PLAN_VIEW_ID, TOPOLOGY_EDITOR_VIEW_TYPE } from './contributed';
import { LazyTreeProvider, Slot } from './lazy';

export interface LazyView {
  readonly view: vscode.TreeView<unknown>;
  readonly provider: LazyTreeProvider<unknown>;
}

/** Handed to the features bundle (src/features.ts). */
export interface Ports {
  readonly labsView: LazyView;
  readonly planView: LazyView;
  readonly topologyEditor: Slot<vscode.CustomTextEditorProvider>;
  readonly consoleProfile: Slot<vscode.TerminalProfileProvider>;
}

function lazyView(id: string, load: () => void, options: Omit<vscode.TreeViewOptions<unknown>, 'treeDataProvider'>): LazyView {
  const provider = new LazyTreeProvider<unknown>(`the ${id} tree`, load);
  return { provider, view: vscode.window.createTreeView(id, { ...options, treeDataProvider: provider }) };
}

export function registerPorts(load: () => void): vscode.Disposable & Ports {
  const ports: Ports = {
    labsView: lazyView(LABS_VIEW_ID, load, { showCollapseAll: true, canSelectMany: true }),
    planView: lazyView(PLAN_VIEW_ID, load, { showCollapseAll: true }),
    topologyEditor: new Slot('the topology editor', load),
    consoleProfile: new Slot('the console terminal profile', load),
  };
  const d = vscode.Disposable.from(
    ports.labsView.view,
    ports.planView.view,
    vscode.window.registerCustomEditorProvider(TOPOLOGY_EDITOR_VIEW_TYPE, {
      resolveCustomTextEditor: (doc, panel, token) => ports.topologyEditor.get().resolveCustomTextEditor(doc, panel, token),
    }, { webviewOptions: { retainContextWhenHidden: true }, supportsMultipleEditorsPerDocument: true }),
    vscode.window.registerTerminalProfileProvider(CONSOLE_PROFILE_ID, {
      provideTerminalProfile: (token) => ports.consoleProfile.get().provideTerminalProfile(token),
    }),
  );
  return Object.assign(d, ports);
}
