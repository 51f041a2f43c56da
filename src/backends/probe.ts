// One question for a host: its command and the parser of what the command printed. A refresh
// gathers the probes of a host (each backend's listing, the Services probe, the network probe) and
// asks them all in ONE round trip (batch.ts); alone, a probe is one exec (runProbe). Pure.
import { RemoteCommandError, type BackendContext, type ExecResult } from './backend';

export interface Probe<T> {
  /** What it asks, for messages: `libvirt listing`, `Services probe`. */
  readonly label: string;
  /** The command (argv, quoted by the runner); absent: nothing to ask (`parse` gets an empty, successful result). */
  readonly argv?: readonly string[];
  /** How long the command may take (the runner's default when absent). */
  readonly timeoutMs?: number;
  /** What the command printed → the answer; throws (naming host and command) when it failed. */
  parse(r: ExecResult): T;
}

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
