// A problem found in a topology file: what is wrong, what would fix it, and where (offsets).
import type { Path } from './types';

export type Severity = 'error' | 'warning' | 'info';

/** Data a quick fix needs; the language layer turns it into code actions. */
export type FixData =
  | { kind: 'replace-reference'; candidates: string[] }
  | { kind: 'next-free-ip'; network: string }
  | { kind: 'generate-mac' };

export interface Problem {
  severity: Severity;
  /** Stable identifier, e.g. `unknown-reference`. */
  code: string;
  message: string;
  /** Offsets into the text, end exclusive. */
  start: number;
  end: number;
  path?: Path;
  fix?: FixData;
}

export function formatPath(path: Path): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s ? `.${p}` : p;
  return s || '(top level)';
}
