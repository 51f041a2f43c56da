// What a parse of a topology text gives (whole or in chunks: the same either way).
import type { Document, Node } from 'yaml';
import type { LineIndex } from './lineIndex';
import type { Problem } from './problem';

export interface ParsedTopology {
  text: string;
  /**
   * The yaml Document of the whole text, comments included (what the topology editor edits).
   * For a file parsed in chunks it is parsed on first use: lookups should use `root`.
   */
  doc: Document.Parsed | undefined;
  /** The root node, ranges as offsets in `text`: what lookups walk (`locate`, `rangeOf`, IntelliSense). No comments. */
  root: Node | undefined;
  /** The plain value (`toJS`), whatever its shape. */
  value: unknown;
  lines: LineIndex;
  /** YAML syntax problems (and refusals such as binary or oversized input). */
  syntax: Problem[];
  /** The plain value as far as it can be read, also when there are syntax errors (`doc.toJS()`); may throw. */
  looseValue(): unknown;
  /** Set when the text was parsed in chunks: how many there are, and how many this parse did not find in the cache. */
  chunks?: { total: number; parsed: number };
}
