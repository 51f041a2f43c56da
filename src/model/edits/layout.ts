// Deterministic, linear-time automatic layouts for the graph (the same input always gives the same
// picture, so a lab looks the same between opens). Pure and browser-safe.
import type { GraphModel, GraphNode } from './graph';

export type LayoutMode = 'host' | 'network';
export interface Point {
  x: number;
  y: number;
}

const VM_DX = 150;
const VM_DY = 100;
const NET_DX = 200;
const GAP = 180;
const NET_Y = 110;
const SLOT_Y = 210;
/** Width over height the host blocks are arranged for when the caller does not say (a graph beside the text is landscape). */
const ASPECT = 1.8;
/** Room left between two neighbours' labels when the columns are widened for them. */
const LABEL_GAP = 24;

/** A drawn label's width (canvas units) by node id, when the caller has measured them. */
export type LabelWidths = ReadonlyMap<string, number>;

/** The column pitch that keeps neighbours' labels apart: at least `min`, and wide enough for the two widest labels side by side. */
export function pitchFor(nodes: readonly GraphNode[], min: number, widths?: LabelWidths): number {
  if (!widths) return min;
  const w = nodes.map((n) => widths.get(n.id) ?? 0).sort((a, b) => b - a);
  return Math.max(min, ((w[0] ?? 0) + (w[1] ?? 0)) / 2 + LABEL_GAP);
}

/**
 * Columns per host ("host") or per network ("network"): hosts on top, then networks, slots, and the VMs
 * in a grid below, ordered by their first network so each VM sits under its network. `aspect`: the
 * width over height of the canvas the host blocks are packed for (the packing that a fit would draw biggest).
 * `widths`: the labels' drawn widths; a block whose labels are wider than its columns gets wider
 * columns (and fewer of them, so it keeps its shape), so that no two labels in a row overlap.
 */
export function autoLayout(g: Pick<GraphModel, 'nodes'>, mode: LayoutMode = 'host', aspect = ASPECT, widths?: LabelWidths): Map<string, Point> {
  const out = new Map<string, Point>();
  const hosts = g.nodes.filter((n) => n.kind === 'host');
  const by = (kind: GraphNode['kind']) => g.nodes.filter((n) => n.kind === kind);
  const nets = by('network');
  const vms = by('vm');
  const slots = by('slot');
  let x0 = 0;
  if (mode === 'host') {
    const groups = new Map<string, { nets: GraphNode[]; vms: GraphNode[]; slots: GraphNode[] }>();
    const group = (h: string) => groups.get(h) ?? groups.set(h, { nets: [], vms: [], slots: [] }).get(h)!;
    for (const h of hosts) group(h.name);
    for (const n of nets) group(n.host).nets.push(n);
    for (const n of slots) group(n.host).slots.push(n);
    for (const n of vms) group(n.host).vms.push(n);
    // Each host is a block (host, networks, slots, then its VMs in a grid), laid out at (0, 0) first.
    const blocks = [...groups].map(([h, grp]) => {
      const local = new Map<string, Point>();
      const netOrder = new Map(grp.nets.map((n, i) => [n.name, i]));
      const sorted = [...grp.vms].sort((a, b) => (netOrder.get(a.network ?? '') ?? 1e9) - (netOrder.get(b.network ?? '') ?? 1e9));
      const dx = pitchFor(sorted, VM_DX, widths);
      const netDx = pitchFor(grp.nets, NET_DX, widths);
      const slotDx = pitchFor(grp.slots, VM_DX, widths);
      const cols = Math.max(1, Math.min(Math.ceil(Math.sqrt((sorted.length * 2 * VM_DX) / dx)), 40));
      const width = Math.max(cols * dx, grp.nets.length * netDx, grp.slots.length * slotDx, dx);
      local.set(`host:${h}`, { x: width / 2, y: 0 });
      row(local, grp.nets, 0, width, NET_Y, netDx);
      row(local, grp.slots, 0, width, SLOT_Y, slotDx);
      const top = grp.slots.length ? SLOT_Y + VM_DY : NET_Y + VM_DY;
      sorted.forEach((n, i) => local.set(n.id, { x: (i % cols) * dx + dx / 2 + (width - cols * dx) / 2, y: top + Math.floor(i / cols) * VM_DY }));
      const height = top + Math.max(0, Math.ceil(sorted.length / cols) - 1) * VM_DY;
      return { local, width, height };
    });
    const placed = packBlocks(blocks, aspect > 0 && Number.isFinite(aspect) ? aspect : ASPECT);
    blocks.forEach((b, i) => {
      const at = placed[i]!;
      for (const [id, p] of b.local) out.set(id, { x: at.x + p.x, y: at.y + p.y });
    });
    return out;
  }
  // One column per network; VMs without a network in a last column; hosts above their networks.
  const cols = new Map<string, GraphNode[]>();
  for (const n of nets) cols.set(n.name, []);
  const loose: GraphNode[] = [];
  for (const v of vms) (v.network !== undefined && cols.get(v.network) ? cols.get(v.network)! : loose).push(v);
  const hostX = new Map<string, number[]>();
  const place = (members: GraphNode[], head?: GraphNode) => {
    const dx = pitchFor(members, VM_DX, widths);
    const c = Math.max(1, Math.min(Math.ceil(Math.sqrt(members.length / 2)), 12));
    const width = Math.max(c * dx, NET_DX, head ? (widths?.get(head.id) ?? 0) + LABEL_GAP : 0);
    if (head) {
      out.set(head.id, { x: x0 + width / 2, y: 160 });
      hostX.set(head.host, [...(hostX.get(head.host) ?? []), x0 + width / 2]);
    }
    members.forEach((n, i) => out.set(n.id, { x: x0 + (i % c) * dx + dx / 2, y: 320 + Math.floor(i / c) * VM_DY }));
    x0 += width + GAP / 2;
  };
  for (const n of nets) place(cols.get(n.name)!, n);
  if (loose.length) place(loose);
  slots.forEach((s, i) => out.set(s.id, { x: x0 + (i % 4) * VM_DX, y: 320 + Math.floor(i / 4) * VM_DY }));
  hosts.forEach((h, i) => {
    const xs = hostX.get(h.name);
    out.set(h.id, { x: xs ? xs.reduce((a, b) => a + b, 0) / xs.length : i * NET_DX, y: 0 });
  });
  return out;
}

/**
 * Places blocks (in order) in rows of `k` blocks, for the `k` whose bounding box a canvas of `aspect`
 * shows biggest (the smaller of its width and height ratios to the canvas); returns each block's top left.
 */
export function packBlocks(blocks: { width: number; height: number }[], aspect: number): Point[] {
  let best: { score: number; at: Point[] } | undefined;
  for (let k = 1; k <= Math.max(1, blocks.length); k++) {
    const at: Point[] = [];
    let x0 = 0;
    let y0 = 0;
    let rowHeight = 0;
    let width = 0;
    blocks.forEach((b, i) => {
      if (i > 0 && i % k === 0) {
        x0 = 0;
        y0 += rowHeight + GAP;
        rowHeight = 0;
      }
      at.push({ x: x0, y: y0 });
      width = Math.max(width, x0 + b.width);
      x0 += b.width + GAP;
      rowHeight = Math.max(rowHeight, b.height);
    });
    const height = y0 + rowHeight;
    // Zoom a fit would reach on a canvas `aspect` wide and 1 tall (the groups' margins counted).
    const score = Math.min(aspect / (width + GAP), 1 / (height + GAP));
    if (!best || score > best.score * 1.0001) best = { score, at };
  }
  return best?.at ?? [];
}

function row(out: Map<string, Point>, nodes: GraphNode[], x0: number, width: number, y: number, dx: number): void {
  const start = x0 + (width - nodes.length * dx) / 2 + dx / 2;
  nodes.forEach((n, i) => out.set(n.id, { x: start + i * dx, y }));
}

/** Whether any two boxes overlap (a sweep over the boxes sorted by their left edge). */
export function boxesOverlap(boxes: readonly { left: number; top: number; right: number; bottom: number }[]): boolean {
  const sorted = [...boxes].sort((a, b) => a.left - b.left);
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i]!;
    for (let j = i + 1; j < sorted.length && sorted[j]!.left < a.right; j++) {
      const b = sorted[j]!;
      if (a.top < b.bottom && b.top < a.bottom) return true;
    }
  }
  return false;
}
