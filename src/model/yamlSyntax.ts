// The `yaml` options vsim parses topologies with, and the parser's errors and warnings as Problems
// (shared by the whole-text parse and the chunked parse of large files, so both say the same).
import type { YAMLError } from 'yaml';
import type { Problem } from './problem';

export const PARSE_OPTIONS = { uniqueKeys: true, prettyErrors: false, strict: true, logLevel: 'error' } as const;
export const TO_JS_OPTIONS = { maxAliasCount: 100 } as const;

/** Errors first, then warnings, each at its `pos` moved by `shift` (a chunk's offset in the text). */
export function syntaxProblems(errors: readonly YAMLError[], warnings: readonly YAMLError[], shift = 0): Problem[] {
  const out: Problem[] = [];
  for (const e of errors) out.push(yamlError(e.code, e.message, e.pos[0] + shift, e.pos[1] + shift));
  for (const w of warnings) {
    const [s, en] = [w.pos[0] + shift, w.pos[1] + shift];
    out.push({ severity: 'warning', code: `yaml-${w.code.toLowerCase()}`, start: s, end: Math.max(en, s + 1), message: firstLine(w.message) });
  }
  return out;
}

export function yamlError(code: string, message: string, start: number, end: number): Problem {
  return { severity: 'error', code: `yaml-${code.toLowerCase()}`, start, end: Math.max(end, start + 1), message: yamlMessage(code, message) };
}

export function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

function yamlMessage(code: string, message: string): string {
  if (code === 'DUPLICATE_KEY') return 'Duplicate key: each name may appear once in its map. Rename or remove one of them.';
  return firstLine(message);
}
