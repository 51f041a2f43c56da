// The vis-network canvas: DataSets updated incrementally from the extension's patches (add/update/remove
// by id, no diff of our own), positions from the file's layout section or a deterministic auto layout,
// physics off, host groups drawn behind the nodes. A collapsed host is its one summary node ("hv1 ·
// 12 VMs · 10 running"): its VMs, networks and slots are not in the DataSets until it is expanded,
// and a big lab opens with every host collapsed. The auto layout packs the host blocks (and the overview
// its summary nodes, a label's width apart) for the canvas's aspect; the first view (and Fit) fits the
// lab, labels and groups included, and scales the labels so they are drawn at least at the editor's
// font size. vis-network's esnext build (no bundled
// polyfills) and not its stylesheet (UI this view does not use): styles.css has the tooltip's rules.
import { DataSet } from 'vis-data/esnext';
import { Network, type IdType, type Options } from 'vis-network/esnext';
import { autoLayout, boxesOverlap, type LayoutMode, type Point } from '../../src/model/edits/layout';
import { COLLAPSE_ABOVE } from '../../src/model/edits/graph';
import type { GraphModel, GraphNode, GraphPatch, LinkLive, LiveState, PlanMark } from '../protocol';
import { readPalette, type Palette } from './theme';
import type { SvgEdge, SvgNode, SvgScene } from './exportSvg';
import { hostSummary, visEdge, visHostsEdge, visNode, type StyleContext, type VEdge, type VNode } from './visStyle';

export type { VEdge, VNode } from './visStyle';

/** Above this many nodes: no hover highlight, edges hidden while dragging/zooming. */
export const BIG_GRAPH = 300;
/** Label size in canvas units at label scale 1; labels grow up to MAX_LABEL_SCALE times to stay legible. */
const BASE_FONT = 14;
const MAX_LABEL_SCALE = 2.5;
/** Label scale above which VMs are labelled with their name only. */
const COMPACT_ABOVE = 1.3;
/** Pixels left between the fitted graph and the canvas's edges. */
const FIT_MARGIN = 14;
/** The fit zooms in no further than this (a lab of a few nodes is not drawn huge). */
const MAX_FIT_ZOOM = 1.5;

/** What the fit reads of vis-network's internals: the drawn nodes' positions and label-inclusive boxes. */
interface VisBody {
  nodeIndices: string[];
  nodes: Record<string, { x: number; y: number; shape: { boundingBox: { left: number; top: number; right: number; bottom: number } } } | undefined>;
  emitter: { emit(event: string): void };
}

export interface GraphEvents {
  select(ids: { nodes: string[]; edges: string[] }): void;
  moved(nodes: { id: string; x: number; y: number }[]): void;
  context(target: { kind: 'node' | 'edge'; id: string }, x: number, y: number): void;
  doubleClick(id: string): void;
  connect(from: string, to: string): void;
  /** `nodes`: the model's nodes the view represents (drawn, or inside a drawn collapsed host); `drawn`: nodes on the canvas. */
  rendered(nodes: number, edges: number, drawn: number, ms: number): void;
}

/** Where a drawn node's label is on the page, how big its text is drawn (the UI checks read it), and the node's centre. */
export interface LabelBox { id: string; left: number; top: number; right: number; bottom: number; textPx: number; x: number; y: number }

export class GraphView {
  readonly nodes = new DataSet<VNode>();
  readonly edges = new DataSet<VEdge>();
  readonly network: Network;
  private palette: Palette = readPalette();
  private model: GraphModel | undefined;
  private byId = new Map<string, GraphNode>();
  private live: Record<string, LiveState> = {};
  private linkLive: Record<string, LinkLive> = {};
  /** The plan's markers per VM name (drawn over the node's top-left corner). */
  private marks: Record<string, PlanMark> = {};
  /** Hosts drawn as their summary node. */
  private collapsed = new Set<string>();
  /** Every host collapsed and placed on a compact grid (the first view of a big lab). */
  private overview = false;
  /** The auto layout of the current model, for nodes the file does not place. */
  private auto: Map<string, Point> | undefined;
  private layoutMode: LayoutMode = 'host';
  /** Aggregated link edges between collapsed hosts: id → the links it stands for. */
  private hostsEdges = new Map<string, string[]>();
  private labelScale = 1;
  /** The overview's grid (cell size and columns), computed when the overview is laid out. */
  private grid: { cols: number; dx: number; dy: number } | undefined;
  /** The user zoomed or panned: a resize no longer refits. */
  private userView = false;
  private groups: { host: string; x0: number; y0: number; x1: number; y1: number }[] = [];
  private groupsDirty = true;
  private locked = false;
  private pendingRender: { t0: number } | undefined;
  /** Depth of withoutRedraw calls. */
  private blocked = 0;
  /** A hidden draw that sizes the labels (measureLabels): not a draw to report or decorate. */
  private measuring = false;
  /** The zoom of the last draw (what a resize keeps when the view is the user's). */
  private drawnScale: number | undefined;

  constructor(private readonly container: HTMLElement, private readonly events: GraphEvents) {
    this.network = new Network(container, { nodes: this.nodes, edges: this.edges }, this.options(0));
    for (const ev of ['selectNode', 'selectEdge', 'deselectNode', 'deselectEdge'] as const) this.network.on(ev, () => this.emitSelect());
    this.network.on('dragging', () => (this.groupsDirty = true));
    this.network.on('zoom', () => (this.userView = true));
    this.network.on('dragEnd', (p: { nodes: IdType[] }) => {
      if (!p.nodes.length) this.userView = true; // a pan
      const ids = p.nodes.map(String).filter((id) => !this.isSummary(id));
      if (!ids.length || this.locked) return;
      const pos = this.network.getPositions(ids);
      this.groupsDirty = true;
      this.events.moved(ids.filter((id) => pos[id]).map((id) => ({ id, x: Math.round(pos[id]!.x), y: Math.round(pos[id]!.y) })));
    });
    // A resize (the side form opening, a panel below) refits the first view; a view of the user's own
    // keeps its zoom (vis-network would scale it with the canvas's width and height: the side form and
    // a terminal together shrank the lab to a quarter).
    // vis-network emits 'resize' before it rescales the view: both run after that (a microtask, before the frame is shown).
    this.network.on('resize', () => {
      const kept = this.drawnScale;
      queueMicrotask(() => {
        if (!this.model) return;
        if (!this.userView) this.fitLegible(true);
        else if (kept) this.network.moveTo({ scale: kept, animation: false });
      });
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
      if (id && this.isSummary(id)) this.expandHost(id.slice('host:'.length));
      else if (id) this.events.doubleClick(id);
    });
    this.network.on('beforeDrawing', (ctx: CanvasRenderingContext2D) => !this.measuring && this.drawGroups(ctx));
    this.network.on('afterDrawing', (ctx: CanvasRenderingContext2D) => {
      if (this.measuring) return;
      this.drawnScale = this.network.getScale();
      this.drawMarks(ctx);
      if (!this.pendingRender) return;
      const { t0 } = this.pendingRender;
      this.pendingRender = undefined;
      this.events.rendered(this.model?.nodes.length ?? 0, this.model?.edges.length ?? 0, this.nodes.length, performance.now() - t0);
    });
  }

  private get style(): StyleContext {
    return { palette: this.palette, live: this.live, linkLive: this.linkLive, compact: this.labelScale > COMPACT_ABOVE };
  }

  private options(n: number): Options {
    const p = this.palette;
    const big = n > BIG_GRAPH;
    const size = BASE_FONT * this.labelScale;
    return {
      autoResize: true,
      physics: { enabled: false },
      layout: { improvedLayout: false, randomSeed: 7 },
      interaction: { hover: !big, tooltipDelay: 300, multiselect: true, keyboard: { enabled: true, bindToWindow: false }, hideEdgesOnDrag: big, hideEdgesOnZoom: big, dragNodes: !this.locked },
      // interpolation: an icon drawn at less than half its size comes from vis-network's mipmap (a bitmap),
      // not from the SVG rasterized again on every draw (most of a redraw's time at 1 000 VMs); labels
      // drawn smaller than 7 px (unreadable) are skipped.
      nodes: { font: { color: p.fg, face: p.font, size, multi: false }, borderWidth: 1, shapeProperties: { interpolation: true }, scaling: { label: { drawThreshold: 8 } } },
      edges: { smooth: false, width: 1, font: { color: p.muted, size: size * 0.8, face: p.font, strokeWidth: 3, strokeColor: p.bg }, color: { color: p.nic, highlight: p.focus, hover: p.focus }, selectionWidth: 2 },
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

  /** A collapsed host's summary node. */
  private isSummary(id: string): boolean {
    return id.startsWith('host:') && this.collapsed.has(id.slice('host:'.length));
  }

  /** Whether the node is on the canvas: hosts always (collapsed: as their summary), the rest unless their host is collapsed. */
  private shown(n: GraphNode): boolean {
    return n.kind === 'host' || !this.collapsed.has(n.host);
  }

  /** The drawn node an edge's end is drawn at: the node, or its collapsed host's summary. */
  private rep(id: string): string | undefined {
    const n = this.byId.get(id);
    if (!n) return undefined;
    return this.shown(n) ? id : `host:${n.host}`;
  }

  private summaryOf(host: string): string | undefined {
    if (!this.collapsed.has(host) || !this.model) return undefined;
    return hostSummary(host, this.model.nodes.filter((n) => n.kind === 'vm' && n.host === host).map((n) => n.name), this.live);
  }

  private drawn(n: GraphNode): VNode {
    return visNode(n, this.style, n.kind === 'host' ? this.summaryOf(n.name) : undefined);
  }

  /** Where a node goes when it is drawn: the file's position, the overview grid (collapsed hosts), or the auto layout. */
  private positionOf(n: GraphNode): Point | undefined {
    if (this.overview && n.kind === 'host') return this.overviewPos(n.name);
    if (n.x !== undefined && n.y !== undefined) return { x: n.x, y: n.y };
    this.auto ??= autoLayout(this.model!, this.layoutMode, this.aspect());
    return this.auto.get(n.id);
  }

  /** The canvas's width over its height (what the auto layout and the overview grid are packed for). */
  private aspect(): number {
    const r = this.container.getBoundingClientRect();
    return r.width > 0 && r.height > 0 ? r.width / r.height : 1.8;
  }

  /** Collapsed hosts in a grid: a cell as wide as the widest summary label at its biggest, as many columns as the canvas shows biggest. */
  private overviewPos(host: string): Point {
    const hosts = this.model?.hosts ?? [];
    const i = Math.max(0, hosts.indexOf(host));
    this.grid ??= this.overviewGrid(hosts);
    return { x: (i % this.grid.cols) * this.grid.dx, y: Math.floor(i / this.grid.cols) * this.grid.dy };
  }

  private overviewGrid(hosts: string[]): { cols: number; dx: number; dy: number } {
    const ctx = document.createElement('canvas').getContext('2d');
    if (ctx) ctx.font = `bold ${BASE_FONT}px ${this.palette.font}`;
    let widest = 0; // at label scale 1
    for (const h of hosts) {
      // Measured as if every VM ran: the label's widest form, so a live update never makes it overlap.
      const vms = this.model?.nodes.filter((n) => n.kind === 'vm' && n.host === h).map((n) => n.name) ?? [];
      const text = hostSummary(h, vms, Object.fromEntries(vms.map((v) => [v, 'running' as const])));
      for (const line of text.split('\n')) widest = Math.max(widest, ctx ? ctx.measureText(line).width : line.length * BASE_FONT * 0.6);
    }
    const r = this.container.getBoundingClientRect();
    const cw = r.width > 0 ? r.width : 1000;
    const ch = r.height > 0 ? r.height : 560;
    // The cells are as big as the labels will be drawn: at the label scale the fit will choose (the
    // editor's font at the fitted zoom), found by trying the grid it gives a few times over.
    let grid = { cols: 1, dx: 0, dy: 0 };
    let scale = MAX_LABEL_SCALE;
    for (let round = 0; round < 3; round++) {
      const px = BASE_FONT * scale * 1.1;
      const cell = { w: widest * scale * 1.1, h: 2 * 26 + 2.6 * px };
      const gap = 2 * BASE_FONT * scale;
      const dx = cell.w + gap;
      const dy = cell.h + gap;
      let best = 0;
      let zoom = 1;
      for (let k = 1; k <= Math.max(1, hosts.length); k++) {
        // The zoom a fit of k cells across (as many rows as it takes) reaches on this canvas.
        const z = Math.min(cw / ((k - 1) * dx + cell.w), ch / ((Math.ceil(hosts.length / k) - 1) * dy + cell.h));
        if (z > best * 1.0001) {
          best = z;
          zoom = z;
          grid = { cols: k, dx, dy };
        }
      }
      const next = Math.min(MAX_LABEL_SCALE, Math.max(1, this.palette.fontSize / (BASE_FONT * zoom)));
      if (Math.abs(next - scale) < 0.05) break;
      scale = next;
    }
    return grid;
  }

  /**
   * Applies a new graph. With `patch` (what changed since the graph drawn last, from the extension)
   * only its nodes and edges are touched; without it (first draw, resync) every drawn node is set.
   */
  setGraph(model: GraphModel, layoutMode: LayoutMode, firstTime: boolean, patch?: GraphPatch): void {
    const t0 = performance.now();
    const prev = this.model;
    this.model = model;
    this.layoutMode = layoutMode;
    this.byId = new Map(model.nodes.map((n) => [n.id, n]));
    for (const h of [...this.collapsed]) if (!model.hosts.includes(h)) this.collapsed.delete(h);
    if (firstTime) this.grid = undefined;
    if (firstTime) {
      this.auto = undefined;
      if (model.nodes.length > COLLAPSE_ABOVE) {
        this.collapsed = new Set(model.hosts);
        this.overview = true;
      }
      this.network.setOptions(this.options(model.nodes.length));
    }
    const delta = patch && prev && !firstTime ? patch : undefined;
    const ops: (() => void)[] = [];
    const nodeAdds: VNode[] = [];
    const nodeUpdates: VNode[] = [];
    const edgeAdds: VEdge[] = [];
    const edgeUpdates: VEdge[] = [];
    let nodesGone: string[];
    let edgesGone: string[];
    if (delta) {
      nodesGone = delta.removedNodes.filter((id) => this.nodes.get(id));
      edgesGone = delta.removedEdges.filter((id) => this.edges.get(id));
      for (const n of delta.nodes) {
        if (!this.shown(n)) continue;
        const v = this.drawn(n);
        if (this.nodes.get(n.id)) {
          // Moved by a text edit or an undo: the file's position; else where the node is now.
          nodeUpdates.push(n.x !== undefined && n.y !== undefined && !this.isSummary(n.id) ? { ...v, x: n.x, y: n.y } : v);
        } else {
          nodeAdds.push({ ...v, ...(n.x !== undefined && n.y !== undefined ? { x: n.x, y: n.y } : this.placeNear(n)) });
        }
      }
      for (const e of delta.edges) {
        const from = this.byId.get(e.from);
        const to = this.byId.get(e.to);
        const show = !!from && !!to && this.shown(from) && this.shown(to);
        if (show) (this.edges.get(e.id) ? edgeUpdates : edgeAdds).push(visEdge(e, this.style));
        else if (this.edges.get(e.id)) edgesGone.push(e.id);
      }
      // Collapsed hosts whose summary changed (a VM added, removed or moved to another host).
      for (const h of this.collapsed) {
        const node = this.byId.get(`host:${h}`);
        if (node && !delta.nodes.includes(node) && this.nodes.get(node.id)?.label !== this.summaryOf(h)) nodeUpdates.push(this.drawn(node));
      }
    } else {
      const want = new Set<string>();
      for (const n of model.nodes) {
        if (!this.shown(n)) continue;
        want.add(n.id);
        const v = this.drawn(n);
        if (this.nodes.get(n.id)) nodeUpdates.push(n.x !== undefined && n.y !== undefined && !this.isSummary(n.id) ? { ...v, x: n.x, y: n.y } : v);
        else nodeAdds.push({ ...v, ...(firstTime || !prev ? this.positionOf(n) : n.x !== undefined && n.y !== undefined ? { x: n.x, y: n.y } : this.placeNear(n)) });
      }
      nodesGone = this.nodes.getIds().map(String).filter((id) => !want.has(id));
      const wantEdges = new Set<string>();
      for (const e of model.edges) {
        const from = this.byId.get(e.from);
        const to = this.byId.get(e.to);
        if (!from || !to || !this.shown(from) || !this.shown(to)) continue;
        wantEdges.add(e.id);
        (this.edges.get(e.id) ? edgeUpdates : edgeAdds).push(visEdge(e, this.style));
      }
      edgesGone = this.edges.getIds().map(String).filter((id) => !wantEdges.has(id) && !this.hostsEdges.has(id));
    }
    const hostsEdgeOps = this.hostsEdgeChanges();
    // vis-network draws the whole canvas after each change of a DataSet (physics off: once at once and
    // once more on the next frame): the changes are made with drawing blocked, then drawn once.
    if (edgesGone.length) ops.push(() => this.edges.remove(edgesGone));
    if (nodesGone.length) ops.push(() => this.nodes.remove(nodesGone));
    if (nodeAdds.length) ops.push(() => this.nodes.add(nodeAdds));
    if (nodeUpdates.length) ops.push(() => this.nodes.update(nodeUpdates));
    if (edgeAdds.length) ops.push(() => this.edges.add(edgeAdds));
    if (edgeUpdates.length) ops.push(() => this.edges.update(edgeUpdates));
    ops.push(...hostsEdgeOps);
    this.groupsDirty = true;
    this.withoutRedraw(() => {
      for (const op of ops) op();
      if (firstTime) this.fitLegible(false);
    });
    this.pendingRender = { t0 };
    this.network.redraw();
  }

  /** The DataSet operations that bring the aggregated host-to-host link edges up to date. */
  private hostsEdgeChanges(): (() => void)[] {
    const want = new Map<string, { from: string; to: string; links: string[] }>();
    if (this.collapsed.size && this.model) {
      for (const e of this.model.edges) {
        if (e.kind !== 'link' || !e.link) continue;
        const a = this.rep(e.from);
        const b = this.rep(e.to);
        if (!a || !b || a === b || (a === e.from && b === e.to)) continue;
        const [from, to] = a < b ? [a, b] : [b, a];
        const id = `hosts:${from}|${to}`;
        const w = want.get(id) ?? want.set(id, { from, to, links: [] }).get(id)!;
        w.links.push(e.link);
      }
    }
    const gone = [...this.hostsEdges.keys()].filter((id) => !want.has(id));
    const changed = [...want].filter(([id, w]) => this.hostsEdges.get(id)?.join('\n') !== w.links.join('\n'));
    this.hostsEdges = new Map([...want].map(([id, w]) => [id, w.links]));
    const ops: (() => void)[] = [];
    if (gone.length) ops.push(() => this.edges.remove(gone));
    if (changed.length) ops.push(() => this.edges.update(changed.map(([id, w]) => visHostsEdge(id, w.from, w.to, w.links, this.style))));
    return ops;
  }

  /**
   * Fits the drawn graph (labels and host groups included) to the canvas, then scales the labels so
   * that at this zoom they are drawn at least at the editor's font size (up to MAX_LABEL_SCALE times
   * their base size), and fits again for the bigger labels, until both hold.
   */
  private fitLegible(animate: boolean): void {
    const font = this.palette.fontSize;
    this.withoutRedraw(() => {
      this.fitBox();
      for (let i = 0; i < 6; i++) {
        const s = this.network.getScale();
        if (!(s > 0) || !Number.isFinite(s)) return;
        const px = BASE_FONT * this.labelScale * s;
        if (px >= font * 0.995 && px <= font * 1.1) break;
        // A little above the font: the bigger labels widen the box, and the next fit zooms out a bit.
        const want = Math.min(MAX_LABEL_SCALE, Math.max(1, (font * 1.04) / (BASE_FONT * s)));
        if (Math.abs(want - this.labelScale) < 0.01) break;
        this.setLabelScale(want);
        this.fitBox();
      }
      this.spreadForLabels();
    });
    if (!animate) return;
    this.pendingRender ??= { t0: performance.now() };
    this.network.redraw();
  }

  /**
   * Where long names overlap at the fitted zoom (labels wider than the auto layout's columns), lays the
   * nodes the file does not place out again with columns as wide as the drawn labels, and fits again;
   * a few rounds, as each fit changes the zoom and so the labels' size. Nodes the file places stay put.
   */
  private spreadForLabels(): void {
    for (let round = 0; round < 3 && this.model && !this.overview && this.nodes.length <= BIG_GRAPH; round++) {
      if (!boxesOverlap(this.labelBoxes())) return;
      const widths = this.labelWidths();
      this.auto = autoLayout(this.model, this.layoutMode, this.aspect(), widths);
      const moves = [...this.auto].filter(([id]) => this.nodes.get(id) && this.byId.get(id)?.x === undefined).map(([id, p]) => ({ id, x: p.x, y: p.y }) as VNode);
      if (!moves.length) return;
      this.nodes.update(moves);
      this.groupsDirty = true;
      this.fitBox();
      const s = this.network.getScale();
      if (s > 0 && Number.isFinite(s)) this.setLabelScale(Math.min(MAX_LABEL_SCALE, Math.max(1, (this.palette.fontSize * 1.04) / (BASE_FONT * s))));
      this.fitBox();
    }
  }

  /** Each drawn node's label width in canvas units (as last measured). */
  private labelWidths(): Map<string, number> {
    const body = (this.network as unknown as { body?: { nodes?: Record<string, { labelModule?: { size?: { width: number } } }> } }).body;
    const out = new Map<string, number>();
    for (const id of this.nodes.getIds().map(String)) {
      const w = body?.nodes?.[id]?.labelModule?.size?.width;
      if (w !== undefined && w > 0) out.set(id, w);
    }
    return out;
  }

  private setLabelScale(scale: number): void {
    const compact = this.labelScale > COMPACT_ABOVE;
    this.labelScale = scale;
    if (compact !== this.labelScale > COMPACT_ABOVE && this.model) {
      this.nodes.update(this.model.nodes.filter((n) => n.kind !== 'host' && this.nodes.get(n.id)).map((n) => this.drawn(n)));
      // vis-network keeps an edge's label that an update leaves out: the links are drawn anew.
      const links = this.model.edges.filter((e) => e.kind === 'link' && this.edges.get(e.id));
      this.edges.remove(links.map((e) => e.id));
      this.edges.add(links.map((e) => visEdge(e, this.style)));
    }
    this.network.setOptions({ nodes: { font: { size: BASE_FONT * scale } }, edges: { font: { size: BASE_FONT * scale * 0.8 } } });
  }

  /**
   * Zooms and centres so that every drawn node with its label, and every host group around its nodes,
   * is inside the canvas with FIT_MARGIN pixels to spare (vis-network's own fit knows only the nodes,
   * and leaves a margin in proportion).
   */
  private fitBox(): void {
    const body = this.body();
    const w = this.container.clientWidth;
    const h = this.container.clientHeight;
    if (!body?.nodeIndices.length || !(w > 2 * FIT_MARGIN) || !(h > 2 * FIT_MARGIN)) {
      this.network.fit({ animation: false });
      return;
    }
    this.measureLabels();
    const pad = 30 + 20 * this.labelScale;
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const id of body.nodeIndices) {
      const n = body.nodes[id];
      if (!n) continue;
      const b = n.shape.boundingBox;
      const g = this.isSummary(String(id)) ? 0 : pad;
      x0 = Math.min(x0, b.left, n.x - g);
      y0 = Math.min(y0, b.top, n.y - g);
      x1 = Math.max(x1, b.right, n.x + g);
      y1 = Math.max(y1, b.bottom, n.y + g);
    }
    if (!Number.isFinite(x0 + y0 + x1 + y1)) return;
    const scale = Math.min(MAX_FIT_ZOOM, (w - 2 * FIT_MARGIN) / Math.max(1, x1 - x0), (h - 2 * FIT_MARGIN) / Math.max(1, y1 - y0));
    this.network.moveTo({ position: { x: (x0 + x1) / 2, y: (y0 + y1) / 2 }, scale, animation: false });
  }

  /**
   * vis-network sizes a label when it draws it: a hidden draw (every node, then cleared; its own
   * drawing blocked or not) gives the boxes for the current font size before the fit reads them.
   */
  private measureLabels(): void {
    const r = (this.network as unknown as { renderer?: { allowRedraw: boolean; _redraw(hidden: boolean): void } }).renderer;
    if (!r) return;
    const allow = r.allowRedraw;
    this.measuring = true;
    try {
      r.allowRedraw = true;
      r._redraw(true);
    } finally {
      r.allowRedraw = allow;
      this.measuring = false;
    }
  }

  /** vis-network's internals the fit reads (the typings leave them out). */
  private body(): VisBody | undefined {
    return (this.network as unknown as { body?: VisBody }).body;
  }

  /**
   * Runs `f` with vis-network's drawing blocked (its internal `_blockRedraw`/`_allowRedraw` events; with
   * physics off every DataSet change otherwise draws the whole canvas, at once and again on the next
   * frame). Nested calls block until the outermost ends. The caller draws after.
   */
  private withoutRedraw(f: () => void): void {
    if (this.blocked++ === 0) this.emitInternal('_blockRedraw');
    try {
      f();
    } finally {
      if (--this.blocked === 0) this.emitInternal('_allowRedraw');
    }
  }

  /** vis-network's internal event bus (`body.emitter`); the typings leave it out. */
  private emitInternal(event: '_blockRedraw' | '_allowRedraw'): void {
    (this.network as unknown as { body?: { emitter?: { emit(event: string): void } } }).body?.emitter?.emit(event);
  }

  /** A position for a node added after the first draw: under its network, else near its host. */
  private placeNear(n: GraphNode): Point | Record<string, never> {
    const anchor = n.network ? `network:${n.network}` : `host:${n.host}`;
    const a = this.nodes.get(anchor) ? this.network.getPositions([anchor])[anchor] : undefined;
    if (!a) return this.positionOf(n) ?? {};
    const siblings = this.model?.nodes.filter((m) => m.kind === n.kind && (n.network ? m.network === n.network : m.host === n.host)).length ?? 1;
    return { x: a.x + ((siblings % 5) - 2) * 60, y: a.y + 130 + Math.floor(siblings / 5) * 20 };
  }

  applyLayout(mode: LayoutMode | 'force'): void {
    if (!this.model) return;
    if (this.collapsed.size) this.setCollapsed([], false);
    if (mode === 'force') {
      if (this.model.nodes.length > BIG_GRAPH) return this.applyLayout('host');
      this.network.setOptions({ physics: { enabled: true, solver: 'barnesHut', stabilization: { enabled: true, iterations: 300, fit: true } } });
      this.network.stabilize(300);
      this.network.once('stabilized', () => {
        this.network.setOptions({ physics: { enabled: false } });
        this.groupsDirty = true;
        this.fitLegible(true);
      });
      return;
    }
    this.layoutMode = mode;
    this.auto = autoLayout(this.model, mode, this.aspect());
    this.nodes.update([...this.auto].filter(([id]) => this.nodes.get(id)).map(([id, p]) => ({ id, x: p.x, y: p.y }) as VNode));
    this.groupsDirty = true;
    this.userView = false;
    this.fitLegible(true);
  }

  isClustered(): boolean {
    return this.collapsed.size > 0;
  }

  isCollapsed(host: string): boolean {
    return this.collapsed.has(host);
  }

  /** Collapses every host into its summary node, on a compact grid (or expands them all). */
  clusterHosts(on: boolean): void {
    this.setCollapsed(on ? this.model?.hosts ?? [] : [], on, false);
    this.userView = false;
    this.fitLegible(true);
  }

  /** Expands one collapsed host: its nodes appear at their places (the others stay collapsed there too), and the view fits it. */
  expandHost(host: string): void {
    if (!this.collapsed.has(host)) return;
    this.setCollapsed([...this.collapsed].filter((h) => h !== host), false, false);
    const ids = this.model?.nodes.filter((n) => n.host === host).map((n) => n.id) ?? [];
    this.network.fit({ nodes: ids, animation: false });
    this.pendingRender = { t0: performance.now() };
    this.network.redraw();
    this.userView = true;
  }

  collapseHost(host: string): void {
    if (this.collapsed.has(host)) return;
    this.setCollapsed([...this.collapsed, host], false);
  }

  /** Draws exactly `hosts` collapsed; `overview`: their summary nodes on the compact grid; `draw`: false when the caller fits and draws next. */
  private setCollapsed(hosts: string[], overview: boolean, draw = true): void {
    if (!this.model) return;
    const before = this.collapsed;
    const wasOverview = this.overview;
    this.collapsed = new Set(hosts);
    this.overview = overview && hosts.length > 0;
    this.grid = undefined;
    const model = this.model;
    const shownBefore = (n: GraphNode) => n.kind === 'host' || !before.has(n.host);
    const remove: string[] = [];
    const add: VNode[] = [];
    const update: VNode[] = [];
    for (const n of model.nodes) {
      const was = shownBefore(n);
      const is = this.shown(n);
      if (was && !is) remove.push(n.id);
      else if (!was && is) add.push({ ...this.drawn(n), ...this.positionOf(n) });
      else if (n.kind === 'host' && (before.has(n.name) !== this.collapsed.has(n.name) || wasOverview !== this.overview)) update.push({ ...this.drawn(n), ...this.positionOf(n) });
    }
    const shownIds = new Set(model.nodes.filter((n) => this.shown(n)).map((n) => n.id));
    const edgeRemove = this.edges.getIds().map(String).filter((id) => !this.hostsEdges.has(id) && (() => {
      const e = this.edges.get(id);
      return !e || !shownIds.has(String(e.from)) || !shownIds.has(String(e.to));
    })());
    const edgeAdd = model.edges.filter((e) => shownIds.has(e.from) && shownIds.has(e.to) && !this.edges.get(e.id)).map((e) => visEdge(e, this.style));
    this.withoutRedraw(() => {
      if (edgeRemove.length) this.edges.remove(edgeRemove);
      if (remove.length) this.nodes.remove(remove);
      if (add.length) this.nodes.add(add);
      if (update.length) this.nodes.update(update);
      if (edgeAdd.length) this.edges.add(edgeAdd);
      for (const op of this.hostsEdgeChanges()) op();
    });
    this.groupsDirty = true;
    if (!draw) return;
    this.pendingRender = { t0: performance.now() };
    this.network.redraw();
  }

  /** Redraws the VMs whose state changed (and the summaries of collapsed hosts); returns how many VMs show each state. */
  setLiveState(states: Record<string, LiveState>): Partial<Record<LiveState, number>> {
    const before = this.live;
    this.live = { ...this.live, ...states };
    const counts: Partial<Record<LiveState, number>> = {};
    if (!this.model) return counts;
    const vms = this.model.nodes.filter((n) => n.kind === 'vm');
    // Only the drawn VMs whose state changes: a refresh reports every VM of a host, mostly unchanged
    // (and each DataSet update redraws the whole canvas).
    const changed = vms.filter((n) => states[n.name] !== undefined && states[n.name] !== (before[n.name] ?? 'unknown'));
    const ups = changed.filter((n) => this.shown(n)).map((n) => this.drawn(n));
    for (const h of new Set(changed.filter((n) => !this.shown(n)).map((n) => n.host))) {
      const node = this.byId.get(`host:${h}`);
      if (node) ups.push(this.drawn(node));
    }
    if (ups.length) {
      this.withoutRedraw(() => this.nodes.update(ups));
      this.network.redraw();
    }
    for (const n of vms) {
      const st = this.live[n.name] ?? 'unknown';
      counts[st] = (counts[st] ?? 0) + 1;
    }
    return counts;
  }

  /** A VM's live state as the graph shows it. */
  liveStateOf(vm: string): LiveState {
    return this.live[vm] ?? 'unknown';
  }

  /** Live link impairments: the drawn links whose state changed are restyled (label, tooltip, dashes). */
  setLinkState(links: Record<string, LinkLive>): number {
    const before = this.linkLive;
    this.linkLive = links;
    if (!this.model) return 0;
    const changed = this.model.edges.filter((e) => e.kind === 'link' && e.link && this.edges.get(e.id) && JSON.stringify(before[e.link]) !== JSON.stringify(links[e.link]));
    if (changed.length) {
      // Drawn anew: vis-network would keep the impairment's label when an update leaves it out.
      this.edges.remove(changed.map((e) => e.id));
      this.edges.add(changed.map((e) => visEdge(e, this.style)));
    }
    if (this.hostsEdges.size) this.edges.update([...this.hostsEdges].map(([id, l]) => {
      const e = this.edges.get(id)!;
      return visHostsEdge(id, String(e.from), String(e.to), l, this.style);
    }));
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
    const ids = names.map((n) => `vm:${n}`).filter((id) => this.nodes.get(id));
    const pos = this.network.getPositions(ids);
    const p = this.palette;
    const colour: Record<PlanMark, string> = { missing: p.network, differs: p.link, stale: p.slot };
    const glyph: Record<PlanMark, string> = { missing: '+', differs: '≠', stale: '↻' };
    ctx.save();
    for (const id of ids) {
      const q = pos[id];
      const mark = this.marks[id.slice(3)];
      if (!q || !mark) continue;
      const x = q.x - 22;
      const y = q.y - 18;
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

  /** Re-reads theme colours and restyles everything drawn (on a theme change). */
  retheme(): void {
    const palette = readPalette();
    if (JSON.stringify(palette) === JSON.stringify(this.palette)) return;
    this.palette = palette;
    this.network.setOptions(this.options(this.model?.nodes.length ?? 0));
    if (!this.model) return;
    this.nodes.update(this.model.nodes.filter((n) => this.nodes.get(n.id)).map((n) => this.drawn(n)));
    this.edges.update(this.model.edges.filter((e) => this.edges.get(e.id)).map((e) => visEdge(e, this.style)));
    for (const op of this.hostsEdgeChanges()) op();
  }

  focusNode(id: string): boolean {
    const n = this.byId.get(id);
    if (!n) return false;
    if (!this.shown(n)) this.expandHost(n.host);
    this.network.selectNodes([id]);
    this.network.focus(id, { scale: Math.max(this.network.getScale(), 1 / this.labelScale), animation: { duration: 250, easingFunction: 'easeInOutQuad' } });
    this.userView = true;
    this.emitSelect();
    return true;
  }

  fit(): void {
    this.userView = false;
    this.fitLegible(true);
  }

  selection(): { nodes: string[]; edges: string[] } {
    const s = this.network.getSelection();
    return { nodes: s.nodes.map(String), edges: s.edges.map(String) };
  }

  clearSelection(): void {
    this.network.unselectAll();
    this.emitSelect();
  }

  private emitSelect(): void {
    const s = this.selection();
    // The side form opening narrows the canvas: no refit under the user's pointer from now on.
    if (s.nodes.length || s.edges.length) this.userView = true;
    this.events.select(s);
  }

  canvasPoint(clientX: number, clientY: number, container: HTMLElement): Point {
    const r = container.getBoundingClientRect();
    return this.network.DOMtoCanvas({ x: clientX - r.left, y: clientY - r.top });
  }

  /** Each drawn node's label box in page pixels and its text size as drawn (font size × zoom). */
  labelBoxes(): LabelBox[] {
    const body = (this.network as unknown as { body?: { nodes?: Record<string, { labelModule?: { size?: { left: number; top: number; width: number; height: number }; fontOptions?: { size?: number } } }> } }).body;
    const r = this.container.getBoundingClientRect();
    const scale = this.network.getScale();
    const out: LabelBox[] = [];
    for (const id of this.nodes.getIds().map(String)) {
      const lm = body?.nodes?.[id]?.labelModule;
      const size = lm?.size;
      if (!size || !lm?.fontOptions?.size) continue;
      const a = this.network.canvasToDOM({ x: size.left, y: size.top });
      const b = this.network.canvasToDOM({ x: size.left + size.width, y: size.top + size.height });
      const c = this.network.canvasToDOM(this.network.getPosition(id));
      out.push({ id, left: r.left + a.x, top: r.top + a.y, right: r.left + b.x, bottom: r.top + b.y, textPx: lm.fontOptions.size * scale, x: r.left + c.x, y: r.top + c.y });
    }
    return out;
  }

  /** What is in view, as shapes for the SVG export (exportSvg.ts). */
  exportScene(): SvgScene {
    const r = this.container.getBoundingClientRect();
    const a = this.network.DOMtoCanvas({ x: 0, y: 0 });
    const b = this.network.DOMtoCanvas({ x: r.width, y: r.height });
    const ids = this.nodes.getIds().map(String);
    const pos = this.network.getPositions(ids);
    const p = this.palette;
    const fontSize = BASE_FONT * this.labelScale;
    const nodes: SvgNode[] = this.nodes.get().flatMap((v) => {
      const q = pos[v.id];
      const size = (v.size ?? 20) * 2;
      return q && typeof v.image === 'string' ? [{ x: q.x, y: q.y, image: v.image, width: size, height: size, label: typeof v.label === 'string' ? v.label : '', bold: this.isSummary(v.id) }] : [];
    });
    const edges: SvgEdge[] = this.edges.get().flatMap((e) => {
      const f = pos[String(e.from)];
      const t = pos[String(e.to)];
      if (!f || !t) return [];
      const colour = typeof e.color === 'object' && e.color && 'color' in e.color && typeof e.color.color === 'string' ? e.color.color : p.nic;
      const font = typeof e.font === 'object' && e.font && typeof e.font.color === 'string' ? e.font.color : p.muted;
      const curved = typeof e.smooth === 'object' && e.smooth && 'enabled' in e.smooth && e.smooth.enabled;
      return [{ x1: f.x, y1: f.y, x2: t.x, y2: t.y, colour, width: typeof e.width === 'number' ? e.width : 1, ...(Array.isArray(e.dashes) ? { dashes: e.dashes } : {}),
        ...(curved ? { bend: 0.25 } : {}), ...(typeof e.label === 'string' && e.label ? { label: e.label, labelColour: font } : {}) }];
    });
    const pad = 30 + 20 * this.labelScale;
    const groups = this.groups.map((g) => ({ x: g.x0 - pad, y: g.y0 - pad, width: g.x1 - g.x0 + 2 * pad, height: g.y1 - g.y0 + 2 * pad }));
    return { view: { x: a.x, y: a.y, width: b.x - a.x, height: b.y - a.y }, background: p.bg, foreground: p.fg, groupFill: p.group, groupStroke: p.host, font: p.font, fontSize, nodes, edges, groups };
  }

  /** What is in view as a PNG (base64), on the theme's background, at the screen's pixel density. */
  exportPng(): string {
    const src = this.container.querySelector('canvas');
    if (!src) return '';
    const out = document.createElement('canvas');
    out.width = src.width;
    out.height = src.height;
    const ctx = out.getContext('2d')!;
    ctx.fillStyle = this.palette.bg;
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(src, 0, 0);
    return out.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
  }

  /** Host groups: a rounded rectangle behind each expanded host's nodes. */
  private drawGroups(ctx: CanvasRenderingContext2D): void {
    if (!this.model) return;
    if (this.groupsDirty) {
      this.groupsDirty = false;
      const ids = this.nodes.getIds();
      const pos = this.network.getPositions(ids);
      const boxes = new Map<string, { x0: number; y0: number; x1: number; y1: number; n: number }>();
      for (const id of ids) {
        const n = this.byId.get(String(id));
        const q = pos[String(id)];
        if (!n || !q || this.collapsed.has(n.host)) continue;
        const b = boxes.get(n.host) ?? { x0: q.x, y0: q.y, x1: q.x, y1: q.y, n: 0 };
        b.x0 = Math.min(b.x0, q.x);
        b.y0 = Math.min(b.y0, q.y);
        b.x1 = Math.max(b.x1, q.x);
        b.y1 = Math.max(b.y1, q.y);
        b.n++;
        boxes.set(n.host, b);
      }
      this.groups = [...boxes].filter(([h, b]) => b.n > 1 && this.model!.hosts.includes(h)).map(([host, b]) => ({ host, ...b }));
    }
    const p = this.palette;
    const pad = 30 + 20 * this.labelScale;
    ctx.save();
    for (const g of this.groups) {
      ctx.beginPath();
      ctx.roundRect(g.x0 - pad, g.y0 - pad, g.x1 - g.x0 + 2 * pad, g.y1 - g.y0 + 2 * pad, 18);
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
