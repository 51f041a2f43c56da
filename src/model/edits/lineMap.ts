// Maps a change of the yaml library's printed form (n0 → n1) onto the user's own text: an alignment of
// the original with n0 carries the changed lines over, lines the change does not touch keep their bytes.
import { diffLines, minimalEdit, splitLines, type Hunk, type TextEdit } from './textDiff';

/**
 * The edits of `text` that make the change `n0` → `n1`, where `n0` is the yaml library's print of the
 * document (or of one region of it) that `text` holds.
 */
export function mapEdits(text: string, n0: string, n1: string): TextEdit[] {
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
