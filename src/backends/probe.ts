// Probes (backend.ts: a command and the parser of what it printed) run alone, one exec each. A
// refresh gathers the probes of a host (each backend's listing, the Services probe, the network
// probe) and asks them all in ONE round trip instead (batch.ts). Pure.
import { RemoteCommandError, type BackendContext, type ExecResult, type Probe } from './backend';

export type { Probe };

/** The result a probe without a command is parsed from. */
export const NOTHING_ASKED: ExecResult = { stdout: '', stderr: '', code: 0, durationMs: 0 };

/** Runs one probe in its own round trip. */
export async function runProbe<T>(ctx: BackendContext, p: Probe<T>): Promise<T> {
  if (!p.argv) return p.parse(NOTHING_ASKED);
  return p.parse(await ctx.run.exec(p.argv, p.timeoutMs !== undefined ? { timeoutMs: p.timeoutMs } : undefined));
}

/**
 * A probe that fails like mustRun (exit ≠ 0 → RemoteCommandError naming host and `shown`, the argv
 * or a short form of it) and parses the output of a successful run.
 */
export function mustProbe<T>(ctx: BackendContext, label: string, argv: readonly string[], parse: (r: ExecResult) => T, opts: { timeoutMs?: number; shown?: readonly string[] } = {}): Probe<T> {
  return {
    label,
    argv,
    ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}),
    parse(r) {
      if (r.code !== 0) throw RemoteCommandError.fromResult(ctx.hostName, opts.shown ?? argv, r);
      return parse(r);
    },
  };
}
