// Splits a large topology into pieces the `yaml` parser can parse on their own: one chunk per
// top-level pair and, inside a top-level pair whose value is a block map, one chunk per entry of
// that map. Returns undefined whenever the text has anything the splitter cannot be sure about
// (document markers, directives, anchors, aliases, tags, tabs, complex keys, flow-style top level,
// odd indentation…): the caller then parses the whole text at once, as for small files.

export interface Chunk {
  /** Offset of the chunk's first character in the whole text. */
  start: number;
  /** The chunk's exact text: whole lines, from `start`. */
  text: string;
}

export interface TopChunk extends Chunk {
  /**
   * Set when the pair's value is a block map: `text` is then only the key line (and the comment
   * lines before it) and each entry of the map is a chunk of its own, in order.
   */
  entries?: Chunk[];
}

/** A plain key (the names vsim uses) followed by `:` and a space or the end of the line. */
const KEY = /^[A-Za-z0-9_][A-Za-z0-9_.@+/-]*:(?= |$)/;
/** Nothing after the key but spaces and a comment: the value is on the following lines. */
const NO_VALUE = /^(?: +#.*| *)$/;
/** Anchors, aliases and tags (`&a`, `*a`, `!t`, `! x`) and complex keys (`? k`) at a token start. */
const UNSURE_TOKEN = /(?:^|[\s[\]{},])(?:[&*!]\S|!(?:\s|$)|\?(?:\s|$))/;

/**
 * The chunks of `text`, or undefined when it must be parsed whole. Comment and blank lines stay
 * with the chunk they follow (the parser attaches them to the node before them, and their
 * ranges must come out as in a whole parse); comment lines before the first key go with it.
 */
export function splitTopology(text: string): TopChunk[] | undefined {
  if (text.includes('\t') || text.charCodeAt(0) === 0xfeff || /\r(?!\n)/.test(text)) return undefined;
  const tops: TopChunk[] = [];
  let top: TopChunk | undefined;
  let entries: Chunk[] | undefined;
  /** Indentation of the entries of the current top-level block map; -1 while not yet known, 0 when the value is not a block map. */
  let entryIndent = 0;
  const close = (end: number) => {
    if (!top) return;
    const last = entries?.[entries.length - 1];
    if (last) {
      last.text = text.slice(last.start, end);
      top.entries = entries;
    } else {
      top.text = text.slice(top.start, end);
    }
  };
  let lineStart = 0;
  while (lineStart < text.length) {
    const nl = text.indexOf('\n', lineStart);
    const next = nl < 0 ? text.length : nl + 1;
    const line = text.slice(lineStart, nl < 0 ? text.length : nl > lineStart && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
    let indent = 0;
    while (line.charCodeAt(indent) === 32) indent++;
    const rest = line.slice(indent);
    if (rest === '' || rest.startsWith('#')) {
      lineStart = next;
      continue;
    }
    if (UNSURE_TOKEN.test(rest)) return undefined;
    if (indent === 0) {
      const key = KEY.exec(rest);
      if (!key) return undefined;
      close(lineStart);
      top = { start: top ? lineStart : 0, text: '' };
      tops.push(top);
      entries = undefined;
      entryIndent = NO_VALUE.test(rest.slice(key[0].length)) ? -1 : 0;
    } else if (!top) {
      return undefined;
    } else if (entryIndent === -1) {
      // First line of a value on its own lines: a block map when it is a key.
      if (KEY.test(rest)) {
        entryIndent = indent;
        top.text = text.slice(top.start, lineStart);
        entries = [{ start: lineStart, text: '' }];
      } else {
        entryIndent = 0;
      }
    } else if (entryIndent > 0) {
      if (indent === entryIndent) {
        if (!KEY.test(rest)) return undefined;
        const last = entries?.[entries.length - 1];
        if (last) last.text = text.slice(last.start, lineStart);
        entries?.push({ start: lineStart, text: '' });
      } else if (indent < entryIndent) {
        return undefined;
      }
    }
    lineStart = next;
  }
  if (!top) return undefined;
  close(text.length);
  return tops;
}
