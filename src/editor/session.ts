// One open topology graph: a webview panel bound to one TextDocument. The document is the model:
// intents from the webview become WorkspaceEdits (so undo/redo, dirty state and save are VS Code's),
// and every document change pushes the new graph back (debounced).
import * as vscode from 'vscode';
import { Disposable } from '../common/lifecycle';
import { log } from '../common/log';
import { analysisOf, isTopologyDocument } from '../common/topologyDocuments';
import { model } from '../common/model';
import type { GraphModel, GraphPatch } from '../model/edits/graph';
import type { Intent } from '../model/edits/intents';
import type { Section } from '../model/types';
import { webviewHtml, webviewOptions } from '../webviewHtml';
import { parseFromWebview, type Banner, type EditorState, type FromWebview, type InitialData, type LinkLive, type LiveState, type PlanMark, type ReadyTiming, type ToWebview } from '../../webview/protocol';
import { runAction } from './actions';

const DEBOUNCE_MS = 50;
/** The commands behind the graph toolbar's lab actions. */
const LAB_ACTION_COMMANDS = { plan: 'vsim.planLab', up: 'vsim.labUp', down: 'vsim.labDown', destroy: 'vsim.labDestroy' } as const;
/** Quiet time after a state is drawn before the parsed Document for the next intent is prepared (not while typing). */
const WARM_UP_MS = 300;

/** What the session sent and what the webview reported; read by tests and benchmarks. */
export interface SessionStats {
  uri: string;
  documentVersion: number;
  /** performance.now() when the editor was resolved. */
  resolvedAt: number;
  /** performance.now() when the page's HTML was handed to VS Code (after the state was built). */
  htmlAt?: number;
  readyAt?: number;
  /** From the webview's 'ready', on this clock (performance.now()): page navigation start, HTML and bundle received, script start. */
  webviewTiming?: ReadyTiming;
  sent?: { version: number; nodes: number; edges: number; at: number; banner: string | null };
  rendered?: { version: number; nodes: number; edges: number; drawn: number; ms: number; at: number };
  /** First time the webview reported all sent nodes drawn (a big graph: its first view, drawn from the page's embedded overview). */
  firstRenderedAt?: number;
  /** The page's own time from its script's start to that first draw. */
  firstRenderedPageMs?: number;
  /** First time it reported them drawn from the whole graph (after firstRenderedAt when the page embedded the overview only). */
  wholeRenderedAt?: number;
  lastIntent?: { kind: string; receivedAt: number; computedAt?: number; /** A move: its patch sent, before the edit. */ sentAt?: number; appliedAt?: number; version?: number; ok?: boolean; error?: string; buildMs?: number };
  /** Time spent building the last state (analysis + graph) and posting it. */
  lastPushMs?: number;
  rejectedMessages: number;
  /** What the graph last reported showing after live VM states arrived (drawn VMs per state). */
  liveShown?: Partial<Record<LiveState, number>>;
  /** What the graph last reported drawing after the plan's markers arrived (drawn VMs per marker). */
  marksShown?: Partial<Record<PlanMark, number>>;
  /** Context-menu and double-click actions run, in order (what the command returned). */
  commands?: { command: string; target: string; ok: boolean; error?: string }[];
  /** Views exported and saved. */
  exports?: { format: string; uri: string; bytes: number }[];
  /** Toolbar lab actions received (validated), in order. */
  labActions?: string[];
}

export class EditorSession extends Disposable {
  private ready = false;
  /** The graph of the last text without errors, shown while the text has errors. */
  private lastValid: GraphModel | undefined;
  /** The state the webview holds (the page's initial data until it is ready); the next state is sent as a patch of it. */
  private sent: { version: number; graph: GraphModel } | undefined;
  /** The state the page was built with; `partial`: the page embeds its overview only and is sent the whole graph when ready. */
  private initial: { version: number; graph: GraphModel; partial: boolean; readOnly: boolean; banner: Banner | null } | undefined;
  private warmTimer: ReturnType<typeof setTimeout> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private ownEditPending = false;
  /** A move of ours being applied, its patch already sent: the version the webview was told the edit makes. */
  private sentMove: number | undefined;
  private live: Record<string, LiveState> = {};
  private linkLive: Record<string, LinkLive> = {};
  private marks: Record<string, PlanMark> | undefined;
  readonly stats: SessionStats;
  private readonly disposedEmitter = this._register(new vscode.EventEmitter<void>());
  readonly onDidDispose = this.disposedEmitter.event;

  constructor(readonly document: vscode.TextDocument, readonly panel: vscode.WebviewPanel, extensionUri: vscode.Uri, live: Record<string, LiveState> | undefined, marks?: Record<string, PlanMark>) {
    super();
    this.marks = marks;
    this.stats = { uri: document.uri.toString(), documentVersion: document.version, resolvedAt: performance.now(), rejectedMessages: 0 };
    this.live = { ...live };
    const webview = panel.webview;
    webview.options = webviewOptions(extensionUri);
    const { state, banner } = this.currentState();
    // A big graph opens on its hosts collapsed: the page embeds what that view draws, the rest follows.
    const first = state ? model().overviewGraph(state.graph) : undefined;
    const partial = !!state && first !== state.graph;
    const data: InitialData = { state: state && first ? { ...state, graph: first, ...(partial ? { partial } : {}) } : null, banner };
    webview.html = webviewHtml(webview, extensionUri, { title: `Topology: ${document.uri.path.split('/').pop()}`, bundle: 'topology', data });
    this.stats.htmlAt = performance.now();
    if (state) {
      this.initial = { version: state.version, graph: state.graph, partial, readOnly: state.readOnly, banner };
      this.noteSent(state, banner);
    }
    this.warmUp(0); // while the webview loads

    this._register(webview.onDidReceiveMessage((raw: unknown) => {
      const msg = parseFromWebview(raw);
      if (!msg) {
        this.stats.rejectedMessages++;
        log().warn(`topology editor: ignored a malformed message from the webview: ${JSON.stringify(raw)?.slice(0, 200)}`);
        return;
      }
      void this.onMessage(msg);
    }));
    this._register(vscode.workspace.onDidChangeTextDocument((e) => {
      if (e.document !== document || !e.contentChanges.length) return;
      this.stats.documentVersion = document.version;
      if (this.warmTimer) clearTimeout(this.warmTimer);
      if (this.ownEditPending && this.sentMove === document.version) {
        // The move's patch went out before the edit: check it against the parsed text after the debounce (normally nothing to send).
        this.sentMove = undefined;
        this.schedulePush(DEBOUNCE_MS * 4);
        return;
      }
      this.schedulePush(this.ownEditPending ? 0 : DEBOUNCE_MS);
    }));
    this._register(panel.onDidChangeViewState(() => {
      if (panel.visible && this.ready) this.schedulePush(0);
    }));
    this._register(panel.onDidDispose(() => this.dispose()));
    this._register({ dispose: () => {
      if (this.timer) clearTimeout(this.timer);
      if (this.warmTimer) clearTimeout(this.warmTimer);
    } });
  }

  override dispose(): void {
    if (this.isDisposed) return;
    this.disposedEmitter.fire();
    super.dispose();
  }

  /** Live link impairments from the lab's tc store (the whole set each time). */
  setLinkState(links: Record<string, LinkLive>): void {
    this.linkLive = links;
    if (this.ready) this.post({ type: 'linkState', links });
  }

  /** Live VM states (running/stopped/…) from the lab store. */
  setLiveState(states: Record<string, LiveState>): void {
    this.live = { ...this.live, ...states };
    if (this.ready) this.post({ type: 'liveState', states });
  }

  /** The plan's markers (VM name → missing/differs/stale), replacing the previous set. */
  setPlanMarks(marks: Record<string, PlanMark>): void {
    this.marks = { ...marks };
    if (this.ready) this.post({ type: 'planMarks', marks: this.marks });
  }

  /** Applies an intent as a WorkspaceEdit; the graph update follows from the document change. */
  async applyIntent(intent: Intent): Promise<{ ok: boolean; error?: string; created?: { section: Section; name: string } }> {
    const receivedAt = performance.now();
    this.stats.lastIntent = { kind: intent.kind, receivedAt };
    // A move is drawn from the graph alone: its patch goes out before the text edit is computed, and
    // the extension host's channel is let to send it first (the page has it 20-30 ms sooner at 1 000 VMs).
    const ahead = intent.kind === 'movePositions' && this.sendMove(intent.positions);
    if (ahead) await new Promise((r) => setTimeout(r, 0));
    try {
      const a = analysisOf(this.document);
      const base = a.parsed.doc && !a.parsed.doc.errors.length && a.topology ? { doc: a.parsed.doc, topology: a.topology } : {};
      const r = model().applyIntent(this.document.getText(), intent, base);
      this.stats.lastIntent.computedAt = performance.now();
      if (r.fallback) log().info(`topology editor: ${intent.kind} needed a wide replacement (unusual layout)`);
      if (r.edits.length) {
        const edit = new vscode.WorkspaceEdit();
        for (const e of r.edits) edit.replace(this.document.uri, new vscode.Range(this.document.positionAt(e.start), this.document.positionAt(e.end)), e.text);
        this.ownEditPending = true;
        const ok = await vscode.workspace.applyEdit(edit);
        this.ownEditPending = false;
        this.sentMove = undefined;
        if (!ok) throw new (model().IntentError)('VS Code refused the edit (is the file read-only?).');
      } else if (ahead) {
        // The text already says so: the webview gets the text's graph back (a patch of what it was told).
        this.sentMove = undefined;
        this.push();
      }
      Object.assign(this.stats.lastIntent, { appliedAt: performance.now(), version: this.document.version, ok: true });
      return { ok: true, ...(r.created ? { created: r.created } : {}) };
    } catch (err) {
      this.ownEditPending = false;
      this.sentMove = undefined;
      // A move sent ahead of an edit that did not happen: the webview gets the text's graph back (a patch of what it holds).
      if (ahead) this.push();
      const error = err instanceof model().IntentError ? err.message : `Could not apply ${intent.kind}: ${(err as Error).message}`;
      if (!(err instanceof model().IntentError)) log().error(`topology editor: ${(err as Error).stack ?? err}`);
      Object.assign(this.stats.lastIntent, { ok: false, error });
      return { ok: false, error };
    }
  }

  private async onMessage(msg: FromWebview): Promise<void> {
    switch (msg.type) {
      case 'ready':
        this.ready = true;
        this.stats.readyAt = performance.now();
        if (msg.timing) {
          const t = msg.timing;
          const here = (epochMs: number) => epochMs - performance.timeOrigin;
          this.stats.webviewTiming = { pageStart: here(t.pageStart), pageLoaded: here(t.pageLoaded), scriptLoaded: here(t.scriptLoaded), scriptStart: here(t.scriptStart) };
        }
        // The page holds the state it was built with (a big graph: its overview, then the whole graph at once): catch up if the text changed since.
        this.sent = this.initial;
        if (this.initial?.partial) {
          const { version, graph, readOnly, banner } = this.initial;
          this.post({ type: 'state', state: { version, graph, readOnly }, banner });
        }
        if (this.sent?.version !== this.document.version) this.push();
        if (Object.keys(this.live).length) this.post({ type: 'liveState', states: this.live });
        if (Object.keys(this.linkLive).length) this.post({ type: 'linkState', links: this.linkLive });
        if (this.marks) this.post({ type: 'planMarks', marks: this.marks });
        return;
      case 'resync':
        this.sent = undefined;
        this.push();
        return;
      case 'intent': {
        const r = await this.applyIntent(msg.intent);
        if (!r.ok) void vscode.window.showWarningMessage(`vsim: ${r.error}`);
        this.post({ type: 'result', requestId: msg.requestId, ...r });
        return;
      }
      case 'undo':
      case 'redo': {
        // VS Code's own undo/redo on the document (the graph is its active editor when the button is clicked).
        const before = this.document.version;
        await vscode.commands.executeCommand(msg.type);
        this.post({ type: 'result', requestId: msg.requestId, ok: this.document.version !== before });
        return;
      }
      case 'command': {
        const r = await runAction(msg.command, msg.target, this.document, (i) => this.applyIntent(i), msg.keepFocus);
        (this.stats.commands ??= []).push({ command: msg.command, target: msg.target.name, ok: r.ok, ...(r.error ? { error: r.error } : {}) });
        this.post({ type: 'result', requestId: msg.requestId, ...r });
        return;
      }
      case 'rendered': {
        const at = performance.now();
        this.stats.rendered = { version: msg.version, nodes: msg.nodes, edges: msg.edges, drawn: msg.drawn, ms: msg.ms, at };
        const all = !!this.stats.sent && msg.nodes === this.stats.sent.nodes;
        if (this.stats.firstRenderedAt === undefined && all) Object.assign(this.stats, { firstRenderedAt: at, firstRenderedPageMs: msg.ms });
        if (this.stats.wholeRenderedAt === undefined && all && !msg.partial) this.stats.wholeRenderedAt = at;
        if (msg.version === this.document.version) this.warmUp(WARM_UP_MS);
        return;
      }
      case 'liveShown':
        this.stats.liveShown = msg.counts;
        return;
      case 'marksShown':
        this.stats.marksShown = msg.counts;
        return;
      case 'labAction': {
        (this.stats.labActions ??= []).push(msg.action);
        const id = LAB_ACTION_COMMANDS[msg.action];
        // The command confirms (one modal) and reports its own errors; the file is this graph's.
        void vscode.commands.executeCommand(id, this.document.uri).then(
          () => this.post({ type: 'result', requestId: msg.requestId, ok: true }),
          (err: Error) => this.post({ type: 'result', requestId: msg.requestId, ok: false, error: err.message }),
        );
        return;
      }
      case 'openText':
        await this.revealInText(msg.section, msg.name);
        return;
      case 'export':
        await this.saveExport(msg.format, msg.data);
        return;
    }
  }

  /** Saves an exported view where the user says (beside the file by default). */
  private async saveExport(format: 'svg' | 'png', data: string): Promise<void> {
    const base = this.document.uri.path.split('/').pop()!.replace(/\.vsim\.ya?ml$/, '');
    const target = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(this.document.uri, '..', `${base}-graph.${format}`),
      filters: format === 'svg' ? { 'SVG image': ['svg'] } : { 'PNG image': ['png'] },
      title: `Export the graph as ${format.toUpperCase()}`,
    });
    if (!target) return;
    const bytes = format === 'svg' ? new TextEncoder().encode(data) : Buffer.from(data, 'base64');
    try {
      await vscode.workspace.fs.writeFile(target, bytes);
      (this.stats.exports ??= []).push({ format, uri: target.toString(), bytes: bytes.length });
      void vscode.window.showInformationMessage(`vsim: graph saved as ${vscode.workspace.asRelativePath(target)}.`);
    } catch (err) {
      void vscode.window.showErrorMessage(`vsim: could not write ${target.fsPath}: ${(err as Error).message}`);
    }
  }

  private async revealInText(section?: Section, name?: string): Promise<void> {
    const editor = await vscode.window.showTextDocument(this.document, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false });
    if (!section || !name) return;
    const pairs = analysisOf(this.document).parsed.doc?.getIn([section], true) as { items?: { key?: { value?: unknown; range?: number[] } }[] } | undefined;
    const key = pairs?.items?.find((p) => String(p.key?.value) === name)?.key;
    if (key?.range) {
      const r = new vscode.Range(this.document.positionAt(key.range[0]!), this.document.positionAt(key.range[1]!));
      editor.selection = new vscode.Selection(r.start, r.end);
      editor.revealRange(r, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    }
  }

  private schedulePush(delay: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.isDisposed) this.push();
    }, delay);
  }

  /** The graph to show now: the current one when the text is valid, else the last valid one and a banner. */
  private currentState(): { state: EditorState | null; banner: Banner | null } {
    const doc = this.document;
    const t0 = performance.now();
    const a = analysisOf(doc);
    const firstError = a.problems.find((p) => p.severity === 'error');
    const banner: Banner | null = firstError ? { message: firstError.message, line: doc.positionAt(firstError.start).line + 1 } : null;
    let graph: GraphModel | undefined;
    if (!firstError && a.topology) {
      graph = model().buildGraph(a.topology);
      this.lastValid = graph;
    } else if (this.lastValid) {
      graph = this.lastValid;
    } else if (a.topology) {
      try {
        graph = model().buildGraph(a.topology); // best effort on a file that opened with errors
      } catch {
        graph = undefined;
      }
    }
    if (this.stats.lastIntent && this.stats.lastIntent.buildMs === undefined) this.stats.lastIntent.buildMs = performance.now() - t0;
    const readOnly = !isTopologyDocument(doc) || doc.uri.scheme === 'git';
    return { state: graph ? { version: doc.version, graph, readOnly } : null, banner };
  }

  /**
   * Our own move, sent to the webview before its WorkspaceEdit is applied, as the patch of the state it
   * holds to the next version of the text (a move in a 1 000-VM graph needs no parse of the text, and the
   * graph is drawn while VS Code applies the edit). Only when the webview holds the current text's graph
   * (no banner, nothing unsent). The edit's change event (or its failure) is checked by a push after:
   * when the text turns out otherwise (another edit came first, the edit was refused), that push sends
   * the difference from what the webview was told.
   */
  private sendMove(positions: Extract<Intent, { kind: 'movePositions' }>['positions']): boolean {
    const sent = this.sent;
    if (!this.ready || !sent || sent.version !== this.document.version || this.stats.sent?.banner !== null) return false;
    const t0 = performance.now();
    const patch = model().movePatch(sent.graph, positions);
    if (!patch) return false;
    const graph = model().applyGraphPatch(sent.graph, patch);
    const state: EditorState = { version: sent.version + 1, graph, readOnly: !isTopologyDocument(this.document) || this.document.uri.scheme === 'git' };
    this.post({ type: 'patch', base: sent.version, patch, state: { version: state.version, readOnly: state.readOnly }, banner: null });
    this.sent = { version: state.version, graph };
    this.sentMove = state.version;
    if (this.stats.lastIntent) this.stats.lastIntent.sentAt = performance.now();
    this.lastValid = graph;
    this.noteSent(state, null);
    this.stats.lastPushMs = performance.now() - t0;
    return true;
  }

  /**
   * Sends the current state: whole the first time, then as a patch of the state the webview holds (a
   * move in a 1 000-VM graph is one node, not the 450 KB graph). Nothing before the webview is ready:
   * its `ready` catches up. Nothing when the webview already holds this version and nothing differs.
   */
  private push(): void {
    if (!this.ready) return;
    const t0 = performance.now();
    const { state, banner } = this.currentState();
    if (state) {
      const prev = this.sent;
      if (prev) {
        const patch = model().diffGraph(prev.graph, state.graph);
        if (prev.version === state.version && isEmptyPatch(patch) && banner === null && this.stats.sent?.banner === null) {
          this.stats.lastPushMs = performance.now() - t0;
          return;
        }
        this.post({ type: 'patch', base: prev.version, patch, state: { version: state.version, readOnly: state.readOnly }, banner });
      } else {
        this.post({ type: 'state', state, banner });
      }
      this.sent = { version: state.version, graph: state.graph };
      this.noteSent(state, banner);
    } else {
      this.post({ type: 'banner', banner });
    }
    this.stats.lastPushMs = performance.now() - t0;
  }

  /**
   * Prepares, while the editor is idle (while the webview loads, or a quiet moment after a state was
   * drawn; a text change cancels it), the parsed Document the next intent edits: for a file parsed in
   * chunks it is built on first use, a whole parse (~100 ms for 1 000 VMs) the intent would wait for.
   */
  private warmUp(delay: number): void {
    if (this.warmTimer) clearTimeout(this.warmTimer);
    const version = this.document.version;
    this.warmTimer = setTimeout(() => {
      this.warmTimer = undefined;
      if (this.isDisposed || this.document.version !== version) return;
      try {
        void analysisOf(this.document).parsed.doc;
      } catch {
        // the intent will meet (and report) the same problem
      }
    }, delay);
  }

  private noteSent(state: EditorState, banner: Banner | null): void {
    this.stats.sent = { version: state.version, nodes: state.graph.nodes.length, edges: state.graph.edges.length, at: performance.now(), banner: banner?.message ?? null };
  }

  private post(msg: ToWebview): void {
    void this.panel.webview.postMessage(msg);
  }
}

function isEmptyPatch(p: GraphPatch): boolean {
  return !p.nodes.length && !p.removedNodes.length && !p.edges.length && !p.removedEdges.length && !Object.keys(p.meta).length && !p.nodeOrder && !p.edgeOrder;
}
