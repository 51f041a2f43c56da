// Runs the host network probe over a host's runner: the facts, or why they could not be read (a
// note for the Networks node, never a failed refresh). Pure (no vscode).
import type { BackendContext } from '../backends/backend';
import { parseHostNet, type HostNetProbe } from './parse';
import { hostnetProbe } from './probe';

export async function probeHostNet(ctx: BackendContext): Promise<HostNetProbe> {
  const at = Date.now();
  try {
    const r = await ctx.run.exec(hostnetProbe(), { timeoutMs: 30_000 });
    if (r.code !== 0) return { error: `network probe on ${ctx.hostName} failed (exit ${r.code}): ${r.stderr.trim().split('\n')[0] ?? ''}`, at };
    return { facts: parseHostNet(r.stdout), at };
  } catch (err) {
    return { error: `network probe on ${ctx.hostName} failed: ${(err as Error).message.split('\n')[0]}`, at };
  }
}
