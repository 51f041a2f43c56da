// The graph page's state and what changes it: the graph model and its version from the extension,
// the lock and link modes, the banner, the status line, the side form. The toolbar (toolbar.ts) and
// the graph's menu and keys (graphMenu.ts) act through it.
import type { LayoutMode } from '../../src/model/edits/layout';
import { applyGraphPatch, parseNodeId, type GraphPatch } from '../../src/model/edits/graph';
import type { Banner, EditorState, GraphModel, InitialData, Intent, ToWebview } from '../protocol';
import { GraphView } from './graphView';
import { renderForm } from './sideForm';
import { createToolbar, type Toolbar } from './toolbar';
import { contextMenu, onGraphKey } from './graphMenu';
import { el } from './ui/toolkit';
import { createLegend, type Legend } from './legend';
import type { Page } from './pageApi';
import { post, requestId, saveViewState, viewState } from './vscodeApi';

interface ViewState {
  locked: boolean;
  layout: LayoutMode | 'force';
  legend: boolean;
}

export class TopologyPage implements Page {
  locked: boolean;
  layout: LayoutMode | 'force';
  model: GraphModel | undefined;
  private version = -1;
  private fileReadOnly = false;
  /** The model is the embedded overview of a big graph (stubs besides the hosts) until the whole state arrives. */
  private partial = false;
  linkMode = false;
  formFirst: HTMLElement | undefined;
  private statusNote: string | undefined;

  readonly bannerEl = el('div', { class: 'banner', role: 'alert', hidden: '' });
  readonly graphEl = el('div', { class: 'graph', id: 'graph', tabindex: '0', 'aria-label': 'Topology graph: Delete removes the selection, Enter edits it' });
  /** The side form: only while something is selected, so the canvas has the width otherwise. */
  readonly formEl = el('aside', { class: 'form', 'aria-label': 'Properties', hidden: '' });
  readonly legend: Legend;
  readonly statusEl = el('div', { class: 'status', id: 'status', role: 'status' });
  readonly view: GraphView;
  readonly toolbar: Toolbar;

  constructor(private readonly t0: number) {
    const saved = viewState<ViewState>();
    this.locked = saved.locked ?? false;
    this.layout = saved.layout ?? 'host';
    const toolbarEl = el('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Topology graph tools' });
    this.legend = createLegend(() => this.saveViewState());
    this.legend.element.hidden = saved.legend === false;
    document.body.append(toolbarEl, this.bannerEl, el('main', {}, el('div', { class: 'canvas' }, this.graphEl), this.formEl), this.legend.element, this.statusEl);
    this.view = new GraphView(this.graphEl, {
      select: () => this.refreshForm(),
      moved: (nodes) => {
        const positions = nodes.flatMap((n) => {
          const p = parseNodeId(n.id);
          return p ? [{ section: `${p.kind}s` as 'hosts' | 'networks' | 'vms' | 'slots', name: p.name, x: n.x, y: n.y }] : [];
        });
        if (positions.length) this.send({ kind: 'movePositions', positions });
      },
      context: (target, x, y) => contextMenu(this, target, x, y),
      doubleClick: (id) => {
        const p = parseNodeId(id);
        // The console opens beside; the keyboard stays on the graph.
        if (p?.kind === 'vm') post({ type: 'command', requestId: requestId(), command: 'console', target: { kind: 'vm', name: p.name }, keepFocus: true });
      },
      connect: (from, to) => {
        this.setLinkMode(false);
        const a = parseNodeId(from);
        const b = parseNodeId(to);
        if (!a || !b) return;
        if (a.kind === 'vm' && b.kind === 'vm') this.send({ kind: 'addLink', a: a.name, b: b.name });
        else if (a.kind === 'vm' && b.kind === 'network') this.send({ kind: 'connectNic', vm: a.name, network: b.name });
        else if (a.kind === 'network' && b.kind === 'vm') this.send({ kind: 'connectNic', vm: b.name, network: a.name });
      },
      rendered: (nodes, edges, drawn) => {
        document.body.dataset.renderedVersion = String(this.version);
        document.body.dataset.nodes = String(nodes);
        document.body.dataset.drawn = String(drawn);
        post({ type: 'rendered', version: this.version, nodes, edges, drawn, ms: Math.round((performance.now() - this.t0) * 10) / 10, ...(this.partial ? { partial: true as const } : {}) });
      },
    });
    this.toolbar = createToolbar(this, toolbarEl);
    this.graphEl.addEventListener('keydown', (e) => onGraphKey(this, e));
    this.formEl.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') this.graphEl.focus();
    });
  }

  get readOnly(): boolean {
    return this.locked || this.fileReadOnly;
  }

  send(intent: Intent): void {
    if (this.readOnly) return;
    post({ type: 'intent', requestId: requestId(), intent });
  }

  selectedEntity() {
    const s = this.view.selection();
    return s.nodes.length ? parseNodeId(s.nodes[0]!) : undefined;
  }

  setLinkMode(on: boolean): void {
    this.linkMode = on;
    this.toolbar.addLink.setPressed(on);
    if (on) this.view.startConnect();
    else this.view.stopConnect();
    this.setStatus(on ? 'Drag from a VM to another VM (link) or to a network (NIC). Escape cancels.' : undefined);
  }

  setLocked(l: boolean): void {
    this.locked = l;
    this.saveViewState();
    this.toolbar.lock.setLabel(l ? 'Locked' : 'Lock');
    this.toolbar.lock.setPressed(l);
    this.applyReadOnly();
  }

  setLayout(layout: LayoutMode | 'force'): void {
    this.layout = layout;
    this.saveViewState();
    this.view.applyLayout(layout);
  }

  private saveViewState(): void {
    saveViewState<ViewState>({ locked: this.locked, layout: this.layout, legend: this.legend.shown() });
  }

  applyReadOnly(): void {
    const ro = this.readOnly;
    for (const b of this.toolbar.editing) b.setDisabled(ro);
    this.view.setLocked(ro);
    document.body.classList.toggle('locked', ro);
    this.refreshForm();
  }

  matches(q: string): string[] {
    const s = q.trim().toLowerCase();
    if (!s || !this.model) return [];
    return this.model.nodes.filter((n) => n.name.toLowerCase().includes(s) || n.label.toLowerCase().includes(s)).map((n) => n.id);
  }

  refreshForm(): void {
    if (!this.model) return;
    const s = this.view.selection();
    const node = s.nodes[0] ? this.model.nodes.find((n) => n.id === s.nodes[0]) : undefined;
    const edge = !node && s.edges[0] ? this.model.edges.find((e) => e.id === s.edges[0]) : undefined;
    const hostSummary = node?.kind === 'host' && this.view.isCollapsed(node.name);
    this.formFirst = renderForm(this.formEl, { model: this.model, readOnly: this.readOnly, send: (i) => this.send(i), close: () => this.view.clearSelection() }, node, edge);
    const shown = !!this.formFirst || hostSummary;
    if (this.formEl.hidden === shown) {
      this.formEl.hidden = !shown;
      this.view.network.redraw(); // the canvas's width changed (autoResize follows on its next frame)
    }
  }

  setStatus(note?: string): void {
    this.statusNote = note;
    this.renderStatus();
  }

  private renderStatus(): void {
    if (!this.model) {
      this.statusEl.textContent = this.statusNote ?? 'No graph yet: fix the file first.';
      return;
    }
    const c = this.model.counts;
    const nodes = this.model.nodes.length;
    this.statusEl.dataset.nodes = String(nodes);
    this.statusEl.dataset.edges = String(this.model.edges.length);
    this.statusEl.dataset.vms = String(c.vms);
    this.statusEl.textContent = `${nodes} nodes · ${c.vms} VMs · ${c.networks} networks · ${c.hosts} hosts · ${c.links} links${this.statusNote ? ` — ${this.statusNote}` : ''}`;
  }

  private showBanner(b: Banner | null): void {
    if (!b) {
      this.bannerEl.hidden = true;
      this.bannerEl.textContent = '';
      document.body.classList.remove('stale');
      return;
    }
    this.bannerEl.hidden = false;
    this.bannerEl.textContent = `Line ${b.line}: ${b.message} — the graph shows the last valid version.`;
    document.body.classList.add('stale');
  }

  private applyState(state: EditorState, banner: Banner | null, patch?: GraphPatch): void {
    const first = !this.model;
    this.model = state.graph;
    this.version = state.version;
    this.fileReadOnly = state.readOnly;
    this.partial = state.partial === true;
    document.body.dataset.version = String(this.version);
    this.view.setGraph(this.model, this.layout === 'force' ? 'host' : this.layout, first, patch);
    if (first && this.layout === 'force') this.view.applyLayout('force');
    this.toolbar.syncCluster();
    this.showBanner(banner);
    this.renderStatus();
    this.applyReadOnly();
  }

  /** Draws the state the page was built with (no round trip). */
  start(data: InitialData | null): void {
    if (data?.state) this.applyState(data.state, data.banner);
    else this.showBanner(data?.banner ?? null);
    this.renderStatus();
    this.applyReadOnly();
  }

  onMessage(msg: ToWebview): void {
    switch (msg.type) {
      case 'state': this.applyState(msg.state, msg.banner); break;
      case 'patch':
        // Only on top of the state it was made from; else ask for the whole state.
        if (!this.model || msg.base !== this.version) post({ type: 'resync' });
        else this.applyState({ ...msg.state, graph: applyGraphPatch(this.model, msg.patch) }, msg.banner, msg.patch);
        break;
      case 'banner': this.showBanner(msg.banner); break;
      case 'liveState': post({ type: 'liveShown', counts: this.view.setLiveState(msg.states) }); break;
      case 'linkState': this.view.setLinkState(msg.links); break;
      case 'planMarks': post({ type: 'marksShown', counts: this.view.setPlanMarks(msg.marks) }); break;
      case 'result':
        if (msg.ok && msg.created) {
          const kind = msg.created.section === 'vms' ? 'vm' : msg.created.section === 'networks' ? 'network' : undefined;
          if (kind) setTimeout(() => this.view.focusNode(`${kind}:${msg.created!.name}`), 0);
        }
        break;
      case 'focus': this.view.focusNode(msg.nodeId); break;
    }
  }
}
