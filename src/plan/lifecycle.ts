// Up (apply, then start every declared VM), Down (graceful shutdown with a timeout), Destroy (stop
// and deprovision every DECLARED VM, then remove the declared tunnel ports and networks; never an
// undeclared VM or a port the file does not name).
// Hosts in parallel; on one host VMs side by side (bounded), starts in startOrder (file order,
// `after:` first; a VM waits for the starts it comes after). No vscode.
import type { BackendContext, InspectedVm, VmBackend } from '../backends/backend';
import { mustRunScript } from '../backends/script';
import { DNSMASQ_REMOVE_SCRIPT, dnsmasqConfPath, dnsmasqPidPath, renderNetworkTeardown } from '../deploy/renderNetworkSetup';
import { homeHost } from '../model/fabric';
import { startOrder } from '../model/startOrder';
import { renderTunnelTeardown, tunnelPorts } from '../deploy/renderTunnels';
import { DEFAULT_PER_HOST_CONCURRENCY, oneNetwork, applyPlan, runSteps } from './apply';
import { boundedAll, hostContext, hostsOf, queued, vmsByBackend } from './hosts';
import type { PlanDeps, PlanInput } from './types';
import { hostNetworks } from './networks';
import { planLab } from './planLab';
import { ItemRunner, emptyResult, mergeResults } from './run';
import type { ApplyOptions, ApplyResult } from './types';

interface VmState {
  exists: boolean;
  running: boolean;
}

/** Existence and running state of the host's declared VMs: one round trip per backend. */
async function vmStates(ctx: BackendContext, deps: PlanDeps): Promise<Map<string, VmState>> {
  const out = new Map<string, VmState>();
  await Promise.all([...vmsByBackend(ctx.topology, ctx.hostName)].map(async ([kind, names]) => {
    const b = deps.backends[kind];
    if (!b) return;
    if (b.provisioner) {
      const i: Record<string, InspectedVm> = await b.provisioner.inspect(ctx, names);
      for (const n of names) out.set(n, { exists: !!i[n]?.exists, running: !!i[n]?.running });
    } else {
      const l = await b.list(ctx, names);
      for (const n of names) {
        const s = l.vms[n]?.state ?? 'missing';
        out.set(n, { exists: s !== 'missing', running: s === 'running' || s === 'paused' || s === 'starting' });
      }
    }
  }));
  return out;
}

function backendOf(deps: PlanDeps, ctx: BackendContext, vm: string): VmBackend {
  const kind = ctx.topology.vms?.[vm]?.backend;
  const b = kind ? deps.backends[kind] : undefined;
  if (!b) throw new Error(`vsim has no ${kind ?? 'such'} backend (VM ${vm}).`);
  return b;
}

/** Runs `f` per host in parallel with its context; a host that cannot be reached fails its one item. */
async function perHost(input: PlanInput, deps: PlanDeps, items: ItemRunner, op: string, f: (ctx: BackendContext) => Promise<void>): Promise<void> {
  await Promise.all(hostsOf(input).map(async (host) => {
    const hasWork = Object.values(input.topology.vms ?? {}).some((v) => v.host === host) || hostNetworks(input.topology, host).length > 0;
    if (!hasWork) return;
    let ctx: BackendContext;
    try {
      ctx = await hostContext(input.topology, deps, host);
    } catch (err) {
      await items.item(`${host}/${op}`, host, `${op} on ${host}`, () => Promise.reject(err));
      return;
    }
    try {
      await f(ctx);
    } catch (err) {
      await items.item(`${host}/${op}`, host, `${op} on ${host}`, () => Promise.reject(err));
    }
  }));
}

/** The item id of starting `vm` on `host` (in ApplyResult.done once it started). */
export function startItemId(host: string, vm: string): string {
  return `${host}/start/${vm}`;
}

/** The VMs a run started (its done start items), host and name. */
export function startedVms(done: readonly string[]): { host: string; vm: string }[] {
  return done.flatMap((id) => {
    const m = /^([^/]+)\/start\/(.+)$/.exec(id);
    return m ? [{ host: m[1]!, vm: m[2]! }] : [];
  });
}

/** Starts the declared VMs that are not running, in start order; the ones given in `skip` are not started. */
export async function startAll(input: PlanInput, deps: PlanDeps, opts: ApplyOptions = {}, skip: ReadonlySet<string> = new Set()): Promise<ApplyResult> {
  const items = new ItemRunner(emptyResult(), opts);
  await perHost(input, deps, items, 'start', async (ctx) => {
    const states = await vmStates(ctx, deps);
    const names = Object.entries(ctx.topology.vms ?? {}).filter(([, v]) => v.host === ctx.hostName).map(([n]) => n);
    const order = startOrder(ctx.topology, names);
    const started = new Map<string, Promise<boolean>>();
    const settle = new Map<string, (ok: boolean) => void>();
    for (const n of order) started.set(n, new Promise((resolve) => settle.set(n, resolve)));
    await boundedAll(order, opts.perHostConcurrency ?? DEFAULT_PER_HOST_CONCURRENCY, async (vm) => {
      const id = startItemId(ctx.hostName, vm);
      const title = `start ${vm} on ${ctx.hostName}`;
      const s = states.get(vm);
      let ok = false;
      try {
        const deps2 = (ctx.topology.vms?.[vm]?.after ?? []).filter((d) => started.has(d));
        const before = await Promise.all(deps2.map((d) => started.get(d) as Promise<boolean>));
        if (skip.has(vm)) items.skip(id, ctx.hostName, title, 'not applied');
        else if (!s?.exists) items.skip(id, ctx.hostName, title, `${vm} does not exist on ${ctx.hostName}`);
        else if (s.running) { items.skip(id, ctx.hostName, title, 'already running'); ok = true; }
        else if (before.includes(false)) items.skip(id, ctx.hostName, title, `a VM it starts after (${deps2.join(', ')}) did not start`);
        else ok = await items.item(id, ctx.hostName, title, () => queued(deps, vm, 'start', () => backendOf(deps, ctx, vm).lifecycle(ctx, vm, 'start')));
      } finally {
        settle.get(vm)?.(ok);
      }
    });
  });
  return items.result;
}

/** Apply all, then start every declared VM of the file. */
export async function upLab(input: PlanInput, deps: PlanDeps, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const plan = await planLab(input, deps);
  const result = emptyResult();
  const items = new ItemRunner(result, opts);
  for (const b of plan.blockers) items.skip('blockers', '', 'up', `the file has errors: ${b.message}`);
  if (plan.blockers.length) return result;
  for (const h of plan.hosts) if (h.error) await items.item(`${h.host}/plan`, h.host, `plan ${h.host}`, () => Promise.reject(new Error(h.error)));
  const applied = await applyPlan(plan, 'all', input, deps, opts);
  mergeResults(result, applied);
  if (applied.cancelled) return result;
  const notApplied = new Set(plan.hosts.flatMap((h) => h.changes)
    .filter((c) => (c.kind === 'vm-missing' || c.kind === 'slot-drift') && (c.blockedBy || applied.failed.some((f) => f.id === c.id)))
    .map((c) => (c as { vm: string }).vm));
  const unreachable = new Set(plan.hosts.filter((h) => h.error).map((h) => h.host));
  const reachable = { ...input, hosts: hostsOf(input).filter((h) => !unreachable.has(h)) };
  return mergeResults(result, await startAll(reachable, deps, opts, notApplied));
}

/** Graceful shutdown of every running declared VM; one still running at the timeout fails with offerDestroy. */
export async function downLab(input: PlanInput, deps: PlanDeps, opts: ApplyOptions & { timeoutMs?: number } = {}): Promise<ApplyResult> {
  const items = new ItemRunner(emptyResult(), opts);
  const timeoutMs = opts.timeoutMs ?? 60_000;
  await perHost(input, deps, items, 'down', async (ctx) => {
    const states = await vmStates(ctx, deps);
    const running = [...states].filter(([, s]) => s.running).map(([n]) => n);
    const order = startOrder(ctx.topology, running).reverse();
    await boundedAll(order, opts.perHostConcurrency ?? DEFAULT_PER_HOST_CONCURRENCY, async (vm) => {
      await items.item(`${ctx.hostName}/shutdown/${vm}`, ctx.hostName, `shut down ${vm} on ${ctx.hostName}`, () => queued(deps, vm, 'shutdown', async () => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(Object.assign(new Error(`${vm} on ${ctx.hostName} is still running ${Math.round(timeoutMs / 1000)} s after the shutdown request; destroy it (hard power-off)?`), { offerDestroy: true })), timeoutMs);
        });
        try {
          await Promise.race([backendOf(deps, ctx, vm).lifecycle(ctx, vm, 'shutdown'), timeout]);
        } finally {
          clearTimeout(timer);
        }
      }));
    });
  });
  return items.result;
}

/** Hard stop and deprovision every declared VM the host has, then tear down the declared networks. */
export async function destroyLab(input: PlanInput, deps: PlanDeps, opts: ApplyOptions = {}): Promise<ApplyResult> {
  const items = new ItemRunner(emptyResult(), opts);
  await perHost(input, deps, items, 'destroy', async (ctx) => {
    const states = await vmStates(ctx, deps);
    const host = ctx.hostName;
    const vms = [...states].filter(([, s]) => s.exists);
    await boundedAll(vms, opts.perHostConcurrency ?? DEFAULT_PER_HOST_CONCURRENCY, async ([vm, s]) => {
      const backend = backendOf(deps, ctx, vm);
      const prov = backend.provisioner;
      const title = `destroy ${vm} on ${host}`;
      if (!prov) return items.skip(`${host}/destroy/${vm}`, host, title, `the ${backend.kind} backend cannot remove VMs`);
      await items.item(`${host}/destroy/${vm}`, host, title, () => queued(deps, vm, 'destroy', async () => {
        if (s.running) await backend.lifecycle(ctx, vm, 'destroy');
        await prov.deprovision(ctx, vm);
      }));
    });
    const vmFailed = items.result.failed.some((f) => f.id.startsWith(`${host}/destroy/`));
    for (const p of tunnelPorts(ctx.topology, host)) {
      const title = `remove tunnel ${p.name} (network ${p.network}) on ${host}`;
      if (vmFailed) items.skip(`${host}/tunnel/${p.name}`, host, title, 'a VM of this host could not be destroyed');
      else await items.item(`${host}/tunnel/${p.name}`, host, title, () => runSteps(ctx, renderTunnelTeardown(p)));
    }
    for (const [name, net] of hostNetworks(ctx.topology, host)) {
      const id = `${host}/network/${name}`;
      const title = `remove network ${name} (${net.bridge ?? name}) on ${host}`;
      if (vmFailed) {
        items.skip(id, host, title, 'a VM of this host could not be destroyed');
        continue;
      }
      await items.item(id, host, title, async () => {
        if (net.dhcp && homeHost(net) === host) await mustRunScript(ctx, 'vsim dnsmasq remove', DNSMASQ_REMOVE_SCRIPT, [dnsmasqConfPath(name), dnsmasqPidPath(name)]);
        await runSteps(ctx, renderNetworkTeardown(oneNetwork(ctx.topology, name), host));
      });
    }
  });
  return items.result;
}
