// The topology graph editor: a CustomTextEditorProvider for *.vsim.yaml (offered by "Open With…" and
// an editor-title button), plus the hooks the live-state bridge and the tests use.
import * as vscode from 'vscode';
import type { Ports } from '../activation/ports';
import { TOPOLOGY_EDITOR_VIEW_TYPE } from '../activation/contributed';
import { registerCommand } from '../commands/registry';
import { Disposable } from '../common/lifecycle';
import type { Intent } from '../model/edits/intents';
import type { LinkLive, LiveState, PlanMark } from '../../webview/protocol';
import { EditorSession, type SessionStats } from './session';


export class TopologyEditorProvider extends Disposable implements vscode.CustomTextEditorProvider {
  private readonly sessions = new Set<EditorSession>();
  /** Last live states per document URI, so a graph opened later starts with them. */
  private readonly live = new Map<string, Record<string, LiveState>>();
  private readonly linkLive = new Map<string, Record<string, LinkLive>>();
  /** Last plan markers per document URI, for graphs opened later. */
  private readonly marks = new Map<string, Record<string, PlanMark>>();
  private readonly visibility = this._register(new vscode.EventEmitter<boolean>());
  /** Fires whether any graph is visible, when that changes (the lab refresh policy listens). */
  readonly onDidChangeAnyVisible = this.visibility.event;
  private anyVisible = false;

  constructor(private readonly extensionUri: vscode.Uri) {
    super();
    this._register({ dispose: () => {
      for (const s of this.sessions) s.dispose();
    } });
  }

  resolveCustomTextEditor(document: vscode.TextDocument, panel: vscode.WebviewPanel): void {
    const session = new EditorSession(document, panel, this.extensionUri, this.live.get(document.uri.toString()), this.marks.get(document.uri.toString()));
    this.sessions.add(session);
    const links = this.linkLive.get(document.uri.toString());
    if (links) session.setLinkState(links);
    session.onDidDispose(() => {
      this.sessions.delete(session);
      this.noteVisibility();
    });
    session.panel.onDidChangeViewState(() => this.noteVisibility());
    this.noteVisibility();
  }

  private noteVisibility(): void {
    const any = [...this.sessions].some((s) => s.panel.visible);
    if (any === this.anyVisible) return;
    this.anyVisible = any;
    this.visibility.fire(any);
  }

  /** Colours VMs by state in every graph of `uri` (VM name → state). */
  postLinkState(uri: vscode.Uri, links: Record<string, LinkLive>): void {
    const key = uri.toString();
    this.linkLive.set(key, links);
    for (const s of this.sessions) if (s.document.uri.toString() === key) s.setLinkState(links);
  }

  postLiveState(uri: vscode.Uri, states: Record<string, LiveState>): void {
    const key = uri.toString();
    this.live.set(key, { ...this.live.get(key), ...states });
    for (const s of this.sessions) if (s.document.uri.toString() === key) s.setLiveState(states);
  }

  /** Marks the VMs the plan says differ or are missing in every graph of `uri` (the whole set). */
  postPlanMarks(uri: vscode.Uri, marks: Record<string, PlanMark>): void {
    const key = uri.toString();
    this.marks.set(key, marks);
    for (const s of this.sessions) if (s.document.uri.toString() === key) s.setPlanMarks(marks);
  }

  stats(uri?: vscode.Uri): SessionStats[] {
    return [...this.sessions].filter((s) => !uri || s.document.uri.toString() === uri.toString()).map((s) => ({ ...s.stats }));
  }

  async applyIntent(uri: vscode.Uri, intent: Intent): Promise<{ ok: boolean; error?: string }> {
    const s = [...this.sessions].find((x) => x.document.uri.toString() === uri.toString());
    if (!s) return { ok: false, error: `no topology editor open for ${uri.toString()}` };
    return s.applyIntent(intent);
  }
}

async function openTopologyEditor(uri?: unknown): Promise<void> {
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (!(uri instanceof vscode.Uri) && tab instanceof vscode.TabInputCustom && tab.viewType === TOPOLOGY_EDITOR_VIEW_TYPE) return; // already the graph
  const target = uri instanceof vscode.Uri ? uri : vscode.window.activeTextEditor?.document.uri ?? (tab instanceof vscode.TabInputText ? tab.uri : undefined);
  if (!target) {
    void vscode.window.showInformationMessage('vsim: open a *.vsim.yaml file first.');
    return;
  }
  await vscode.commands.executeCommand('vscode.openWith', target, TOPOLOGY_EDITOR_VIEW_TYPE, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false });
}

/**
 * The test hooks exist only in test mode: vsim run as the extension under test, or by the project's
 * test harness (test/harness/codeServer.mjs sets VSIM_TEST_HOOKS=1 for the VS Code it starts). Any
 * other extension could otherwise edit a user's topology through `vsim._editor.applyIntent`.
 */
export function testHooksEnabled(mode: vscode.ExtensionMode, env: NodeJS.ProcessEnv = process.env): boolean {
  return mode === vscode.ExtensionMode.Test || env.VSIM_TEST_HOOKS === '1';
}

/** Registers the editor, its open command and, in test mode, the internal hooks (`vsim._editor.*`, not in the palette). */
export function registerTopologyEditor(context: vscode.ExtensionContext, slot: Ports['topologyEditor']): vscode.Disposable & { provider: TopologyEditorProvider } {
  const provider = new TopologyEditorProvider(context.extensionUri);
  const d = vscode.Disposable.from(
    provider,
    slot.attach(provider),
    registerCommand('vsim.openTopologyEditor', openTopologyEditor),
    ...(testHooksEnabled(context.extensionMode) ? testHooks(provider) : []),
  );
  return Object.assign(d, { provider });
}

function testHooks(provider: TopologyEditorProvider): vscode.Disposable[] {
  const toUri = (u: unknown) => (u instanceof vscode.Uri ? u : typeof u === 'string' ? vscode.Uri.parse(u) : undefined);
  return [
    registerCommand('vsim._editor.stats', (u?: unknown) => provider.stats(toUri(u))),
    registerCommand('vsim._editor.applyIntent', (u: unknown, intent: unknown) => {
      const uri = toUri(u);
      return uri ? provider.applyIntent(uri, intent as Intent) : { ok: false, error: 'no uri' };
    }),
    registerCommand('vsim._editor.postLiveState', (u: unknown, states: unknown) => {
      const uri = toUri(u);
      if (uri) provider.postLiveState(uri, states as Record<string, LiveState>);
    }),
  ];
}

