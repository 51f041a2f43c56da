// Turns a change made with the `yaml` Document API into small edits of the user's own text.
//
// The yaml library prints a document in its own style (flow padding, indentation), so String(doc) is
// not the user's text. We print the document before (N0) and after (N1) the change, diff those two
// (they differ only where the change is), and map the changed lines back onto the original text
// through an alignment of the original with N0. Lines the change does not touch keep their exact
// bytes: comments, key order, quoting and spacing elsewhere survive. A final check re-parses the
// patched text and falls back to one replacement of the smallest differing span if the mapping was
// not faithful.
//
// With the analysed document at hand (EditOptions.doc), the same is done on the touched entries only
// (partialEdit.ts): no clone of the whole document, no print of it, a diff of a few lines; the text it
// gives is the full path's (test/unit/model/edits/partial.test.ts).
import { isMap, isScalar, isSeq, parseDocument, type Document, type Node, type Pair, type ParsedNode, type Scalar, type YAMLMap, type YAMLSeq } from 'yaml';
import { mapEdits } from './lineMap';
import { editPartial } from './partialEdit';
import { applyEdits, minimalEdit, type TextEdit } from './textDiff';
import { PARSE_OPTIONS } from '../yamlSyntax';

export class IntentError extends Error {
  override name = 'IntentError';
}

export type YDoc = Document.Parsed<ParsedNode, true>;

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
  const doc = parseDocument(text, PARSE_OPTIONS) as YDoc;
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
  /** True when only the touched entries were printed (partialEdit.ts), false when the whole document was. */
  partial: boolean;
}

export interface EditOptions {
  /** An already parsed document of `text` (same parse options, src/model/yamlSyntax.ts); it is never changed. */
  doc?: Document.Parsed;
  /**
   * Full path: re-parse the patched text and compare it with the intended document (and fall back to a
   * plain replacement when they differ). Default: for texts up to 64 KB; re-parsing a 1 000-VM file costs
   * ~100 ms. The partial path always verifies, region by region (a parse of the changed regions only).
   */
  verify?: boolean;
  /**
   * With `doc`: change a copy-on-access view of it and print only the entries the change touched
   * (partialEdit.ts) instead of cloning and printing the whole document twice. Default true; the
   * resulting text is the same (the unit tests compare both paths).
   */
  partial?: boolean;
}

export const VERIFY_MAX_BYTES = 64 * 1024;

/**
 * Applies `mutate` to the document of `text` and returns the edits that make the same change to `text`.
 * `mutate` may run twice (on the partial view, then on a full copy when the change cannot be expressed
 * by regions or does not verify): it must not keep state between runs.
 */
export function editYaml(text: string, mutate: (doc: YDoc) => void, o: EditOptions = {}): EditResult {
  const opts: PrintOpts = { indent: detectIndent(text), lineWidth: 0, minContentWidth: 0 };
  const verify = o.verify ?? text.length <= VERIFY_MAX_BYTES;
  const base = o.doc && !o.doc.errors.length && isMap(o.doc.contents) ? o.doc : undefined;
  if (base && o.partial !== false) {
    let r;
    try {
      r = editPartial(text, base as YDoc, mutate, opts);
    } catch (e) {
      if (e instanceof IntentError) throw e; // the intent's own refusal, not the view's
    }
    if (r) return { ...r, fallback: false, partial: true };
  }
  const doc = base ? (base.clone() as YDoc) : parseForEdit(text);
  const n0 = doc.toString(opts);
  mutate(doc);
  const n1 = doc.toString(opts);
  if (n0 === n1) return { edits: [], text, fallback: false, partial: false };
  const edits = mapEdits(text, n0, n1);
  const patched = applyEdits(text, edits);
  if (!verify) return { edits, text: patched, fallback: false, partial: false };
  const check = parseDocument(patched, PARSE_OPTIONS);
  if (!check.errors.length && check.toString(opts) === n1) return { edits, text: patched, fallback: false, partial: false };
  // Not faithful (an unusual layout the line alignment could not follow): one plain replacement.
  const e = minimalEdit(text, n1);
  return { edits: e ? [e] : [], text: n1, fallback: true, partial: false };
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
