// The plan: for each host (in parallel) one round trip for its networks and tools, one per backend
// (provisioner.inspect, or `list` for a backend without a provisioner), one for tc when the file has
// a `default` profile and VMs run; the differences as typed changes. No vscode.
import type { BackendContext, VmBackend } from '../backends/backend';
import type { Backend, Topology } from '../model/types';
import { diffSpec } from './diff';
import { countingRunner, hostContext, hostsOf, vmsByBackend } from './hosts';
import type { PlanDeps, PlanInput } from './types';
import { hostNetworks, inspectHostNetworks, networkChanges, networkTools, type HostNetworks } from './networks';
import { tcChanges } from './tc';
import { tunnelChanges } from './tunnels';
import { tunnelPorts, tunnelTools } from '../deploy/renderTunnels';
import type { Change, HostPlan, Plan } from './types';

/** The tools a host needs, each with what needs it (`libvirt VMs`, `network vsimbr0`). */
export function neededTools(topology: Topology, host: string, backends: PlanDeps['backends']): Map<string, string[]> {
  const need = new Map<string, string[]>();
  const add = (tool: string, what: string): void => void need.set(tool, [...(need.get(tool) ?? []), what]);
  for (const kind of vmsByBackend(topology, host).keys()) {
    const b = backends[kind];
    if (!b) continue;
    add(b.tool, `${kind} VMs`);
    for (const t of b.provisioner?.tools ?? []) add(t, `${kind} VMs`);
  }
  for (const [name, net] of hostNetworks(topology, host)) for (const t of networkTools(net, host)) add(t, `network ${name}`);
  for (const p of tunnelPorts(topology, host)) for (const t of tunnelTools([p])) add(t, `tunnel ${p.name}`);
  if (topology.profiles?.default) add('tc', 'the default tc profile');
  return need;
}

interface BackendPlan {
  changes: Change[];
  undeclared: Change[];
  running: string[];
}

async function planBackend(ctx: BackendContext, kind: Backend, backend: VmBackend | undefined, names: string[], nets: HostNetworks, evaluate: boolean): Promise<BackendPlan> {
  const host = ctx.hostName;
  const out: BackendPlan = { changes: [], undeclared: [], running: [] };
  const missing = (vm: string, blockedBy?: string): Change => ({ id: `${host}/vm/${vm}`, host, kind: 'vm-missing', vm, backend: kind, ...(blockedBy ? { blockedBy } : {}) });
  if (!backend) {
    out.changes = names.map((vm) => missing(vm, `vsim has no ${kind} backend`));
    return out;
  }
  if (!nets.tools.has(backend.tool)) {
    out.changes = names.map((vm) => missing(vm, `${host} lacks ${backend.tool}`));
    return out;
  }
  const prov = backend.provisioner;
  if (!prov) {
    const listing = await backend.list(ctx, names);
    for (const vm of names) {
      const s = listing.vms[vm];
      if (!s || s.state === 'missing') out.changes.push(missing(vm, `the ${kind} backend cannot create VMs yet`));
      else if (s.state === 'running' || s.state === 'paused') out.running.push(vm);
    }
    out.undeclared = listing.undeclared.map((u) => ({ id: `${host}/undeclared/${u.name}`, host, kind: 'vm-undeclared', vm: u.name, backend: kind, state: u.status.detail ?? u.status.state }));
    return out;
  }
  const lacks = (prov.tools ?? []).filter((t) => !nets.tools.has(t));
  const blockedBy = lacks.length ? `${host} lacks ${lacks.join(', ')}` : undefined;
  const blocked = blockedBy ? { blockedBy } : {};
  const inspected = await prov.inspect(ctx, names, { evaluate });
  for (const vm of names) {
    const i = inspected[vm];
    if (i?.running) out.running.push(vm);
    if (i?.drift) {
      out.changes.push({ id: `${host}/slot/${vm}`, host, kind: 'slot-drift', vm, slot: ctx.topology.vms?.[vm]?.slot ?? vm, drift: i.drift, ...(i.detail ? { detail: i.detail } : {}), ...blocked });
    } else if (!i?.exists) {
      out.changes.push(missing(vm, blockedBy));
    } else if (i.spec) {
      const fields = diffSpec(prov.declared(ctx.topology, vm), i.spec);
      if (fields.length) out.changes.push({ id: `${host}/vm/${vm}`, host, kind: 'vm-differs', vm, backend: kind, fields, running: i.running, ...blocked });
    }
  }
  const declared = new Set(names);
  const allDeclared = new Set(Object.keys(ctx.topology.vms ?? {}));
  for (const [name, i] of Object.entries(inspected)) {
    if (declared.has(name) || allDeclared.has(name)) continue;
    out.undeclared.push({ id: `${host}/undeclared/${name}`, host, kind: 'vm-undeclared', vm: name, backend: kind, ...(i.detail ? { state: i.detail.split(';')[0] as string } : {}) });
  }
  return out;
}

export async function planHost(input: PlanInput, deps: PlanDeps, hostName: string): Promise<HostPlan> {
  const { topology } = input;
  let ctx: BackendContext;
  try {
    ctx = await hostContext(topology, deps, hostName);
  } catch (err) {
    return { host: hostName, changes: [], error: (err as Error).message, roundTrips: 0 };
  }
  const run = countingRunner(ctx.run);
  ctx = { ...ctx, run };
  try {
    const need = neededTools(topology, hostName, deps.backends);
    const nets = await inspectHostNetworks(run, [...need.keys()]);
    const toolChanges: Change[] = [...need].filter(([t]) => !nets.tools.has(t)).map(([tool, what]) => ({
      id: `${hostName}/tool/${tool}`, host: hostName, kind: 'tool-missing', tool, neededFor: [...new Set(what)].join(', '),
      blockedBy: `install ${tool} on ${hostName}`,
    }));
    const byBackend = [...vmsByBackend(topology, hostName)];
    const plans = await Promise.all(byBackend.map(([kind, names]) => planBackend(ctx, kind, deps.backends[kind], names, nets, !!input.evaluate)));
    const vmOrder = new Map(Object.keys(topology.vms ?? {}).map((n, i) => [n, i]));
    const vmChanges = plans.flatMap((p) => p.changes).sort((a, b) => (vmOrder.get(vmOf(a)) ?? 0) - (vmOrder.get(vmOf(b)) ?? 0));
    const running = plans.flatMap((p) => p.running);
    const tc = nets.tools.has('tc') ? await tcChanges(ctx, running) : [];
    const undeclared = plans.flatMap((p) => p.undeclared).sort((a, b) => vmOf(a).localeCompare(vmOf(b)));
    const tunnels = tunnelChanges(topology, hostName, { tools: nets.tools, addrs: nets.addrs, linux: nets.linuxTunnels, ovs: nets.ovsTunnels });
    const changes = [...toolChanges, ...networkChanges(topology, hostName, nets), ...tunnels, ...vmChanges, ...tc, ...undeclared];
    return { host: hostName, changes, roundTrips: run.count };
  } catch (err) {
    return { host: hostName, changes: [], error: (err as Error).message, roundTrips: run.count };
  }
}

function vmOf(c: Change): string {
  return 'vm' in c ? c.vm : '';
}

/** What differs between the file and its hosts. A file with errors is not compared (its blockers say why). */
export async function planLab(input: PlanInput, deps: PlanDeps): Promise<Plan> {
  const blockers = input.blockers ?? [];
  if (blockers.length) return { blockers, hosts: [] };
  const hosts = await Promise.all(hostsOf(input).map((h) => planHost(input, deps, h)));
  return { blockers, hosts };
}
