// Parse results of chunks (src/model/chunks.ts) by their exact text, those used longest ago
// dropped first once the cached texts pass a size: after an edit only the chunks whose text
// changed are parsed again. Cached nodes are shared by every result that uses them and never
// changed; a chunk that moved is seen through shifted copies (src/model/chunkTree.ts).
import { isMap, isScalar, parseDocument, type Node, type Pair, type Range, type YAMLError } from 'yaml';
import { shiftInPlace } from './chunkTree';
import { PARSE_OPTIONS, TO_JS_OPTIONS } from './yamlSyntax';

export interface ParsedChunk {
  /** Offset in the text where the chunk was first parsed: its nodes' ranges are right for a chunk starting there. */
  readonly base: number;
  /** The chunk's one `key: value` pair. */
  readonly pair: Pair<Node, Node | null>;
  /** Range of the chunk's map (the pair with the lines around it), for a chunk at `base`. */
  readonly range: Range;
  /** `toJS` of the chunk: an object with the one key. */
  readonly js: Record<string, unknown>;
  /** Warnings at offsets in the chunk's text (from 0). */
  readonly warnings: readonly YAMLError[];
}

/** What a chunk parse gives: undefined when the chunk has errors or is not one `key: value` pair (the text is then parsed whole). */
export type ChunkResult = ParsedChunk | undefined;

/**
 * Default size of the cache: chunk texts of this many characters in all, or the text being parsed
 * if it is longer. Parsed nodes take ~30 bytes per character of text (a 1 000-VM file of 420 KB:
 * 13 MB), so this is ~30 MB.
 */
export const CACHE_CHARS = 1024 * 1024;

export class ChunkCache {
  private readonly entries = new Map<string, { result: ChunkResult; used: number }>();
  private kept = 0;
  private clock = 0;
  /** Chunk parses so far (cache misses). */
  parses = 0;

  constructor(readonly maxChars = CACHE_CHARS) {}

  /** Chunks kept. */
  get size(): number {
    return this.entries.size;
  }

  /** Characters of the chunks kept. */
  get chars(): number {
    return this.kept;
  }

  /**
   * Starts the parse of a text of `chars` characters: drops the chunks used longest ago when the
   * cache is over its size — or over the size of this text, when that is larger, so that a text
   * longer than maxChars still finds the chunks of its previous version.
   */
  reserve(chars: number): void {
    this.clock++;
    if (this.kept <= Math.max(this.maxChars, chars)) return;
    const target = Math.max(this.maxChars * 0.75, chars);
    const byAge = [...this.entries].sort((x, y) => x[1].used - y[1].used);
    for (const [text] of byAge) {
      if (this.kept <= target) break;
      this.entries.delete(text);
      this.kept -= text.length;
    }
  }

  /** The parse of `text` (a chunk starting at `start`), from the cache when the same text was parsed before. */
  get(text: string, start: number): ChunkResult {
    const hit = this.entries.get(text);
    if (hit) {
      hit.used = this.clock;
      return hit.result;
    }
    const result = parseChunk(text, start);
    this.parses++;
    this.entries.set(text, { result, used: this.clock });
    this.kept += text.length;
    return result;
  }

  clear(): void {
    this.entries.clear();
    this.kept = 0;
  }
}

function parseChunk(text: string, start: number): ChunkResult {
  const doc = parseDocument(text, PARSE_OPTIONS);
  const map = doc.contents;
  if (doc.errors.length || !isMap(map) || map.items.length !== 1 || !map.range) return undefined;
  const pair = map.items[0] as Pair<Node, Node | null>;
  if (!isScalar(pair.key)) return undefined;
  let js: unknown;
  try {
    js = doc.toJS(TO_JS_OPTIONS);
  } catch {
    return undefined;
  }
  if (!js || typeof js !== 'object') return undefined;
  shiftInPlace(map, start);
  return { base: start, pair, range: map.range, js: js as Record<string, unknown>, warnings: doc.warnings };
}
