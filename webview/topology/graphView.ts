// The vis-network canvas: DataSets updated incrementally (add/update/remove by id, never a full
// redraw), positions from the file's layout section or a deterministic auto layout, physics off,
// host groups drawn behind the nodes, clustering by host for big graphs. vis-network's esnext build (no
// bundled polyfills) and not its stylesheet, which styles the manipulation toolbar, navigation buttons
// and configurator this view does not use: styles.css has the tooltip's rules.
import { DataSet } from 'vis-data/esnext';
import { Network, type ClusterOptions, type Edge, type IdType, type Node, type Options } from 'vis-network/esnext';
import { autoLayout, type LayoutMode, type Point } from '../../src/model/edits/layout';
import type { GraphEdge, GraphModel, GraphNode, GraphPatch, LinkLive, LiveState, PlanMark } from '../protocol';
import { readPalette, vmIcon, type Palette } from './theme';

export type VNode = Node & { id: string; kind: GraphNode['kind']; host: string; name: string };
export type VEdge = Edge & { id: string; kind: GraphEdge['kind']; link?: string };

/** Above this many nodes: hosts start clustered, no hover, edges hidden while dragging/zooming. */
export const BIG_GRAPH = 300;

export interface GraphEvents {
  select(ids: { nodes: string[]; edges: string[] }): void;
  moved(nodes: { id: string; x: number; y: number }[]): void;
  context(target: { kind: 'node' | 'edge'; id: string }, x: number, y: number): void;
  doubleClick(id: string): void;
  connect(from: string, to: string): void;
  rendered(nodes: number, edges: number, ms: number): void;
}

export class GraphView {
  readonly nodes = new DataSet<VNode>();
  readonly edges = new DataSet<VEdge>();
  readonly network: Network;
  private palette: Palette = readPalette();
  private model: GraphModel | undefined;
  /** Positions from the file, to notice when a text edit or an undo moves a node. */
  private filePos = new Map<string, string>();
  private sig = new Map<string, string>();
  private live: Record<string, LiveState> = {};
  private linkLive: Record<string, LinkLive> = {};
  /** The plan's markers per VM name (drawn over the node's top-left corner). */
  private marks: Record<string, PlanMark> = {};
  private groups: { host: string; x0: number; y0: number; x1: number; y1: number }[] = [];
  private groupsDirty = true;
  private clustered = false;
  private locked = false;
  private pendingRender: { t0: number } | undefined;

  constructor(container: HTMLElement, private readonly events: GraphEvents) {
    this.network = new Network(container, { nodes: this.nodes, edges: this.edges }, this.options(0));
    this.network.on('selectNode', () => this.emitSelect());
    this.network.on('selectEdge', () => this.emitSelect());
    this.network.on('deselectNode', () => this.emitSelect());
    this.network.on('deselectEdge', () => this.emitSelect());
    this.network.on('dragging', () => (this.groupsDirty = true));
    this.network.on('dragEnd', (p: { nodes: IdType[] }) => {
      const ids = p.nodes.map(String).filter((id) => !id.startsWith('cluster:'));
      if (!ids.length || this.locked) return;
      const pos = this.network.getPositions(ids);
      this.groupsDirty = true;
      this.events.moved(ids.filter((id) => pos[id]).map((id) => ({ id, x: Math.round(pos[id]!.x), y: Math.round(pos[id]!.y) })));
    });
    this.network.on('oncontext', (p: { pointer: { DOM: { x: number; y: number } }; event: Event }) => {
      p.event.preventDefault();
      const n = this.network.getNodeAt(p.pointer.DOM);
      const e = n === undefined ? this.network.getEdgeAt(p.pointer.DOM) : undefined;
      if (n !== undefined) {
        this.network.selectNodes([n]);
        this.events.context({ kind: 'node', id: String(n) }, p.pointer.DOM.x, p.pointer.DOM.y);
      } else if (e !== undefined) {
        this.network.selectEdges([e]);
        this.events.context({ kind: 'edge', id: String(e) }, p.pointer.DOM.x, p.pointer.DOM.y);
      }
      this.emitSelect();
    });
    this.network.on('doubleClick', (p: { nodes: IdType[] }) => {
      const id = p.nodes[0] === undefined ? undefined : String(p.nodes[0]);
      if (id?.startsWith('cluster:')) {
        this.network.openCluster(id);
        this.groupsDirty = true;
        this.network.fit({ animation: false });
      } else if (id) this.events.doubleClick(id);
    });
    this.network.on('beforeDrawing', (ctx: CanvasRenderingContext2D) => this.drawGroups(ctx));
    this.network.on('afterDrawing', (ctx: CanvasRenderingContext2D) => {
      this.drawMarks(ctx);
      if (!this.pendingRender) return;
      const { t0 } = this.pendingRender;
      this.pendingRender = undefined;
      this.events.rendered(this.nodes.length, this.edges.length, performance.now() - t0);
    });
  }

  private options(n: number): Options {
    const p = this.palette;
    const big = n > BIG_GRAPH;
    return {
      autoResize: true,
      physics: { enabled: false },
      layout: { improvedLayout: false, randomSeed: 7 },
      interaction: { hover: !big, tooltipDelay: 400, multiselect: true, keyboard: { enabled: true, bindToWindow: false }, hideEdgesOnDrag: big, hideEdgesOnZoom: big, dragNodes: !this.locked },
      nodes: { font: { color: p.fg, face: p.font, size: 13, multi: false }, borderWidth: 1, shapeProperties: { interpolation: false } },
      edges: { smooth: false, width: 1, font: { color: p.muted, size: 10, face: p.font, strokeWidth: 3, strokeColor: p.bg }, color: { color: p.nic, highlight: p.focus, hover: p.focus }, selectionWidth: 2 },
      manipulation: {
        enabled: false,
        addEdge: (data: { from: IdType; to: IdType }, cb: (d: null) => void) => {
          cb(null); // the file decides; the edge appears when the text changes
          if (data.from !== data.to) this.events.connect(String(data.from), String(data.to));
        },
      },
    };
  }

  setLocked(locked: boolean): void {
    if (locked === this.locked) return;
    this.locked = locked;
    this.network.setOptions({ interaction: { dragNodes: !locked } });
  }

  /** Draw mode: the next drag from a node to another node becomes `connect(from, to)`. */
  startConnect(): void {
    this.network.addEdgeMode();
  }

  stopConnect(): void {
    this.network.disableEditMode();
  }

  /**
   * Applies a new graph: only what changed is added, updated or removed. With `patch` (what changed
   * since the graph drawn last) only its nodes and edges are looked at; without it, all of them.
   */
  setGraph(model: GraphModel, layoutMode: LayoutMode, firstTime: boolean, patch?: GraphPatch): void {
    const t0 = performance.now();
    const prev = this.model;
    this.model = model;
    if (firstTime) this.network.setOptions(this.options(model.nodes.length));
    let auto: Map<string, Point> | undefined;
    const autoPos = () => (auto ??= autoLayout(model, layoutMode));
    const delta = patch && prev && !firstTime ? patch : undefined;
    const ids = delta ? undefined : new Set(model.nodes.map((n) => n.id));
    const gone = delta ? delta.removedNodes : this.nodes.getIds().map(String).filter((id) => !ids!.has(id));
    for (const id of gone) {
      this.sig.delete(id);
      this.filePos.delete(id);
    }
    const edgeIds = delta ? undefined : new Set(model.edges.map((e) => e.id));
    const edgesGone = delta ? delta.removedEdges : this.edges.getIds().map(String).filter((id) => !edgeIds!.has(id));
    for (const id of edgesGone) this.sig.delete(`e:${id}`);

    const adds: VNode[] = [];
    const updates: VNode[] = [];
    for (const n of delta ? delta.nodes : model.nodes) {
      const v = this.visNode(n);
      const s = JSON.stringify([v.label, v.title, v.shape, v.image, n.backend, n.arch, n.host]);
      const fp = n.x !== undefined ? `${n.x},${n.y}` : '';
      const known = this.sig.has(n.id);
      if (!known) {
        const p = n.x !== undefined ? { x: n.x, y: n.y! } : firstTime || !prev ? autoPos().get(n.id) : this.placeNear(n, autoPos);
        adds.push({ ...v, ...(p ? { x: p.x, y: p.y } : {}) });
      } else if (this.sig.get(n.id) !== s) {
        updates.push(v);
      }
      if (known && fp && this.filePos.get(n.id) !== fp) updates.push({ ...v, x: n.x!, y: n.y! }); // moved by a text edit or undo
      this.sig.set(n.id, s);
      this.filePos.set(n.id, fp);
    }
    const edgeAdds: VEdge[] = [];
    const edgeUpdates: VEdge[] = [];
    for (const ge of delta ? delta.edges : model.edges) {
      const e = this.visEdge(ge);
      const s = JSON.stringify([e.from, e.to, e.label, e.color, e.width, e.dashes]);
      const key = `e:${ge.id}`;
      if (!this.sig.has(key)) edgeAdds.push(e);
      else if (this.sig.get(key) !== s) edgeUpdates.push(e);
      this.sig.set(key, s);
    }

    // vis-network redraws the whole canvas synchronously after each change of a DataSet (physics off):
    // no redraw of our own after them, and the draw after the last one is the one reported.
    const ops: (() => void)[] = [];
    if (edgesGone.length) ops.push(() => this.edges.remove(edgesGone));
    if (gone.length) ops.push(() => this.nodes.remove(gone));
    if (adds.length) ops.push(() => this.nodes.add(adds));
    if (updates.length) ops.push(() => this.nodes.update(updates));
    if (edgeAdds.length) ops.push(() => this.edges.add(edgeAdds));
    if (edgeUpdates.length) ops.push(() => this.edges.update(edgeUpdates));
    this.groupsDirty = true;
    this.pendingRender = undefined;
    if (firstTime) {
      // The first graph is drawn once: no draw per DataSet change or per host cluster (each would draw
      // the whole unclustered graph), one fit, then the one draw below.
      this.withoutRedraw(() => {
        for (const op of ops) op();
        if (model.nodes.length > BIG_GRAPH) this.clusterHosts(true);
        else this.network.fit({ animation: false });
      });
      ops.length = 0;
    }
    ops.forEach((op, i) => {
      if (i === ops.length - 1) this.pendingRender = { t0 };
      op();
    });
    if (!ops.length || this.pendingRender) {
      this.pendingRender = { t0 };
      this.network.redraw();
    }
  }

  /**
   * Runs `f` with vis-network's drawing blocked (its internal `_blockRedraw`/`_allowRedraw` events; with
   * physics off every DataSet change otherwise draws the whole canvas synchronously). The caller draws after.
   */
  private withoutRedraw(f: () => void): void {
    this.emitInternal('_blockRedraw');
    try {
      f();
    } finally {
      this.emitInternal('_allowRedraw');
    }
  }

  /** vis-network's internal event bus (`body.emitter`); the typings leave it out. */
  private emitInternal(event: '_blockRedraw' | '_allowRedraw' | '_dataChanged'): void {
    (this.network as unknown as { body?: { emitter?: { emit(event: string): void } } }).body?.emitter?.emit(event);
  }

  /** A position for a node added after the first draw: under its network, else near its host. */
  private placeNear(n: GraphNode, auto: () => Map<string, Point>): Point | undefined {
    const anchor = n.network ? `network:${n.network}` : `host:${n.host}`;
    if (!this.nodes.get(anchor)) return auto().get(n.id);
    const a = this.network.getPositions([anchor])[anchor];
    if (!a) return auto().get(n.id);
    const siblings = this.model?.nodes.filter((m) => m.kind === n.kind && (n.network ? m.network === n.network : m.host === n.host)).length ?? 1;
    return { x: a.x + ((siblings % 5) - 2) * 60, y: a.y + 130 + Math.floor(siblings / 5) * 20 };
  }

  applyLayout(mode: LayoutMode | 'force'): void {
    if (!this.model) return;
    if (this.clustered) this.clusterHosts(false);
    if (mode === 'force') {
      if (this.model.nodes.length > BIG_GRAPH) return this.applyLayout('host');
      this.network.setOptions({ physics: { enabled: true, solver: 'barnesHut', stabilization: { enabled: true, iterations: 300, fit: true } } });
      this.network.stabilize(300);
      this.network.once('stabilized', () => {
        this.network.setOptions({ physics: { enabled: false } });
        this.groupsDirty = true;
      });
      return;
    }
    const pos = autoLayout(this.model, mode);
    this.nodes.update([...pos].map(([id, p]) => ({ id, x: p.x, y: p.y }) as VNode));
    this.groupsDirty = true;
    this.network.fit({ animation: false });
  }

  isClustered(): boolean {
    return this.clustered;
  }

  /** Collapses each host's nodes into one cluster node (or opens them all). */
  clusterHosts(on: boolean): void {
    if (!this.model) return;
    const p = this.palette;
    // cluster(options, refreshData = false): the network's indices are refreshed (and drawn) once, after all hosts.
    const cluster = this.network.cluster.bind(this.network) as (options: ClusterOptions, refreshData: boolean) => void;
    let made = 0;
    for (const h of this.model.hosts) {
      const cid = `cluster:${h}`;
      if (on && !this.network.isCluster(cid)) {
        const members = this.model.nodes.filter((n) => n.host === h);
        const vms = members.filter((n) => n.kind === 'vm').length;
        const nets = members.filter((n) => n.kind === 'network').length;
        made++;
        cluster({
          joinCondition: (o: { host?: string }) => o.host === h,
          clusterNodeProperties: {
            id: cid, label: `${h}\n${vms} VMs · ${nets} networks`, shape: 'box', borderWidth: 2, margin: { top: 14, bottom: 14, left: 14, right: 14 },
            color: { background: p.group, border: p.host }, font: { color: p.fg, size: 16 }, title: `host ${h}: double-click to expand`,
          } as Node,
        }, false);
      } else if (!on && this.network.isCluster(cid)) {
        this.network.openCluster(cid);
      }
    }
    if (made) this.emitInternal('_dataChanged');
    this.clustered = on;
    this.groupsDirty = true;
    if (on) {
      // Host clusters side by side (their members' spread would make them specks), then fit.
      this.model.hosts.forEach((h, i) => this.network.isCluster(`cluster:${h}`) && this.network.moveNode(`cluster:${h}`, (i % 6) * 320, Math.floor(i / 6) * 200));
    }
    this.network.fit({ animation: false });
  }

  /** Recolours the VMs whose state changed; returns how many drawn VMs now show each state. */
  setLiveState(states: Record<string, LiveState>): Partial<Record<LiveState, number>> {
    const before = this.live;
    this.live = { ...this.live, ...states };
    const counts: Partial<Record<LiveState, number>> = {};
    if (!this.model) return counts;
    const vms = this.model.nodes.filter((n) => n.kind === 'vm');
    // Only the VMs whose colour changes: a refresh reports every VM of a host, mostly unchanged
    // (and each DataSet update redraws the whole canvas).
    const ups = vms.filter((n) => states[n.name] !== undefined && states[n.name] !== (before[n.name] ?? 'unknown')).map((n) => this.visNode(n));
    if (ups.length) this.nodes.update(ups);
    for (const n of vms) {
      const st = this.live[n.name] ?? 'unknown';
      counts[st] = (counts[st] ?? 0) + 1;
    }
    return counts;
  }

  /** Live link impairments: the links whose state changed are restyled (label, tooltip, dashes). */
  setLinkState(links: Record<string, LinkLive>): number {
    const before = this.linkLive;
    this.linkLive = links;
    if (!this.model) return 0;
    const changed = this.model.edges.filter((e) => e.kind === 'link' && e.link && JSON.stringify(before[e.link]) !== JSON.stringify(links[e.link]));
    if (changed.length) this.edges.update(changed.map((e) => this.visEdge(e)));
    return changed.length;
  }

  /** Replaces the plan's markers and redraws; returns how many drawn VMs carry each marker. */
  setPlanMarks(marks: Record<string, PlanMark>): Partial<Record<PlanMark, number>> {
    this.marks = { ...marks };
    this.network.redraw();
    const counts: Partial<Record<PlanMark, number>> = {};
    for (const n of this.model?.nodes ?? []) {
      const m = n.kind === 'vm' ? this.marks[n.name] : undefined;
      if (m && this.nodes.get(n.id)) counts[m] = (counts[m] ?? 0) + 1;
    }
    return counts;
  }

  /** A small badge on each marked VM: `+` not defined on its host, `≠` defined otherwise, `↻` stale. */
  private drawMarks(ctx: CanvasRenderingContext2D): void {
    const names = Object.keys(this.marks);
    if (!names.length || !this.model) return;
    const ids = names.map((n) => `vm:${n}`).filter((id) => this.nodes.get(id) && !this.network.isCluster(this.network.findNode(id)[0] ?? ''));
    const pos = this.network.getPositions(ids);
    const p = this.palette;
    const colour: Record<PlanMark, string> = { missing: p.network, differs: p.link, stale: p.slot };
    const glyph: Record<PlanMark, string> = { missing: '+', differs: '≠', stale: '↻' };
    ctx.save();
    for (const id of ids) {
      const q = pos[id];
      const mark = this.marks[id.slice(3)];
      if (!q || !mark) continue;
      const x = q.x - 20;
      const y = q.y - 20;
      ctx.beginPath();
      ctx.arc(x, y, 8, 0, 2 * Math.PI);
      ctx.fillStyle = colour[mark];
      ctx.fill();
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = p.bg;
      ctx.stroke();
      ctx.fillStyle = p.bg;
      ctx.font = `bold 11px ${p.font}`;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.fillText(glyph[mark], x, y + 0.5);
    }
    ctx.restore();
  }

  /** Re-reads theme colours and restyles everything (on a theme change). */
  retheme(): void {
    const palette = readPalette();
    if (JSON.stringify(palette) === JSON.stringify(this.palette)) return;
    this.palette = palette;
    this.network.setOptions(this.options(this.model?.nodes.length ?? 0));
    if (!this.model) return;
    this.nodes.update(this.model.nodes.map((n) => this.visNode(n)));
    this.edges.update(this.model.edges.map((e) => this.visEdge(e)));
    if (this.clustered) {
      this.clusterHosts(false);
      this.clusterHosts(true);
    }
  }

  focusNode(id: string): boolean {
    if (!this.nodes.get(id)) return false;
    const path = this.network.findNode(id);
    for (const c of path.slice(0, -1)) if (this.network.isCluster(c)) this.network.openCluster(c);
    this.network.selectNodes([id]);
    this.network.focus(id, { scale: 1.1, animation: { duration: 250, easingFunction: 'easeInOutQuad' } });
    this.emitSelect();
    return true;
  }

  fit(): void {
    this.network.fit({ animation: { duration: 250, easingFunction: 'easeInOutQuad' } });
  }

  selection(): { nodes: string[]; edges: string[] } {
    const s = this.network.getSelection();
    return { nodes: s.nodes.map(String), edges: s.edges.map(String) };
  }

  private emitSelect(): void {
    this.events.select(this.selection());
  }

  canvasPoint(clientX: number, clientY: number, container: HTMLElement): Point {
    const r = container.getBoundingClientRect();
    return this.network.DOMtoCanvas({ x: clientX - r.left, y: clientY - r.top });
  }

  private visNode(n: GraphNode): VNode {
    const p = this.palette;
    const base = { id: n.id, kind: n.kind, host: n.host, name: n.name, label: n.label, title: n.detail };
    switch (n.kind) {
      case 'vm':
        return { ...base, shape: 'image', image: vmIcon(p, n.backend ?? '', n.arch ?? 'x86_64', this.live[n.name] ?? 'unknown'), size: 20,
          color: { border: p.focus, highlight: { border: p.focus, background: p.bg } }, shapeProperties: { useBorderWithImage: false } };
      case 'network':
        return { ...base, shape: 'box', margin: { top: 8, bottom: 8, left: 10, right: 10 }, borderWidth: 2,
          color: { background: p.bg, border: p.network, highlight: { background: p.bg, border: p.focus }, hover: { background: p.bg, border: p.focus } } };
      case 'host':
        return { ...base, shape: 'box', margin: { top: 10, bottom: 10, left: 14, right: 14 }, borderWidth: 2, font: { color: p.fg, size: 16, bold: { color: p.fg } },
          color: { background: p.group, border: p.host, highlight: { background: p.group, border: p.focus }, hover: { background: p.group, border: p.focus } } };
      case 'slot':
        return { ...base, shape: 'box', margin: { top: 6, bottom: 6, left: 8, right: 8 }, borderWidth: 2, shapeProperties: { borderDashes: [4, 3] },
          color: { background: p.bg, border: p.slot, highlight: { background: p.bg, border: p.focus }, hover: { background: p.bg, border: p.focus } } };
    }
  }

  private visEdge(e: GraphEdge): VEdge {
    const p = this.palette;
    const base = { id: e.id, kind: e.kind, from: e.from, to: e.to, ...(e.label ? { label: e.label } : {}), ...(e.link ? { link: e.link } : {}) };
    switch (e.kind) {
      case 'link': {
        // Impaired (live values on the link, dashed) or partitioned (red, sparse dashes): see setLinkState.
        const live = e.link ? this.linkLive[e.link] : undefined;
        if (live && (live.impaired || live.partitioned)) {
          const colour = live.partitioned ? p.partitioned : p.impaired;
          return { ...base, label: [e.label, live.label].filter(Boolean).join('\n'), title: live.tooltip, width: 4, dashes: live.partitioned ? [2, 6] : [10, 5],
            smooth: { enabled: true, type: 'curvedCW', roundness: 0.25 }, color: { color: colour, highlight: p.focus, hover: p.focus }, font: { color: colour, size: 11, strokeWidth: 3, strokeColor: p.bg } };
        }
        // Curved, so links between VMs in one row do not hide behind each other.
        return { ...base, width: 3, smooth: { enabled: true, type: 'curvedCW', roundness: 0.25 }, color: { color: e.profiles?.length ? p.link : p.fg, highlight: p.focus, hover: p.focus }, font: { color: p.link, size: 11, strokeWidth: 3, strokeColor: p.bg } };
      }
      case 'nic':
        return { ...base, width: 1.5, color: { color: e.profiles?.length ? p.link : p.network, highlight: p.focus, hover: p.focus, opacity: 0.8 } };
      case 'host':
        return { ...base, width: 1, dashes: [2, 4], color: { color: p.host, highlight: p.focus, hover: p.focus, opacity: 0.6 } };
      case 'slot':
        return { ...base, width: 1, dashes: [6, 3], color: { color: p.slot, highlight: p.focus, hover: p.focus } };
    }
  }

  /** Host groups: a rounded rectangle behind each host's nodes, with the host's name. */
  private drawGroups(ctx: CanvasRenderingContext2D): void {
    if (!this.model || this.clustered) return;
    if (this.groupsDirty) {
      this.groupsDirty = false;
      const pos = this.network.getPositions();
      const boxes = new Map<string, { x0: number; y0: number; x1: number; y1: number }>();
      for (const n of this.model.nodes) {
        const q = pos[n.id];
        if (!q) continue;
        const b = boxes.get(n.host) ?? { x0: q.x, y0: q.y, x1: q.x, y1: q.y };
        b.x0 = Math.min(b.x0, q.x);
        b.y0 = Math.min(b.y0, q.y);
        b.x1 = Math.max(b.x1, q.x);
        b.y1 = Math.max(b.y1, q.y);
        boxes.set(n.host, b);
      }
      this.groups = [...boxes].filter(([h]) => this.model!.hosts.includes(h)).map(([host, b]) => ({ host, ...b }));
    }
    const p = this.palette;
    ctx.save();
    for (const g of this.groups) {
      const pad = 70;
      const x = g.x0 - pad;
      const y = g.y0 - pad;
      const w = g.x1 - g.x0 + 2 * pad;
      const h = g.y1 - g.y0 + 2 * pad;
      ctx.beginPath();
      ctx.roundRect(x, y, w, h, 18);
      ctx.fillStyle = p.group;
      ctx.globalAlpha = p.kind === 'hc' ? 0.25 : 0.55;
      ctx.fill();
      ctx.globalAlpha = 1;
      ctx.lineWidth = p.kind === 'hc' ? 2 : 1;
      ctx.strokeStyle = p.host;
      ctx.setLineDash([8, 6]);
      ctx.stroke();
      ctx.setLineDash([]);
    }
    ctx.restore();
  }
}
