// The fast path of editYaml for big files: change a copy-on-access view of the parsed document, then
// print and diff only the entries the change touched.
//
// The view shares every node with the parsed document until a mutation reads it: its maps are shallow
// copies whose pairs clone their value on first access (a block map opens into another such copy, any
// other value is cloned whole). After the mutation, the entries that were read, replaced, added or
// removed are known without comparing the whole tree. The yaml library prints a block map as its items
// one after the other, so the print of the whole document is the same between two key lines of entries
// the change did not touch: each changed region, from the key line of a clean entry (not touched) to the
// key line of the next clean entry, is printed before and after (as a small document holding only the
// region and its ancestors' keys) and mapped onto the same region of the user's text exactly as the
// full path maps the whole document (lineMap.ts). The original document is never changed.
import { Document, isMap, isNode, isPair, isScalar, Pair, parseDocument, Scalar, YAMLMap } from 'yaml';
import { mapEdits } from './lineMap';
import { applyEdits, splitLines, type TextEdit } from './textDiff';
import { PARSE_OPTIONS } from '../yamlSyntax';

type AnyPair = Pair<unknown, unknown>;
type AnyMap = YAMLMap<unknown, unknown>;

export interface PrintOptions {
  indent: number;
  lineWidth: 0;
  minContentWidth: 0;
}

/** One pair of the view: wraps the original pair `orig` (item `index` of the original map `owner`). */
interface Track {
  orig: AnyPair;
  owner: AnyMap;
  index: number;
  /** lazy: never read; open: a block map opened into a view map; clone: read (a deep copy); set: replaced. */
  state: 'lazy' | 'open' | 'clone' | 'set';
  value: unknown;
  opened?: Opened;
}

/** A block map of the original document and its view copy. */
interface Opened {
  orig: AnyMap;
  copy: AnyMap;
  /** The view's pairs, in the original order (pairs[i] wraps orig.items[i]). */
  pairs: AnyPair[];
}

/** Whether a map can be opened: block style, scalar keys (so each entry starts on its key's line). */
function openable(v: unknown): v is AnyMap {
  return isMap(v) && !v.flow && (v.items as AnyPair[]).every((p) => isPair(p) && isScalar(p.key));
}

/** A copy of a scalar sharing its fields (keys are read by every lookup: copying them must be cheap). */
function copyScalar(s: Scalar, strip = false): Scalar {
  const c = new Scalar(s.value);
  Object.assign(c, s);
  if (strip) {
    delete c.spaceBefore;
    delete c.commentBefore;
  }
  return c;
}

/** Own fields equal (the view's copies share nested values with the original, so identity is enough). */
function sameFields(a: object, b: object, except?: string): boolean {
  const ka = Object.keys(a).filter((k) => k !== except);
  const kb = Object.keys(b).filter((k) => k !== except);
  if (ka.length !== kb.length) return false;
  const rb = b as Record<string, unknown>;
  const ra = a as Record<string, unknown>;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && ra[k] === rb[k]);
}

/** A map with the fields of `m` and the given items. */
function mapLike(m: AnyMap, items: unknown[]): AnyMap {
  const c = new YAMLMap<unknown, unknown>(m.schema);
  Object.assign(c, m);
  c.items = items as AnyPair[];
  return c;
}

class View {
  readonly tracks = new WeakMap<object, Track>();

  open(orig: AnyMap): Opened {
    const pairs = (orig.items as AnyPair[]).map((p, index) => this.lazyPair(p, orig, index));
    return { orig, copy: mapLike(orig, [...pairs]), pairs };
  }

  private lazyPair(orig: AnyPair, owner: AnyMap, index: number): AnyPair {
    const p = new Pair<unknown, unknown>(copyScalar(orig.key as Scalar));
    const tr: Track = { orig, owner, index, state: 'lazy', value: undefined };
    Object.defineProperty(p, 'value', {
      enumerable: true,
      configurable: true,
      get: (): unknown => {
        if (tr.state === 'lazy') {
          const v = tr.orig.value;
          if (openable(v)) {
            tr.opened = this.open(v);
            tr.value = tr.opened.copy;
            tr.state = 'open';
          } else {
            tr.value = isNode(v) ? v.clone() : v;
            tr.state = 'clone';
          }
        }
        return tr.value;
      },
      set: (v: unknown) => {
        tr.state = 'set';
        tr.opened = undefined;
        tr.value = v;
      },
    });
    this.tracks.set(p, tr);
    return p;
  }
}

/** A key line of an entry of an opened map, in document order: where regions start and end. */
interface Sync {
  /** Indexes in the original maps from the root. */
  path: number[];
  /** Indexes in the changed maps (for kept entries). */
  newPath: number[];
  key: Scalar;
  /** Kept, key (with its comments above) unchanged, and its line found in the text. */
  clean: boolean;
  /** Index of the first sync after this entry's subtree. */
  end: number;
}

export interface PartialResult {
  edits: TextEdit[];
  text: string;
}

/**
 * Runs `mutate` on a view of `orig` and returns the edits of `text` (which `orig` was parsed from), or
 * undefined when the change cannot be expressed by regions (the caller then takes the full path).
 */
export function editPartial<D extends Document.Parsed>(text: string, orig: D, mutate: (doc: D) => void, opts: PrintOptions): PartialResult | undefined {
  const root = orig.contents;
  if (!openable(root) || orig.directives?.docEnd) return undefined;
  const view = new View();
  const top = view.open(root);
  const doc = documentLike(orig, top.copy);
  mutate(doc);
  if (doc.contents !== top.copy || doc.comment !== orig.comment || doc.commentBefore !== orig.commentBefore) return undefined;
  const touched = new SyncWalker(view, text);
  if (!touched.walk(top, [], [], true)) return undefined;
  if (!touched.dirty.length) return { edits: [], text };
  const regions = regionsOf(touched.syncs, touched.dirty);
  if (!regions) return undefined;
  const printer = new RegionPrinter(doc, opts);
  const edits: TextEdit[] = [];
  for (const [a, b] of regions) {
    const local = editRegion(text, orig, top, view, printer, touched.syncs[a]!, touched.syncs[b]);
    if (!local) return undefined;
    edits.push(...local);
  }
  return { edits, text: applyEdits(text, edits) };
}

/** A document like `orig` (what Document.clone copies, without the contents) holding `contents`. */
function documentLike<D extends Document.Parsed>(orig: D, contents: AnyMap): D {
  const doc = new Document(null, { ...orig.options }) as D;
  doc.schema = orig.schema.clone();
  if (orig.directives) doc.directives = orig.directives.clone();
  doc.commentBefore = orig.commentBefore;
  doc.comment = orig.comment;
  doc.contents = contents as D['contents'];
  return doc;
}

const lineStartIn = (text: string, pos: number) => text.lastIndexOf('\n', pos - 1) + 1;

/** Collects the key lines of the entries of opened maps, in document order, and the ranges of them the change touched. */
class SyncWalker {
  readonly syncs: Sync[] = [];
  /** [first, end) indexes into `syncs` of what the change touched. */
  readonly dirty: [number, number][] = [];

  constructor(private readonly view: View, private readonly text: string) {}

  private keyLineOk(k: Scalar): boolean {
    const at = k.range?.[0];
    if (at === undefined || at > this.text.length) return false;
    if (!/^ *$/.test(this.text.slice(lineStartIn(this.text, at), at))) return false;
    return k.type === 'PLAIN' ? this.text.startsWith(String(k.source), at) : this.text[at] === '"' || this.text[at] === "'";
  }

  /**
   * Walks an opened map; false when its items were reordered or its own fields changed (the caller marks
   * it dirty). `openLast`: open the last entry when it is a block map, so that entries added after it
   * start their region at its last key line rather than at its first.
   */
  walk(op: Opened, path: number[], newPath: number[], alive: boolean, openLast = false): boolean {
    const placed = this.placeItems(op);
    if (!placed) return false;
    const { newIndex, gaps } = placed;
    const starts: number[] = [];
    const atEnd = openLast || gaps.has(op.pairs.length);
    op.pairs.forEach((p, i) => {
      const tr = this.view.tracks.get(p)!;
      const isLast = i === op.pairs.length - 1;
      if (atEnd && isLast && tr.state === 'lazy' && openable(tr.orig.value)) void p.value;
      const kept = newIndex[i]! >= 0;
      const key = tr.orig.key as Scalar;
      const keySame = sameFields(p.key as Scalar, key);
      const s: Sync = { path: [...path, i], newPath: [...newPath, newIndex[i]!], key, clean: alive && kept && keySame && this.keyLineOk(key), end: 0 };
      const at = this.syncs.length;
      starts.push(at);
      this.syncs.push(s);
      // Removed, replaced or read (a copy, possibly changed): the whole entry; opened: what changed inside.
      let whole = !kept || tr.state === 'clone' || tr.state === 'set';
      if (tr.state === 'open' && tr.opened && !this.walk(tr.opened, s.path, s.newPath, alive && kept, atEnd && isLast)) whole = true;
      s.end = this.syncs.length;
      if (whole) this.dirty.push([at, s.end]);
      else if (!keySame) this.dirty.push([at, at + 1]);
    });
    // New entries: between the last key line before the gap and the first one after it.
    const after = this.syncs.length;
    for (const g of gaps) {
      const e = g < op.pairs.length ? starts[g]! : after;
      this.dirty.push([e - 1, e]);
    }
    return true;
  }

  /**
   * Where each original entry went in the changed map (-1: removed) and before which original entries
   * new ones were added (pairs.length: at the end); undefined when entries moved or the map's own fields changed.
   */
  private placeItems(op: Opened): { newIndex: Int32Array; gaps: Set<number> } | undefined {
    const newIndex = new Int32Array(op.pairs.length).fill(-1);
    const gaps = new Set<number>();
    let last = -1;
    let ok = sameFields(op.copy, op.orig, 'items');
    op.copy.items.forEach((it, j) => {
      const tr = this.view.tracks.get(it);
      if (tr && tr.owner === op.orig && op.pairs[tr.index] === it && newIndex[tr.index] === -1 && tr.index > last) {
        newIndex[tr.index] = j;
        last = tr.index;
      } else if (tr && tr.owner === op.orig) {
        ok = false; // moved or duplicated
      } else {
        gaps.add(last + 1);
      }
    });
    return ok ? { newIndex, gaps } : undefined;
  }
}

/** The touched ranges widened to clean key lines (the end may be the end of the text), then merged; undefined when one has no clean start. */
function regionsOf(syncs: Sync[], dirty: [number, number][]): [number, number][] | undefined {
  const widened: [number, number][] = [];
  for (const [a0, b0] of dirty) {
    let a = a0;
    while (a >= 0 && !syncs[a]?.clean) a--;
    if (a < 0) return undefined;
    let b = b0;
    while (b < syncs.length && !syncs[b]!.clean) b++;
    widened.push([a, b]);
  }
  widened.sort((x, y) => x[0] - y[0]);
  const regions: [number, number][] = [];
  for (const [a, b] of widened) {
    const prev = regions[regions.length - 1];
    if (prev && a <= prev[1]) prev[1] = Math.max(prev[1], b);
    else regions.push([a, b]);
  }
  return regions;
}

type PrintRegion = (rootMap: AnyMap, comment: string | null | undefined, p: number[], q: number[] | undefined, substitute?: (it: AnyPair) => AnyPair) => string | undefined;

/** Prints a region of a map as a small document holding only the region and its ancestors' keys. */
class RegionPrinter {
  private readonly printOpts: PrintOptions & { verifyAliasOrder: false; directives: false };
  private readonly indent: string;

  constructor(private readonly doc: Document.Parsed, opts: PrintOptions) {
    // No directives (they come before the first key line) and no check that an alias follows its anchor
    // (the anchor may be outside the region).
    this.printOpts = { ...opts, verifyAliasOrder: false, directives: false };
    this.indent = ' '.repeat(opts.indent);
  }

  private lead(depth: number): RegExp {
    return new RegExp(`^${this.indent.repeat(depth)}[^ #\\n]`);
  }

  /** The print of entries [p, q) (paths into `rootMap`; q undefined: to the end of the text). */
  readonly print: PrintRegion = (rootMap, comment, p, q, substitute) => {
    this.doc.contents = synth(rootMap, p, q, substitute) as Document.Parsed['contents'];
    this.doc.comment = q ? null : (comment ?? null);
    this.doc.commentBefore = null;
    const lines = splitLines(this.doc.toString(this.printOpts));
    const depth = p.length - 1;
    for (let k = 0; k <= depth; k++) if (!this.lead(k).test(lines[k] ?? '')) return undefined;
    if (q) {
      if (!this.lead(q.length - 1).test(lines[lines.length - 1] ?? '') || lines.length - 1 <= depth) return undefined;
      lines.pop();
    }
    return lines.slice(depth).join('');
  };
}

/** The map of the entries [from, to) of `m` (paths below `m`; undefined: from the start / to the end), with their ancestors' keys. */
function synth(m: AnyMap, from: number[] | undefined, to: number[] | undefined, substitute?: (it: AnyPair) => AnyPair): AnyMap {
  const items = m.items as AnyPair[];
  const sub = (it: AnyPair) => (substitute ? substitute(it) : it);
  const out: AnyPair[] = [];
  const head = (i: number, value: unknown) => new Pair(copyScalar(items[i]!.key as Scalar, true), value);
  if (from && to && from[0] === to[0]) {
    const i = from[0]!;
    out.push(head(i, from.length > 1 ? synth(items[i]!.value as AnyMap, from.slice(1), to.slice(1)) : synth(items[i]!.value as AnyMap, undefined, to.slice(1))));
  } else {
    const s = from ? from[0]! : 0;
    const e = to ? to[0]! : items.length;
    for (let i = s; i < e; i++) {
      if (from && i === s) out.push(head(i, from.length > 1 ? synth(items[i]!.value as AnyMap, from.slice(1), undefined) : sub(items[i]!).value));
      else out.push(sub(items[i]!));
    }
    if (to) {
      const stop = items[e]!;
      out.push(to.length > 1 ? new Pair(stop.key, synth(stop.value as AnyMap, undefined, to.slice(1))) : new Pair(stop.key, null));
    }
  }
  const c = mapLike(m, out);
  if (to) delete c.comment;
  if (from) {
    delete c.commentBefore;
    delete c.spaceBefore;
  }
  return c;
}

/** The edits of the region from key line `p` to key line `q` (undefined: the end of the text); undefined when it cannot be verified. */
function editRegion(text: string, orig: Document.Parsed, top: Opened, view: View, printer: RegionPrinter, p: Sync, q: Sync | undefined): TextEdit[] | undefined {
  const root = orig.contents as AnyMap;
  const from = lineStartIn(text, p.key.range![0]);
  const to = q ? lineStartIn(text, q.key.range![0]) : text.length;
  // New entries never read are printed from the original (no copy).
  const unread = (it: AnyPair): AnyPair => {
    const tr = view.tracks.get(it);
    return tr && tr.state === 'lazy' && sameFields(it.key as Scalar, tr.orig.key as Scalar) ? tr.orig : it;
  };
  const n0 = printer.print(root, orig.comment, p.path, q?.path);
  const n1 = printer.print(top.copy, orig.comment, p.newPath, q?.newPath, unread);
  if (n0 === undefined || n1 === undefined) return undefined;
  if (n0 === n1) return [];
  const region = text.slice(from, to);
  const local = mapEdits(region, n0, n1);
  // Always verified (it costs a parse of the region): the patched region, below its ancestors' key
  // lines and above the key line that ends it, must parse to what was printed, and start at the same
  // indentation (so nothing folds into the entry before it).
  const patched = applyEdits(region, local);
  if (/^ */.exec(patched)![0] !== /^ */.exec(region)![0]) return undefined;
  // The key line of an entry as a line of its own (`  name:`), for the small document checked.
  const keyLine = (k: Scalar) => `${text.slice(lineStartIn(text, k.range![0]), k.range![1])}:\n`;
  const headers: string[] = [];
  let m: AnyMap = root;
  for (const i of p.path.slice(0, -1)) {
    const it = m.items[i] as AnyPair;
    headers.push(keyLine(it.key as Scalar));
    m = it.value as AnyMap;
  }
  const mini = headers.join('') + patched + (q ? (patched.endsWith('\n') ? '' : '\n') + keyLine(q.key) : '');
  if (!verifyRegion(mini, p.path.length, q?.path.length, n1, printer.print)) return undefined;
  return local.map((e) => ({ start: e.start + from, end: e.end + from, text: e.text }));
}

/**
 * Whether `mini` (a region of the patched text under its ancestors' key lines, followed by the key line
 * that ends the region) parses to a document whose region prints as `n1`.
 */
function verifyRegion(mini: string, pDepth: number, qDepth: number | undefined, n1: string, print: PrintRegion): boolean {
  const check = parseDocument(mini, PARSE_OPTIONS);
  if (check.errors.length || !isMap(check.contents)) return false;
  // The region starts at the first entry of each level and ends at the last one.
  let q: number[] | undefined;
  if (qDepth !== undefined) {
    q = [];
    let m: unknown = check.contents;
    for (let k = 0; k < qDepth; k++) {
      if (!isMap(m) || !m.items.length) return false;
      q.push(m.items.length - 1);
      m = (m.items[m.items.length - 1] as AnyPair).value;
    }
  }
  return print(check.contents as AnyMap, check.comment, new Array<number>(pDepth).fill(0), q) === n1;
}
