// Turns a change made with the `yaml` Document API into small edits of the user's own text.
//
// The yaml library prints a document in its own style (flow padding, indentation), so String(doc) is
// not the user's text. We print the document before (N0) and after (N1) the change, diff those two
// (they differ only where the change is), and map the changed lines back onto the original text
// through an alignment of the original with N0. Lines the change does not touch keep their exact
// bytes: comments, key order, quoting and spacing elsewhere survive. A final check re-parses the
// patched text and falls back to one replacement of the smallest differing span if the mapping was
// not faithful.
import { isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair, type ParsedNode, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { applyEdits, diffLines, minimalEdit, splitLines, type Hunk, type TextEdit } from './textDiff';

export class IntentError extends Error {
  override name = 'IntentError';
}

export type YDoc = Document.Parsed<ParsedNode, true>;

const PARSE_OPTS = { uniqueKeys: true, strict: true, prettyErrors: false } as const;

interface PrintOpts {
  indent: number;
  lineWidth: 0;
  minContentWidth: 0;
}

/** Indentation the file uses (the first indented line after a top-level key), 2 when unknown. */
export function detectIndent(text: string): number {
  const m = /^[A-Za-z0-9_"'-][^\n#]*:[ \t]*(?:#[^\n]*)?\r?\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*( +)\S/m.exec(text);
  const n = m?.[1]?.length ?? 2;
  return n >= 1 && n <= 8 ? n : 2;
}

export function parseForEdit(text: string): YDoc {
  const doc = parseDocument(text, PARSE_OPTS) as YDoc;
  if (doc.errors.length) {
    throw new IntentError(`The file has YAML errors (${doc.errors[0]!.message.split('\n')[0]}); fix them in the text first.`);
  }
  if (!isMap(doc.contents)) throw new IntentError('The file is not a topology map; fix it in the text first.');
  return doc;
}

export interface EditResult {
  edits: TextEdit[];
  text: string;
  /** True when the careful mapping failed and the edit spans everything between the first and last change. */
  fallback: boolean;
}

export interface EditOptions {
  /** An already parsed document of `text` (same parse options as src/model/parse.ts); it is cloned, never changed. */
  doc?: Document.Parsed;
  /**
   * Re-parse the patched text and compare it with the intended document (and fall back to a plain
   * replacement when they differ). Default: for texts up to 64 KB; re-parsing a 1 000-VM file costs ~100 ms.
   */
  verify?: boolean;
}

export const VERIFY_MAX_BYTES = 64 * 1024;

/** Applies `mutate` to the document of `text` and returns the edits that make the same change to `text`. */
export function editYaml(text: string, mutate: (doc: YDoc) => void, o: EditOptions = {}): EditResult {
  const doc = o.doc && !o.doc.errors.length && isMap(o.doc.contents) ? (o.doc.clone() as YDoc) : parseForEdit(text);
  const opts: PrintOpts = { indent: detectIndent(text), lineWidth: 0, minContentWidth: 0 };
  const n0 = doc.toString(opts);
  mutate(doc);
  const n1 = doc.toString(opts);
  if (n0 === n1) return { edits: [], text, fallback: false };
  const edits = mapEdits(text, n0, n1);
  const patched = applyEdits(text, edits);
  if (!(o.verify ?? text.length <= VERIFY_MAX_BYTES)) return { edits, text: patched, fallback: false };
  const check = parseDocument(patched, PARSE_OPTS);
  if (!check.errors.length && check.toString(opts) === n1) return { edits, text: patched, fallback: false };
  // Not faithful (an unusual layout the line alignment could not follow): one plain replacement.
  const e = minimalEdit(text, n1);
  return { edits: e ? [e] : [], text: n1, fallback: true };
}

function mapEdits(text: string, n0: string, n1: string): TextEdit[] {
  const O = splitLines(text);
  const L0 = splitLines(n0);
  const L1 = splitLines(n1);
  // Boundary map L0 → O: oBound[j] is the O line boundary matching L0 boundary j, or -1 inside a block
  // of lines that the printer restructured (those blocks are replaced whole when touched).
  const oBound = new Int32Array(L0.length + 1);
  if (O.length === L0.length) {
    for (let j = 0; j <= L0.length; j++) oBound[j] = j;
  } else {
    const align = diffLines(O, L0);
    let shift = 0; // O index - L0 index outside hunks
    let j = 0;
    for (const h of align) {
      for (; j < h.bStart; j++) oBound[j] = j + shift;
      const aLen = h.aEnd - h.aStart;
      const bLen = h.bEnd - h.bStart;
      if (aLen === bLen) {
        for (; j < h.bEnd; j++) oBound[j] = j + shift;
      } else {
        oBound[j++] = h.aStart; // boundary at the block start
        for (; j < h.bEnd; j++) oBound[j] = -1;
        shift += aLen - bLen;
      }
    }
    for (; j <= L0.length; j++) oBound[j] = j + shift;
  }
  const changes = diffLines(L0, L1);
  // shift1(j): L1 boundary for an L0 boundary outside every change hunk.
  // An insertion exactly at a group's start belongs to that group, so the start excludes it.
  const shift1 = (j: number, atStart: boolean): number => {
    let s = 0;
    for (const h of changes) if (h.aEnd <= j && !(atStart && h.aStart === j)) s += h.bEnd - h.bStart - (h.aEnd - h.aStart);
    return s;
  };
  const groups: { s: number; e: number }[] = [];
  const inside = (j: number): Hunk | undefined => changes.find((h) => h.aStart < j && j < h.aEnd);
  for (const h of changes) {
    let s = h.aStart;
    let e = h.aEnd;
    for (;;) {
      while (s > 0 && oBound[s] === -1) s--;
      while (e < L0.length && oBound[e] === -1) e++;
      const hs = inside(s);
      const he = inside(e);
      if (!hs && !he) break;
      if (hs) s = hs.aStart;
      if (he) e = he.aEnd;
    }
    const last = groups[groups.length - 1];
    if (last && s <= last.e) last.e = Math.max(last.e, e);
    else groups.push({ s, e });
  }
  const lineStart = new Int32Array(O.length + 1);
  for (let i = 0; i < O.length; i++) lineStart[i + 1] = lineStart[i]! + O[i]!.length;
  const edits: TextEdit[] = [];
  for (const g of groups) {
    const os = oBound[g.s]!;
    const oe = oBound[g.e]!;
    const from = lineStart[os]!;
    const to = lineStart[oe]!;
    const bs = g.s + shift1(g.s, true);
    const be = g.e + shift1(g.e, false);
    if (oe - os === g.e - g.s && be - bs === g.e - g.s) {
      // Same number of lines everywhere: edit line by line, inside each line as little as possible.
      for (let k = 0; k < g.e - g.s; k++) {
        const e = lineEdit(O[os + k]!, L0[g.s + k]!, L1[bs + k]!, lineStart[os + k]!);
        if (e) edits.push(e);
      }
      continue;
    }
    const repl = L1.slice(bs, be).join('');
    const e = minimalEdit(text.slice(from, to), repl, from);
    if (e) edits.push(e);
  }
  return edits;
}

/**
 * The edit of one original line `o` that makes the change printed as `l0` → `l1`. When `o` differs from
 * `l0` only in spacing (flow padding, `key:  value`), the change is placed by matching non-blank
 * characters, so the line keeps its own spacing; otherwise the whole line takes the printed form.
 */
function lineEdit(o: string, l0: string, l1: string, base: number): TextEdit | undefined {
  if (o === l0) return minimalEdit(o, l1, base);
  const e = minimalEdit(l0, l1);
  if (!e) return undefined;
  const ws = /\s/;
  const nonBlank = (s: string) => s.replace(/\s+/g, '');
  if (nonBlank(o) !== nonBlank(l0)) return minimalEdit(o, l1, base);
  // Positions of the non-blank characters of o, in order.
  const oPos: number[] = [];
  for (let i = 0; i < o.length; i++) if (!ws.test(o[i]!)) oPos.push(i);
  const map = (p: number): number => {
    let k = 0;
    for (let i = 0; i < p; i++) if (!ws.test(l0[i]!)) k++;
    if (p < l0.length && !ws.test(l0[p]!)) return oPos[k] ?? o.length;
    return k === 0 ? 0 : oPos[k - 1]! + 1;
  };
  const start = map(e.start);
  const end = Math.max(start, map(e.end));
  return { start: base + start, end: base + end, text: e.text };
}

// ---------------------------------------------------------------- document helpers

/** The map at `path`, or undefined. */
export function mapAt(doc: YDoc, path: readonly (string | number)[]): YAMLMap<Scalar, Node> | undefined {
  const n = path.length ? doc.getIn(path, true) : doc.contents;
  return isMap(n) ? (n as YAMLMap<Scalar, Node>) : undefined;
}

export function seqAt(doc: YDoc, path: readonly (string | number)[]): YAMLSeq<Node> | undefined {
  const n = doc.getIn(path, true);
  return isSeq(n) ? (n as YAMLSeq<Node>) : undefined;
}

export function pairOf(map: YAMLMap<Scalar, Node>, key: string): Pair<Scalar, Node> | undefined {
  return map.items.find((p) => isScalar(p.key) && String(p.key.value) === key);
}

/** Top-level sections in the order vsim writes them; a new section goes before the first later one. */
const TOP_ORDER = ['version', 'name', 'description', 'hosts', 'networks', 'vms', 'slots', 'states', 'profiles', 'links', 'layout'];

/** The top-level map `key`, created (block style, a blank line before it) in canonical order when missing. */
export function ensureTopMap(doc: YDoc, key: string): YAMLMap<Scalar, Node> {
  const root = doc.contents as unknown as YAMLMap<Scalar, Node>;
  const existing = pairOf(root, key);
  if (existing) {
    if (isMap(existing.value)) return existing.value as YAMLMap<Scalar, Node>;
    if (existing.value === null || (isScalar(existing.value) && existing.value.value === null)) {
      const m = doc.createNode({}) as YAMLMap<Scalar, Node>;
      existing.value = m;
      return m;
    }
    throw new IntentError(`\`${key}\` is not a map; fix it in the text first.`);
  }
  const m = doc.createNode({}) as YAMLMap<Scalar, Node>;
  const k = doc.createNode(key) as Scalar;
  k.spaceBefore = true;
  const pair = doc.createPair(k, m) as Pair<Scalar, Node>;
  const rank = TOP_ORDER.indexOf(key);
  const idx = root.items.findIndex((p) => isScalar(p.key) && TOP_ORDER.indexOf(String(p.key.value)) > rank);
  if (idx < 0) root.items.push(pair);
  else root.items.splice(idx, 0, pair);
  return m;
}

/** A child map of `parent` (created, in the parent's style, when missing). */
export function ensureChildMap(doc: YDoc, parent: YAMLMap<Scalar, Node>, key: string, flow = false): YAMLMap<Scalar, Node> {
  const p = pairOf(parent, key);
  if (p && isMap(p.value)) return p.value as YAMLMap<Scalar, Node>;
  const m = doc.createNode({}) as YAMLMap<Scalar, Node>;
  if (flow) m.flow = true;
  if (p) p.value = m;
  else parent.items.push(doc.createPair(key, m) as Pair<Scalar, Node>);
  return m;
}

/** Sets a scalar in place (keeping its quoting and comments) or adds the pair. */
export function setScalar(doc: YDoc, map: YAMLMap<Scalar, Node>, key: string, value: string | number | boolean): void {
  const p = pairOf(map, key);
  if (p && isScalar(p.value)) {
    (p.value as Scalar).value = value;
    return;
  }
  if (p) p.value = doc.createNode(value) as Node;
  else map.items.push(doc.createPair(key, value) as Pair<Scalar, Node>);
}

export function removePair(map: YAMLMap<Scalar, Node>, key: string): boolean {
  const i = map.items.findIndex((p) => isScalar(p.key) && String(p.key.value) === key);
  if (i < 0) return false;
  map.items.splice(i, 1);
  return true;
}
