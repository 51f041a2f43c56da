// Large topologies parsed chunk by chunk (src/model/chunks.ts), each chunk's parse cached by its
// text (src/model/chunkCache.ts), so after an edit only the edited chunks are parsed again. The
// result says what a whole parse says: the same syntax problems (duplicate keys across chunks
// included), the same value, a node tree with the same ranges; the whole yaml Document (`doc`,
// with comments, for the topology editor) is parsed only when something asks for it.
// Whenever a chunk has an error the caller parses the whole text instead: an error can mean the
// chunk boundaries are not where the parser sees them.
import { parseDocument, type Document, type Node, type Scalar } from 'yaml';
import { ChunkCache, type ParsedChunk } from './chunkCache';
import { joinRoot, moved, shiftedPair, type JoinPart } from './chunkTree';
import { splitTopology } from './chunks';
import { LineIndex } from './lineIndex';
import type { ParsedTopology } from './parsedTopology';
import type { Problem } from './problem';
import { PARSE_OPTIONS, syntaxProblems, yamlError } from './yamlSyntax';

/** Texts from this many characters on (about 40 generated VMs) are parsed in chunks; smaller ones whole, as always. */
export const CHUNK_THRESHOLD = 16 * 1024;

/** The chunk cache `parseTopology` uses unless given another. */
export const sharedChunkCache = new ChunkCache();

/** A chunk's parse and where the chunk is in this text. */
interface Placed {
  parsed: ParsedChunk;
  start: number;
}

interface Top extends Placed {
  entries?: Placed[];
}

/** The parse of a large `text` from its chunks, or undefined when it must be parsed whole. */
export function parseChunked(text: string, cache: ChunkCache = sharedChunkCache): ParsedTopology | undefined {
  const split = splitTopology(text);
  if (!split) return undefined;
  cache.reserve(text.length);
  const before = cache.parses;
  const tops: Top[] = [];
  let total = 0;
  for (const chunk of split) {
    const parsed = cache.get(chunk.text, chunk.start);
    if (!parsed) return undefined;
    const top: Top = { parsed, start: chunk.start };
    if (chunk.entries) {
      top.entries = [];
      for (const e of chunk.entries) {
        const p = cache.get(e.text, e.start);
        if (!p) return undefined;
        top.entries.push({ parsed: p, start: e.start });
      }
    }
    total += 1 + (top.entries?.length ?? 0);
    tops.push(top);
  }
  return new ChunkedTopology(text, tops, { total, parsed: cache.parses - before });
}

class ChunkedTopology implements ParsedTopology {
  readonly syntax: Problem[];
  readonly value: unknown;
  private whole: Document.Parsed | undefined;
  private tree: Node | undefined;
  private lineIndex: LineIndex | undefined;

  constructor(readonly text: string, private readonly tops: readonly Top[], readonly chunks: { total: number; parsed: number }) {
    this.syntax = syntaxOf(tops);
    this.value = this.syntax.some((p) => p.severity === 'error') ? undefined : plainValue(tops);
  }

  /** Built on first use (the editor converts offsets with its own document). */
  get lines(): LineIndex {
    this.lineIndex ??= new LineIndex(this.text);
    return this.lineIndex;
  }

  /** The whole Document, parsed on first use (the chunks have no comments attached to it). */
  get doc(): Document.Parsed {
    this.whole ??= parseDocument(this.text, PARSE_OPTIONS);
    return this.whole;
  }

  get root(): Node {
    this.tree ??= joinRoot(this.tops.map(joinPart));
    return this.tree;
  }

  looseValue(): unknown {
    return this.value ?? plainValue(this.tops);
  }
}

const offsetOf = (p: Placed) => p.start - p.parsed.base;

function joinPart(top: Top): JoinPart {
  const placed = (p: Placed) => ({ pair: shiftedPair(p.parsed.pair, offsetOf(p)), range: moved(p.parsed.range, offsetOf(p)) });
  return { ...placed(top), entries: top.entries?.map(placed) };
}

/**
 * What a whole parse reports that the chunks cannot see alone: a key defined twice in one map
 * (at the second key, as `yaml` does), in document order; then the chunks' warnings.
 */
function syntaxOf(tops: readonly Top[]): Problem[] {
  const out: Problem[] = [];
  const topKeys = new Set<unknown>();
  for (const top of tops) {
    duplicate(top, topKeys, out);
    const entryKeys = new Set<unknown>();
    for (const e of top.entries ?? []) duplicate(e, entryKeys, out);
  }
  for (const top of tops) {
    out.push(...syntaxProblems([], top.parsed.warnings, top.start));
    for (const e of top.entries ?? []) out.push(...syntaxProblems([], e.parsed.warnings, e.start));
  }
  return out;
}

function duplicate(p: Placed, seen: Set<unknown>, out: Problem[]): void {
  const key = p.parsed.pair.key as Scalar;
  const value = key.value;
  // `yaml` compares keys with ===: NaN is never a duplicate.
  if (seen.has(value) && value === value) {
    const at = (key.range?.[0] ?? 0) + offsetOf(p);
    out.push(yamlError('DUPLICATE_KEY', '', at, at + 1));
  }
  seen.add(value);
}

/** The plain value, as `doc.toJS()` gives it: assembled from the chunks' values, copied (results share no objects). */
function plainValue(tops: readonly Top[]): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const top of tops) {
    if (top.entries) {
      const map: Record<string, unknown> = {};
      for (const e of top.entries) copyInto(map, e.parsed.js);
      for (const k of Object.keys(top.parsed.js)) put(root, k, map);
    } else {
      copyInto(root, top.parsed.js);
    }
  }
  return root;
}

function copyInto(target: Record<string, unknown>, src: Record<string, unknown>): void {
  for (const k of Object.keys(src)) put(target, k, copy(src[k]));
}

/**
 * Sets a key as `yaml`'s toJS does: a key already there (own, or inherited like `__proto__`) is
 * defined, not assigned. Assigning gives the same for every other inherited name (all data properties).
 */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__' || Object.hasOwn(target, key)) Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
  else target[key] = value;
}

/** A copy of a plain value (what toJS makes of a chunk without tags: objects, arrays, scalars). */
function copy(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) {
    const a: unknown[] = new Array(v.length);
    for (let i = 0; i < v.length; i++) a[i] = copy(v[i]);
    return a;
  }
  if (Object.getPrototypeOf(v) !== Object.prototype) return v;
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = copy((v as Record<string, unknown>)[k]);
    if (k === '__proto__') put(o, k, x);
    else o[k] = x;
  }
  return o;
}
