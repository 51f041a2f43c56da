// Apply: each change through the capability that owns it — the backend's provisioner for VMs and
// slots, src/deploy's network steps (the renderers nix/ uses), src/tc for the default profile.
// Hosts in parallel; per host networks first, then their tunnel ports (each one's steps in one round trip),
// then VMs side by side (bounded; one VM's operations serialised by deps.queue), then tc. A failure names host, command and stderr; the rest goes on.
import { RemoteCommandError, type BackendContext } from '../backends/backend';
import { batchArgv, splitBatch } from '../backends/batch';
import { mustRunScript } from '../backends/script';
import { renderTunnelSetup, tunnelPorts } from '../deploy/renderTunnels';
import { DNSMASQ_APPLY_SCRIPT, dnsmasqConfPath, dnsmasqPidPath, renderNetworkSetup } from '../deploy/renderNetworkSetup';
import { homeHost } from '../model/fabric';
import type { Topology } from '../model/types';
import { isTolerated, type TcStep } from '../tc/steps';
import { describeChange } from './describe';
import { boundedAll, hostContext, queued } from './hosts';
import type { PlanDeps, PlanInput } from './types';
import { dnsmasqText } from './networks';
import { ItemRunner, emptyResult } from './run';
import { applyDefaultProfile } from './tc';
import { isApplicable, type ApplyOptions, type ApplyResult, type Change, type Plan } from './types';

export const DEFAULT_PER_HOST_CONCURRENCY = 8;

/**
 * Runs steps in order, in one round trip (STEPS_SCRIPT: nothing runs after a step that failed); after
 * a tolerated failure the rest go in the next round trip. A failure that is not tolerated stops them
 * and names host, command and stderr.
 */
export async function runSteps(ctx: BackendContext, steps: readonly TcStep[]): Promise<void> {
  for (let from = 0; from < steps.length;) {
    const rest = steps.slice(from);
    const argv = batchArgv(rest.map((s) => s.argv), undefined, { stopOnFailure: true });
    const r = await ctx.run.exec(argv, { timeoutMs: 60_000 });
    const parts = splitBatch(r.stdout, argv[4]!, rest.length);
    let next = steps.length;
    for (const [i, step] of rest.entries()) {
      const part = parts[i];
      // No sections for a step the script should have run: it was cut short (its own exit code and stderr say why).
      if (!part) throw RemoteCommandError.fromResult(ctx.hostName, step.argv, { ...r, stdout: '' });
      if (part.code === 0) continue;
      if (!isTolerated(step, part.code, part.stderr)) throw RemoteCommandError.fromResult(ctx.hostName, step.argv, { ...part, durationMs: r.durationMs });
      next = from + i + 1;
      break;
    }
    from = next;
  }
}

/** The topology with only network `name` (renderNetworkSetup then renders just its steps). */
export function oneNetwork(topology: Topology, name: string): Topology {
  const net = topology.networks?.[name];
  return { ...topology, networks: net ? { [name]: net } : {} };
}

export async function applyNetwork(ctx: BackendContext, name: string): Promise<void> {
  await runSteps(ctx, renderNetworkSetup(oneNetwork(ctx.topology, name), ctx.hostName));
  const text = homeHost(ctx.topology.networks?.[name]) === ctx.hostName ? dnsmasqText(ctx.topology, name) : '';
  if (text) await mustRunScript(ctx, 'vsim dnsmasq apply', DNSMASQ_APPLY_SCRIPT, [dnsmasqConfPath(name), dnsmasqPidPath(name), text]);
}

/** Creates (or recreates) one declared tunnel port of the host. */
export async function applyTunnel(ctx: BackendContext, port: string): Promise<void> {
  const p = tunnelPorts(ctx.topology, ctx.hostName).find((x) => x.name === port);
  if (!p) throw new Error(`The file declares no tunnel port ${port} on ${ctx.hostName}.`);
  await runSteps(ctx, renderTunnelSetup(p));
}

async function applyVm(ctx: BackendContext, deps: PlanDeps, c: Change & { vm: string }): Promise<void> {
  const vm = ctx.topology.vms?.[c.vm];
  if (!vm) throw new Error(`No VM named ${c.vm} in this topology.`);
  const prov = deps.backends[vm.backend]?.provisioner;
  if (!prov) throw new Error(`The ${vm.backend} backend cannot create VMs yet (${c.vm}).`);
  await queued(deps, c.vm, 'apply', () => prov.provision(ctx, c.vm));
}

async function applyHost(host: string, changes: Change[], input: PlanInput, deps: PlanDeps, items: ItemRunner, opts: ApplyOptions): Promise<void> {
  let ctx: BackendContext;
  try {
    ctx = await hostContext(input.topology, deps, host);
  } catch (err) {
    for (const c of changes) await items.item(c.id, host, describeChange(c), () => Promise.reject(err));
    return;
  }
  const nets = changes.filter((c) => c.kind === 'network-missing' || c.kind === 'network-differs');
  const vms = changes.filter((c) => c.kind === 'vm-missing' || c.kind === 'vm-differs' || c.kind === 'slot-drift');
  const tcs = changes.filter((c) => c.kind === 'tc-differs');
  const tunnels = changes.filter((c) => c.kind === 'tunnel-missing' || c.kind === 'tunnel-differs');
  const failedNets = new Set<string>();
  for (const c of nets) {
    if (c.kind !== 'network-missing' && c.kind !== 'network-differs') continue;
    if (!await items.item(c.id, host, describeChange(c), () => applyNetwork(ctx, c.network))) failedNets.add(c.network);
  }
  for (const c of tunnels) {
    if (c.kind !== 'tunnel-missing' && c.kind !== 'tunnel-differs') continue;
    if (failedNets.has(c.network)) items.skip(c.id, host, describeChange(c), `network ${c.network} could not be set up`);
    else await items.item(c.id, host, describeChange(c), () => applyTunnel(ctx, c.port));
  }
  await boundedAll(vms, opts.perHostConcurrency ?? DEFAULT_PER_HOST_CONCURRENCY, async (c) => {
    if (c.kind !== 'vm-missing' && c.kind !== 'vm-differs' && c.kind !== 'slot-drift') return;
    const title = describeChange(c);
    const onFailed = (input.topology.vms?.[c.vm]?.nics ?? []).find((n) => failedNets.has(n.network));
    if (onFailed) return items.skip(c.id, host, title, `network ${onFailed.network} could not be set up`);
    await items.item(c.id, host, title, async () => {
      await applyVm(ctx, deps, c);
      if (c.kind === 'vm-differs' && c.running) {
        items.result.restartNeeded.push(c.vm);
        return 'restart needed: the running VM keeps its old definition until it restarts';
      }
      return undefined;
    });
  });
  for (const c of tcs) {
    if (c.kind !== 'tc-differs') continue;
    await items.item(c.id, host, describeChange(c), () => applyDefaultProfile(ctx, c.vm));
  }
}

/** Carries out the plan's applicable changes (all, or those with the given ids). */
export async function applyPlan(plan: Plan, ids: readonly string[] | 'all', input: PlanInput, deps: PlanDeps, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const items = new ItemRunner(emptyResult(), opts);
  const chosen = (c: Change): boolean => ids === 'all' || ids.includes(c.id);
  const work = new Map<string, Change[]>();
  for (const h of plan.hosts) {
    for (const c of h.changes.filter(chosen)) {
      if (plan.blockers.length) items.skip(c.id, h.host, describeChange(c), 'the file has errors');
      else if (!isApplicable(c)) {
        if (ids !== 'all' || c.kind !== 'vm-undeclared') items.skip(c.id, h.host, describeChange(c), c.blockedBy ?? 'not declared in the file: never touched');
      } else work.set(h.host, [...(work.get(h.host) ?? []), c]);
    }
  }
  await Promise.all([...work].map(([host, changes]) => applyHost(host, changes, input, deps, items, opts)));
  return items.result;
}
