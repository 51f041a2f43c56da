// Parses a topology with the `yaml` Document API, keeping source ranges for every node.
import { isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node, type Pair } from 'yaml';
import type { Problem } from './problem';
import type { Path, Topology } from './types';
import { LineIndex } from './lineIndex';

/** Files larger than this are not parsed: a diagnostic says so instead. */
export const MAX_BYTES = 5 * 1024 * 1024;

export interface ParsedTopology {
  text: string;
  doc: Document.Parsed | undefined;
  /** The plain value (`toJS`), whatever its shape. */
  value: unknown;
  lines: LineIndex;
  /** YAML syntax problems (and refusals such as binary or oversized input). */
  syntax: Problem[];
}

export function parseTopology(text: string): ParsedTopology {
  const lines = new LineIndex(text);
  const base = { text, lines, doc: undefined, value: undefined };
  if (text.length > MAX_BYTES) {
    const mb = (text.length / 1024 / 1024).toFixed(1);
    return { ...base, syntax: [{ severity: 'error', code: 'too-large', start: 0, end: 0,
      message: `File is ${mb} MB; vsim checks topology files up to ${MAX_BYTES / 1024 / 1024} MB. Split the lab into several files.` }] };
  }
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    return { ...base, syntax: [{ severity: 'error', code: 'binary', start: nul, end: nul + 1,
      message: 'This file contains binary data (a NUL byte here); a topology must be YAML text.' }] };
  }
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, strict: true, logLevel: 'error' });
  const syntax: Problem[] = [];
  for (const e of doc.errors) {
    const [s, en] = e.pos;
    syntax.push({ severity: 'error', code: `yaml-${e.code.toLowerCase()}`, start: s, end: Math.max(en, s + 1),
      message: yamlMessage(e.code, e.message) });
  }
  for (const w of doc.warnings) {
    syntax.push({ severity: 'warning', code: `yaml-${w.code.toLowerCase()}`, start: w.pos[0], end: Math.max(w.pos[1], w.pos[0] + 1),
      message: firstLine(w.message) });
  }
  let value: unknown;
  try {
    value = doc.errors.length ? undefined : doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    syntax.push({ severity: 'error', code: 'yaml-value', start: 0, end: 1, message: firstLine(String((err as Error).message)) });
  }
  if (!doc.errors.length && (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null))) {
    syntax.push({ severity: 'error', code: 'empty', start: 0, end: 0,
      message: 'Empty topology. Start with `version: 1` and a `hosts:` map (run "vsim: New Topology File" for a template).' });
  }
  return { text, lines, doc, value, syntax };
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

function yamlMessage(code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return 'Duplicate key: each name may appear once in its map. Rename or remove one of them.';
  return firstLine(message);
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

/** Finds the nodes at `path` in the document (deepest existing ancestor is not returned; see `closest`). */
export function locate(doc: Document.Parsed | undefined, path: Path): Located | undefined {
  if (!doc) return undefined;
  let node: unknown = doc.contents;
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
export function rangeOf(doc: Document.Parsed | undefined, path: Path, prefer: 'value' | 'key' = 'value'): [number, number] {
  for (let n = path.length; n >= 0; n--) {
    const loc = locate(doc, path.slice(0, n));
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
export function pairsOf(doc: Document.Parsed | undefined, path: Path): { name: string; key: Node; value: Node | undefined }[] {
  const loc = locate(doc, path);
  if (!loc || !isMap(loc.value)) return [];
  const out: { name: string; key: Node; value: Node | undefined }[] = [];
  for (const p of loc.value.items) {
    if (isPair(p) && isScalar(p.key)) out.push({ name: String(p.key.value), key: p.key as Node, value: (p.value ?? undefined) as Node | undefined });
  }
  return out;
}
