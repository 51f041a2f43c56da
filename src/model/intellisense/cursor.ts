// Where the cursor is in a (possibly half-typed, invalid) block-YAML document: the path, key or
// value position, and the partial word. An indentation walk over the lines, so it works on text
// that does not parse. Flow maps/sequences on the cursor's line are followed too.

export type Seg = string | number;

export interface CursorContext {
  /** `key`: a map key is being typed; `value`: the value of `path`; `none`: comment, block scalar. */
  kind: 'key' | 'value' | 'none';
  /** key: the map that holds the key; value: the path of the value itself. */
  path: Seg[];
  /** The partial word before the cursor. */
  word: string;
  /** Range to replace with a completion (the whole word under the cursor). */
  wordStart: number;
  wordEnd: number;
  /** Keys already in the map at `path` (key position), the one under the cursor excluded. */
  presentKeys: string[];
  /** The word directly follows `- ` : the item may be a scalar (value) or a map (key). */
  afterDash: boolean;
  /** Inside `{ … }` or `[ … ]` on the cursor's line. */
  flow: boolean;
  /** The cursor directly follows `key:` without a space. */
  needsSpace: boolean;
  /** Key position on a line that already has `key:` after the word (insert the name only). */
  hasColon?: boolean;
}

interface Frame {
  col: number;
  seg: Seg;
  kind: 'key' | 'item' | 'root';
  keys: Set<string>;
}

const KEY_CHARS = /[^\s:,{}[\]#]/;
const VALUE_CHARS = /[^\s,{}[\]#"']/;

/** Index of the `:` that ends a block key in `s` (outside quotes, followed by space or end), or -1. */
export function keySeparator(s: string): number {
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = '';
      continue;
    }
    if ((c === '"' || c === "'") && i === 0) quote = c;
    else if (c === '#' && (i === 0 || s[i - 1] === ' ')) return -1;
    else if (c === '{' || c === '[') return -1;
    else if (c === ':' && (i + 1 === s.length || s[i + 1] === ' ' || s[i + 1] === '\t')) return i;
  }
  return -1;
}

function unquote(s: string): string {
  const t = s.trim();
  if (t.length >= 2 && (t[0] === '"' || t[0] === "'") && t[t.length - 1] === t[0]) return t.slice(1, -1);
  return t;
}

/** Removes a trailing ` # comment` outside quotes. */
function stripComment(s: string): string {
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(s[i - 1] ?? ''))) return s.slice(0, i);
  }
  return s;
}

/** Net bracket depth change of a flow fragment (quotes skipped). */
function bracketDelta(s: string): number {
  let d = 0;
  let quote = '';
  for (const c of stripComment(s)) {
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '{' || c === '[') d++;
    else if (c === '}' || c === ']') d--;
  }
  return d;
}

function indentOf(line: string): number {
  let i = 0;
  while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  return i;
}

class Walker {
  readonly root: Frame = { col: -1, seg: '', kind: 'root', keys: new Set() };
  stack: Frame[] = [this.root];
  private blockCol = -2;
  private flowDepth = 0;
  /** Column of the line that opened an unclosed flow collection; less-indented lines end it. */
  private flowCol = -1;

  get top(): Frame {
    return this.stack[this.stack.length - 1] ?? this.root;
  }

  path(): Seg[] {
    return this.stack.slice(1).map((f) => f.seg);
  }

  /** Handles the `- ` markers from `pos`; returns the column after them. */
  dashes(line: string, pos: number, end = line.length): { pos: number; count: number } {
    let count = 0;
    while (pos < end && line[pos] === '-' && (pos + 1 >= line.length || line[pos + 1] === ' ' || line[pos + 1] === '\t')) {
      this.item(pos);
      count++;
      pos++;
      while (pos < end && (line[pos] === ' ' || line[pos] === '\t')) pos++;
    }
    return { pos, count };
  }

  item(col: number): void {
    let index = 0;
    while (this.stack.length > 1) {
      const t = this.top;
      if (t.col > col) this.stack.pop();
      else if (t.col === col && t.kind === 'item') {
        index = (t.seg as number) + 1;
        this.stack.pop();
        break;
      } else break;
    }
    this.stack.push({ col, seg: index, kind: 'item', keys: new Set() });
  }

  popForKey(col: number): void {
    while (this.stack.length > 1 && this.top.col >= col) this.stack.pop();
  }

  /** Feeds one whole line. */
  line(line: string): void {
    const trimmed = line.trim();
    const indent = indentOf(line);
    if (this.blockCol > -2) {
      if (!trimmed || indent > this.blockCol) return;
      this.blockCol = -2;
    }
    if (this.flowDepth > 0) {
      if (trimmed && indent > this.flowCol) {
        this.flowDepth = Math.max(0, this.flowDepth + bracketDelta(line));
        return;
      }
      this.flowDepth = 0; // an unclosed `[`/`{` (half-typed): the block structure goes on
    }
    if (!trimmed || trimmed.startsWith('#') || trimmed.startsWith('%')) return;
    if (/^(---|\.\.\.)(\s|$)/.test(line)) {
      this.stack = [this.root];
      this.root.keys.clear();
      return;
    }
    const { pos, count } = this.dashes(line, indent);
    const rest = line.slice(pos);
    if (!stripComment(rest).trim()) return;
    const sep = keySeparator(rest);
    if (sep < 0) {
      if (/^[|>]/.test(rest)) this.blockCol = count ? pos - 2 : indent;
      const d = bracketDelta(rest);
      if (d > 0) [this.flowDepth, this.flowCol] = [d, indent];
      return;
    }
    const key = unquote(rest.slice(0, sep));
    this.popForKey(pos);
    this.top.keys.add(key);
    const value = stripComment(rest.slice(sep + 1)).trim();
    if (!value || /^([&!]\S*)$/.test(value)) this.stack.push({ col: pos, seg: key, kind: 'key', keys: new Set() });
    else if (/^[|>]/.test(value)) this.blockCol = pos;
    else if (/^[[{]/.test(value)) {
      const d = bracketDelta(value);
      if (d > 0) [this.flowDepth, this.flowCol] = [d, indent];
    }
  }

  /** The line continues an unclosed flow collection. */
  inFlow(line: string): boolean {
    return this.flowDepth > 0 && (!line.trim() || indentOf(line) > this.flowCol);
  }

  /** The cursor's line (cursor at `col`) is inside a block scalar. */
  blockScalarContains(line: string, col: number): boolean {
    return this.blockCol > -2 && (line.trim() ? indentOf(line) : col) > this.blockCol;
  }
}

function extend(text: string, from: number, chars: RegExp): number {
  let i = from;
  while (i < text.length && chars.test(text[i] ?? '')) i++;
  return i;
}

function back(text: string, from: number, min: number, chars: RegExp): number {
  let i = from;
  while (i > min && chars.test(text[i - 1] ?? '')) i--;
  return i;
}

export function cursorContext(text: string, offset: number): CursorContext {
  const off = Math.max(0, Math.min(offset, text.length));
  const lineStart = text.lastIndexOf('\n', off - 1) + 1;
  let lineEnd = text.indexOf('\n', off);
  if (lineEnd < 0) lineEnd = text.length;
  const w = new Walker();
  let start = 0;
  while (start < lineStart) {
    let nl = text.indexOf('\n', start);
    if (nl < 0 || nl >= lineStart) nl = lineStart - 1;
    w.line(text.slice(start, nl).replace(/\r$/, ''));
    start = nl + 1;
  }
  const line = text.slice(lineStart, lineEnd).replace(/\r$/, '');
  const col = off - lineStart;
  const before = line.slice(0, col);
  const none = (): CursorContext => ({ kind: 'none', path: w.path(), word: '', wordStart: off, wordEnd: off, presentKeys: [], afterDash: false, flow: false, needsSpace: false });

  if (w.blockScalarContains(line, col) || w.inFlow(line)) return none();
  if (stripComment(before) !== before) return none();

  const indent = indentOf(before);
  const { pos, count } = w.dashes(line, indent, col);
  const rest = before.slice(pos);
  const sep = keySeparator(rest);
  const base = { presentKeys: [] as string[], afterDash: false, flow: false, needsSpace: false };

  if (sep >= 0) {
    const key = unquote(rest.slice(0, sep));
    w.popForKey(pos);
    const path = [...w.path(), key];
    let vStart = pos + sep + 1;
    const needsSpace = vStart === col;
    while (vStart < col && (before[vStart] === ' ' || before[vStart] === '\t')) vStart++;
    const valueText = before.slice(vStart);
    if (/^[[{]/.test(valueText)) return flowContext(text, lineStart + vStart, off, path);
    if (/^[|>]/.test(valueText)) return none();
    let ws = lineStart + vStart;
    if (text[ws] === '"' || text[ws] === "'") ws++;
    const we = extend(text, off, VALUE_CHARS);
    return { ...base, kind: 'value', path, word: text.slice(ws, off), wordStart: ws, wordEnd: Math.max(we, off), needsSpace };
  }
  if (/^[[{]/.test(rest)) {
    w.popForKey(pos);
    return flowContext(text, lineStart + pos, off, w.path());
  }

  // Key position (or a scalar item after `- `).
  w.popForKey(pos);
  const container = w.top;
  const ws = back(text, off, lineStart + pos, KEY_CHARS);
  const we = extend(text, off, KEY_CHARS);
  const path = w.path();
  // Collect the container's keys after the cursor too.
  const full = line.slice(pos);
  const fullSep = keySeparator(full);
  let currentKey: string | undefined;
  if (fullSep >= 0) {
    currentKey = unquote(full.slice(0, fullSep));
    const value = stripComment(full.slice(fullSep + 1)).trim();
    if (!value) w.stack.push({ col: pos, seg: currentKey, kind: 'key', keys: new Set() });
  }
  let s = lineEnd + 1;
  while (s <= text.length && w.stack.includes(container)) {
    let nl = text.indexOf('\n', s);
    if (nl < 0) nl = text.length;
    w.line(text.slice(s, nl).replace(/\r$/, ''));
    s = nl + 1;
  }
  const present = [...container.keys].filter((k) => k !== currentKey);
  return { ...base, kind: 'key', path, word: text.slice(ws, off), wordStart: ws, wordEnd: we, presentKeys: present,
    afterDash: count > 0 && ws === lineStart + pos, hasColon: /^\s*:(\s|$)/.test(text.slice(we, lineEnd)) };
}

/** Context inside `{ … }` / `[ … ]` starting at `from` (the bracket) on the cursor's line. */
function flowContext(text: string, from: number, off: number, basePath: Seg[]): CursorContext {
  interface F { type: '{' | '['; seg?: Seg; index: number; key?: string; keys: string[]; tokenStart: number }
  const stack: F[] = [];
  let quote = '';
  for (let i = from; i < off; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (quote) {
      if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '{' || c === '[') {
      const seg = top ? (top.type === '[' ? top.index : top.key) : undefined;
      stack.push({ type: c, seg, index: 0, keys: [], tokenStart: i + 1 });
    } else if (c === '}' || c === ']') {
      stack.pop();
      const t = stack[stack.length - 1];
      if (!t) break;
    } else if (c === ',' && top) {
      if (top.type === '[') top.index++;
      else top.key = undefined;
      top.tokenStart = i + 1;
    } else if (c === ':' && top?.type === '{' && top.key === undefined && /[\s,}]/.test(text[i + 1] ?? ' ')) {
      top.key = unquote(text.slice(top.tokenStart, i));
      top.keys.push(top.key);
      top.tokenStart = i + 1;
    }
  }
  const top = stack[stack.length - 1];
  const base = { afterDash: false, flow: true, needsSpace: false };
  if (!top) return { ...base, kind: 'none', path: basePath, word: '', wordStart: off, wordEnd: off, presentKeys: [] };
  const path: Seg[] = [...basePath];
  for (const f of stack.slice(1)) if (f.seg !== undefined) path.push(f.seg);
  let ws = top.tokenStart;
  while (ws < off && /\s/.test(text[ws] ?? '')) ws++;
  if (text[ws] === '"' || text[ws] === "'") ws++;
  const we = Math.max(off, extend(text, off, VALUE_CHARS));
  if (top.type === '[') return { ...base, kind: 'value', path: [...path, top.index], word: text.slice(ws, off), wordStart: ws, wordEnd: we, presentKeys: [] };
  if (top.key !== undefined) {
    return { ...base, kind: 'value', path: [...path, top.key], word: text.slice(ws, off), wordStart: ws, wordEnd: we, presentKeys: [], needsSpace: text[off - 1] === ':' };
  }
  // Keys later in the same flow map count as present too.
  const after = text.slice(off, text.indexOf('\n', off) < 0 ? text.length : text.indexOf('\n', off));
  const later = [...after.matchAll(/[{,]\s*([A-Za-z0-9_-]+)\s*:/g)].map((m) => m[1] ?? '');
  const keyEnd = extend(text, off, KEY_CHARS);
  return { ...base, kind: 'key', path, word: text.slice(ws, off), wordStart: ws, wordEnd: keyEnd, presentKeys: [...top.keys, ...later] };
}
