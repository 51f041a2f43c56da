// Parses a topology with the `yaml` Document API, keeping source ranges for every node. Large
// files are parsed in chunks, each cached by its text, so an edit re-parses only what it touched
// (src/model/parseChunked.ts); the result is the same either way.
import { isDocument, isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node, type Pair } from 'yaml';
import type { ChunkCache } from './chunkCache';
import { LineIndex } from './lineIndex';
import { CHUNK_THRESHOLD, parseChunked } from './parseChunked';
import type { ParsedTopology } from './parsedTopology';
import type { Problem } from './problem';
import type { Path, Topology } from './types';
import { firstLine, PARSE_OPTIONS, syntaxProblems, TO_JS_OPTIONS } from './yamlSyntax';

/** Files larger than this are not parsed: a diagnostic says so instead. */
export const MAX_BYTES = 5 * 1024 * 1024;

export interface ParseOptions {
  /** Texts of at least this many characters are parsed in chunks (default CHUNK_THRESHOLD; Infinity: never). */
  chunkThreshold?: number;
  /** The cache of chunk parses (default: one per process). */
  cache?: ChunkCache;
}

export function parseTopology(text: string, opts: ParseOptions = {}): ParsedTopology {
  const base = () => ({ text, lines: new LineIndex(text), doc: undefined, root: undefined, value: undefined, looseValue: () => undefined });
  if (text.length > MAX_BYTES) {
    const mb = (text.length / 1024 / 1024).toFixed(1);
    return { ...base(), syntax: [{ severity: 'error', code: 'too-large', start: 0, end: 0,
      message: `File is ${mb} MB; vsim checks topology files up to ${MAX_BYTES / 1024 / 1024} MB. Split the lab into several files.` }] };
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    return { ...base(), syntax: [{ severity: 'error', code: 'binary', start: nul, end: nul + 1,
      message: 'This file contains binary data (a NUL byte here); a topology must be YAML text.' }] };
  }
  if (text.length >= (opts.chunkThreshold ?? CHUNK_THRESHOLD)) {
    const chunked = parseChunked(text, opts.cache);
    if (chunked) return chunked;
  }
  const lines = new LineIndex(text);
  const doc = parseDocument(text, PARSE_OPTIONS);
  const syntax: Problem[] = syntaxProblems(doc.errors, doc.warnings);
  let value: unknown;
  try {
    value = doc.errors.length ? undefined : doc.toJS(TO_JS_OPTIONS);
  } catch (err) {
    syntax.push({ severity: 'error', code: 'yaml-value', start: 0, end: 1, message: firstLine(String((err as Error).message)) });
  }
  if (!doc.errors.length && (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null))) {
    syntax.push({ severity: 'error', code: 'empty', start: 0, end: 0,
      message: 'Empty topology. Start with `version: 1` and a `hosts:` map (run "vsim: New Topology File" for a template).' });
  }
  return { text, lines, doc, root: doc.contents ?? undefined, value, syntax, looseValue: () => doc.toJS(TO_JS_OPTIONS) };
}

/** The typed topology when the value has at least the right outer shape (validation says the rest). */
export function asTopology(value: unknown): Topology | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  return value as Topology;
}

export interface Located {
  /** The pair's key node, when the path ends in a map key. */
  key?: Node;
  /** The value node. */
  value?: Node;
}

/** A parsed text to look nodes up in: the parse (its `root`) or a yaml Document. */
export type Tree = ParsedTopology | Document.Parsed | undefined;

/** The root node of a tree. */
export function rootOf(tree: Tree): Node | undefined {
  if (!tree) return undefined;
  return isDocument(tree) ? (tree.contents ?? undefined) : tree.root;
}

/** Finds the nodes at `path` (deepest existing ancestor is not returned; see `rangeOf`). */
export function locate(tree: Tree, path: Path): Located | undefined {
  if (!tree) return undefined;
  let node: unknown = rootOf(tree);
  let key: Node | undefined;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg)) as Pair<Node, Node> | undefined;
      if (!pair) return undefined;
      key = pair.key ?? undefined;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      key = undefined;
      node = node.items[seg];
      if (node === undefined) return undefined;
    } else {
      return undefined;
    }
  }
  return { key, value: (node ?? undefined) as Node | undefined };
}

/**
 * Range [start, end) to underline for `path`: a scalar value itself; for a map or sequence its key
 * (underlining a whole block is noise); for a missing path the nearest existing ancestor's key.
 */
export function rangeOf(tree: Tree, path: Path, prefer: 'value' | 'key' = 'value'): [number, number] {
  for (let n = path.length; n >= 0; n--) {
    const loc = locate(tree, path.slice(0, n));
    if (!loc) continue;
    const scalarValue = loc.value && isScalar(loc.value) ? loc.value : undefined;
    if (prefer === 'value' && n === path.length && scalarValue?.range) return [scalarValue.range[0], scalarValue.range[1]];
    if (loc.key?.range) return [loc.key.range[0], loc.key.range[1]];
    if (scalarValue?.range) return [scalarValue.range[0], scalarValue.range[1]];
    if (loc.value?.range) return [loc.value.range[0], loc.value.range[0] + 1];
  }
  return [0, 0];
}

/** Visits every map pair with its path (for symbol outlines and reference lookups). */
export function pairsOf(tree: Tree, path: Path): { name: string; key: Node; value: Node | undefined }[] {
  const loc = locate(tree, path);
  if (!loc || !isMap(loc.value)) return [];
  const out: { name: string; key: Node; value: Node | undefined }[] = [];
  for (const p of loc.value.items) {
    if (isPair(p) && isScalar(p.key)) out.push({ name: String(p.key.value), key: p.key as Node, value: (p.value ?? undefined) as Node | undefined });
  }
  return out;
}
