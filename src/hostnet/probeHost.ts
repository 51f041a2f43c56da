// The host network probe over a host's runner: the facts, or why they could not be read (a note
// for the Networks node, never a failed refresh). Pure (no vscode).
import type { BackendContext } from '../backends/backend';
import { runProbe, type Probe } from '../backends/probe';
import { parseHostNet, type HostNetProbe } from './parse';
import { hostnetProbe } from './probe';

/** The probe for a refresh's round trip: never throws, a failure is its answer. */
export function hostNetProbe(ctx: BackendContext): Probe<HostNetProbe> {
  return {
    label: 'network probe',
    argv: hostnetProbe(),
    timeoutMs: 30_000,
    parse(r) {
      const at = Date.now();
      if (r.code !== 0) return { error: `network probe on ${ctx.hostName} failed (exit ${r.code}): ${r.stderr.trim().split('\n')[0] ?? ''}`, at };
      return { facts: parseHostNet(r.stdout), at };
    },
  };
}

/** Why the probe gave no facts, when its round trip failed as a whole. */
export const hostNetError = (ctx: BackendContext, err: Error): HostNetProbe =>
  ({ error: `network probe on ${ctx.hostName} failed: ${err.message.split('\n')[0]}`, at: Date.now() });

/** Runs the probe in its own round trip. */
export async function probeHostNet(ctx: BackendContext): Promise<HostNetProbe> {
  try {
    return await runProbe(ctx, hostNetProbe(ctx));
  } catch (err) {
    return hostNetError(ctx, err as Error);
  }
}
