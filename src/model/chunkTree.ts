// One node tree for the whole text out of chunk parses, with ranges that are offsets in the whole
// text, without copying what did not move: the nodes of a chunk at the offset it was parsed at are
// used as they are (shared, never changed); a chunk that moved (text before it got longer or
// shorter) is seen through copies with shifted ranges, made as they are read (a copied map or
// sequence copies its items on first access), so a lookup pays only for the nodes it visits.
// The tree has what lookups need (node kinds, values, ranges [start, value end]); comments are
// not attached to it — the whole Document (ParsedTopology.doc) has them.
import { isMap, isNode, isPair, isScalar, isSeq, Pair, Scalar, YAMLMap, YAMLSeq, type Node, type Range } from 'yaml';

/** A range `d` characters later. */
export function moved(r: Range, d: number): Range;
export function moved(r: Range | null | undefined, d: number): Range | undefined;
export function moved(r: Range | null | undefined, d: number): Range | undefined {
  return r ? [r[0] + d, r[1] + d, r[2] + d] : undefined;
}

/** Moves the ranges of freshly parsed nodes that nothing else holds yet. */
export function shiftInPlace(n: unknown, d: number): void {
  if (d === 0) return;
  if (isPair(n)) {
    shiftInPlace(n.key, d);
    shiftInPlace(n.value, d);
    return;
  }
  if (!isNode(n)) return;
  n.range = moved(n.range, d);
  if (isMap(n) || isSeq(n)) for (const item of n.items) shiftInPlace(item, d);
}

/** `n` as seen `d` characters later in the text (itself when d is 0). */
export function shifted<T extends Node | null | undefined>(n: T, d: number): T {
  if (d === 0 || !n) return n;
  if (isScalar(n)) {
    const s = new Scalar(n.value);
    Object.assign(s, n);
    s.range = moved(n.range, d);
    return s as T;
  }
  if (isMap(n) || isSeq(n)) return shiftedCollection(n, d) as T;
  // Aliases never reach here (the splitter refuses texts with them); copied the slow, general way.
  const c = n.clone();
  c.range = moved(n.range, d);
  return c as T;
}

export function shiftedPair(p: Pair<Node, Node | null>, d: number): Pair<Node, Node | null> {
  return d === 0 ? p : new Pair(shifted(p.key, d), shifted(p.value, d));
}

const SHIFT = Symbol('vsim.shift');
const OWN = Symbol('vsim.ownItems');

/** What a shifted collection copies its items from, and its copies once read. */
interface Shift {
  source: YAMLMap | YAMLSeq;
  d: number;
  items?: unknown[];
}

interface Shifted {
  [SHIFT]?: Shift;
  [OWN]?: unknown[];
}

// Shifted copies of maps and sequences: `items` is an accessor on the prototype (defining it on
// each copy costs more than the rest of the copy), computed on first read.
class ShiftedMap extends YAMLMap {}
class ShiftedSeq extends YAMLSeq {}
for (const proto of [ShiftedMap.prototype, ShiftedSeq.prototype]) {
  Object.defineProperty(proto, 'items', {
    configurable: true,
    get(this: Shifted): unknown[] | undefined {
      const s = this[SHIFT];
      if (!s) return this[OWN];
      s.items ??= s.source.items.map((i: unknown) => (isPair(i) ? shiftedPair(i as Pair<Node, Node | null>, s.d) : shifted(i as Node, s.d)));
      return s.items;
    },
    set(this: Shifted, v: unknown[]) {
      const s = this[SHIFT];
      if (s) s.items = v;
      else this[OWN] = v;
    },
  });
}

function shiftedCollection(n: YAMLMap | YAMLSeq, d: number): YAMLMap | YAMLSeq {
  const c = isMap(n) ? new ShiftedMap(n.schema) : new ShiftedSeq(n.schema);
  Object.assign(c, n);
  c.range = moved(n.range, d);
  (c as Shifted)[SHIFT] = { source: n, d };
  return c;
}

/** A top-level pair of the joined tree: its pair and the range of its chunk's map, both at their place in the text. */
export interface JoinPart {
  pair: Pair<Node, Node | null>;
  range: Range;
  /** For a top-level block map parsed entry by entry: the entries, like parts (the pair's own value is then ignored). */
  entries?: { pair: Pair<Node, Node | null>; range: Range }[];
}

/** The root map of the whole text from its parts, with the ranges a whole parse gives. */
export function joinRoot(parts: readonly JoinPart[]): YAMLMap<Node, Node | null> {
  const root = new YAMLMap<Node, Node | null>();
  let end: number | undefined;
  for (const part of parts) {
    const entries = part.entries;
    const first = entries?.[0];
    const last = entries?.[entries.length - 1];
    if (entries && first && last) {
      const map = new YAMLMap<Node, Node | null>();
      for (const e of entries) map.items.push(e.pair);
      map.range = [first.range[0], last.range[1], last.range[2]];
      root.items.push(new Pair(part.pair.key, map));
      end = last.range[1];
    } else {
      root.items.push(part.pair);
      end = part.range[1];
    }
  }
  const start = parts[0]?.range[0] ?? 0;
  root.range = [start, end ?? start, end ?? start];
  return root;
}
