// Text diffs for the topology editor: line-level Myers diff, and the smallest replace range between
// two strings. Pure; used to turn "the document as the yaml library would print it" into edits of
// the user's own text.

/** One replacement in a text: offsets [start, end) of the old text are replaced by `text`. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** The smallest single replacement turning `a` into `b` (common prefix and suffix kept), or undefined if equal. */
export function minimalEdit(a: string, b: string, base = 0): TextEdit | undefined {
  if (a === b) return undefined;
  const max = Math.min(a.length, b.length);
  let p = 0;
  while (p < max && a.charCodeAt(p) === b.charCodeAt(p)) p++;
  let s = 0;
  while (s < max - p && a.charCodeAt(a.length - 1 - s) === b.charCodeAt(b.length - 1 - s)) s++;
  return { start: base + p, end: base + a.length - s, text: b.slice(p, b.length - s) };
}

/** A changed region between two line arrays: a[aStart, aEnd) became b[bStart, bEnd). */
export interface Hunk {
  aStart: number;
  aEnd: number;
  bStart: number;
  bEnd: number;
}

/**
 * Myers' O(ND) diff over lines, returned as hunks (maximal runs of changes). `maxD` bounds the work:
 * past it, the whole differing middle becomes one hunk (still correct, just less minimal).
 */
export function diffLines(a: readonly string[], b: readonly string[], maxD = 4000): Hunk[] {
  // Trim the common head and tail first: most edits touch a few lines of a long file.
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const A = a.slice(head, a.length - tail);
  const B = b.slice(head, b.length - tail);
  if (!A.length && !B.length) return [];
  if (!A.length || !B.length) return [{ aStart: head, aEnd: head + A.length, bStart: head, bEnd: head + B.length }];

  const n = A.length;
  const m = B.length;
  const max = Math.min(n + m, maxD);
  const off = max + 1;
  const v = new Int32Array(2 * max + 3);
  const trace: Int32Array[] = [];
  let found = -1;
  for (let d = 0; d <= max && found < 0; d++) {
    trace.push(v.slice());
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[off + k - 1]! < v[off + k + 1]!) ? v[off + k + 1]! : v[off + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && A[x] === B[y]) {
        x++;
        y++;
      }
      v[off + k] = x;
      if (x >= n && y >= m) {
        found = d;
        break;
      }
    }
  }
  if (found < 0) return [{ aStart: head, aEnd: head + n, bStart: head, bEnd: head + m }];

  // Walk back through the trace collecting matched (diagonal) line pairs.
  const matches: [number, number][] = [];
  let x = n;
  let y = m;
  for (let d = found; d > 0; d--) {
    const vd = trace[d]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && vd[off + k - 1]! < vd[off + k + 1]!) ? k + 1 : k - 1;
    const prevX = vd[off + prevK]!;
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) matches.push([--x, --y]);
    x = prevX;
    y = prevY;
  }
  while (x > 0 && y > 0) matches.push([--x, --y]);
  matches.reverse();

  const hunks: Hunk[] = [];
  let pa = 0;
  let pb = 0;
  for (const [ma, mb] of [...matches, [n, m] as [number, number]]) {
    if (ma > pa || mb > pb) hunks.push({ aStart: head + pa, aEnd: head + ma, bStart: head + pb, bEnd: head + mb });
    pa = ma + 1;
    pb = mb + 1;
  }
  return hunks;
}

/** Lines of a text, each with its line break, so that joining them gives the text back. */
export function splitLines(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const nl = text.indexOf('\n', i);
    const end = nl < 0 ? text.length : nl + 1;
    out.push(text.slice(i, end));
    i = end;
  }
  return out;
}

/** Applies non-overlapping edits (any order) to a text. */
export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const sorted = [...edits].sort((x, y) => y.start - x.start);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
