// What every semantic check gets: the typed topology and a way to report at a path.
import { rangeOf } from '../parse';
import type { ParsedTopology } from '../parsedTopology';
import type { FixData, Problem, Severity } from '../problem';
import type { Path, Topology } from '../types';

export interface CheckContext {
  t: Topology;
  report(severity: Severity, code: string, path: Path, message: string, opts?: { prefer?: 'value' | 'key'; fix?: FixData }): void;
}

export type Check = (ctx: CheckContext) => void;

export function makeContext(parsed: ParsedTopology, t: Topology, out: Problem[]): CheckContext {
  return {
    t,
    report(severity, code, path, message, opts) {
      const [start, end] = rangeOf(parsed, path, opts?.prefer ?? 'value');
      out.push({ severity, code, message, start, end, path, ...(opts?.fix ? { fix: opts.fix } : {}) });
    },
  };
}

export function entries<T>(m: Record<string, T> | undefined): [string, T][] {
  return m && typeof m === 'object' ? Object.entries(m).filter(([, v]) => v && typeof v === 'object') : [];
}
