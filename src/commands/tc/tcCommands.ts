// Traffic-control commands: apply / show / clear a profile on VMs (or every VM of a host), and
// partition / heal a link. The work is src/tc/ops.ts (one round trip per host and operation);
// here: picking, the per-VM queue, progress, messages. Each returns a plain summary (for the
// graph and tests): executeCommand('vsim.applyProfile', 'chassis', 'constrained').
import * as vscode from 'vscode';
import type { CommandRunner } from '../../backends/backend';
import { log } from '../../common/log';
import type { Lab } from '../../lab/lab';
import type { Profile, Topology } from '../../model/types';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import { describeIface, TcOps, vmIfaces, type IfaceReadback, type PartitionEndRef, type PartitionResult, type TcHostResult } from '../../tc/ops';
import { netemUnavailableMessage } from '../../tc/probe';
import { isEmptyShaping, needsNetem, shapingFor } from '../../tc/renderProfile';
import { isVmNode, type VmNode } from '../../tree/nodes';
import { labDefining } from '../resolveName';
import { Notice } from '../notice';
import { targetCommand } from '../registry';
import type { CommandCall } from '../targets';
import { vmTargets } from '../vm/pickVms';

/** The result the commands return: per VM tap, what the kernel has. */
export interface TcSummary {
  profile?: string;
  ifaces: { vm: string; host: string; iface: string; dev: string; match: string; rateBits?: number; delayUs?: number; text: string }[];
  errors: string[];
  warnings: string[];
  partitioned?: boolean;
}

function summarize(results: TcHostResult[], profile?: string): TcSummary {
  const s: TcSummary = { profile, ifaces: [], errors: [], warnings: [] };
  for (const r of results) {
    for (const i of r.ifaces) {
      s.ifaces.push({ vm: i.vm, host: r.host, iface: i.iface, dev: i.dev, match: i.match.kind === 'profile' ? i.match.profile : i.match.kind,
        rateBits: i.egress.rateBits ?? i.ingress?.rateBits, delayUs: i.egress.delayUs ?? i.ingress?.delayUs, text: describeIface(i) });
    }
    s.errors.push(...r.errors.map((e) => e.message));
    if (r.netemSkipped) s.warnings.push(`${netemUnavailableMessage(r.host)}: delay/jitter/loss not applied (rate limits applied)`);
  }
  return s;
}

/** Runs `work` while holding the queue of every VM (sorted, so two multi-VM operations never deadlock). */
export function withVmQueues<T>(lab: Lab, vms: string[], label: string, work: () => Promise<T>): Promise<T> {
  const sorted = [...new Set(vms)].sort();
  const step = (i: number): Promise<T> => (i >= sorted.length ? work() : lab.queue.run(sorted[i] as string, label, () => step(i + 1)));
  return step(0);
}

interface Group {
  uri: vscode.Uri;
  lab: Lab;
  host: string;
  vms: string[];
}

/** VMs from the tree (node, selection), a host node (its VMs), a name, or a QuickPick. */
async function pickVmGroups(labs: WorkspaceLabs, call: CommandCall, title: string): Promise<Group[]> {
  let targets: VmNode[];
  const node = call.target;
  if (node?.kind === 'host' && !call.selection.length) {
    const lab = labs.get(node.uri)?.lab;
    targets = Object.entries(lab?.current.vms ?? {}).filter(([, v]) => v.host === node.host).map(([vm]) => ({ kind: 'vm', uri: node.uri, host: node.host, vm }));
  } else {
    targets = await vmTargets(labs, call, { title, many: true });
  }
  const groups = new Map<string, Group>();
  for (const t of targets.filter((x) => !x.undeclared)) {
    const lab = labs.get(t.uri)?.lab;
    if (!lab) throw new Error(`${vscode.workspace.asRelativePath(t.uri)} has errors; fix them before shaping its VMs.`);
    const host = lab.current.vms?.[t.vm]?.host ?? t.host;
    const k = `${t.uri.toString()}#${host}`;
    const g = groups.get(k) ?? { uri: t.uri, lab, host, vms: [] };
    g.vms.push(t.vm);
    groups.set(k, g);
  }
  if (!groups.size) throw new Notice('No VM of the topology selected (VMs not in the topology have no traffic profile).');
  return [...groups.values()];
}

function profileDetail(p: Profile): string {
  const s = shapingFor(p);
  if (isEmptyShaping(s)) return 'no shaping (clears)';
  const parts = Object.entries(s).map(([k, v]) => `${k} ${v}`);
  if (p.direction && p.direction !== 'egress') parts.push(`direction ${p.direction}`);
  if (p.overrides) parts.push(`overrides: ${Object.keys(p.overrides).join(', ')}`);
  return parts.join(' · ');
}

async function pickProfile(topology: Topology, arg: string | undefined): Promise<string> {
  const profiles = topology.profiles ?? {};
  if (arg !== undefined) {
    if (!profiles[arg]) throw new Error(`No profile ${JSON.stringify(arg)} in ${topology.name ?? 'the topology'} (profiles: ${Object.keys(profiles).join(', ') || 'none'}).`);
    return arg;
  }
  const items = Object.entries(profiles).map(([name, p]) => ({ label: name, description: p.description, detail: `${profileDetail(p)}${needsNetem(shapingFor(p)) ? ' (needs netem)' : ''}`, name }));
  if (!items.length) throw new Notice('The topology has no `profiles:`. Add one (rate, delay, loss…) to apply it.');
  const picked = await vscode.window.showQuickPick(items, { title: 'Apply Traffic Profile', placeHolder: 'Choose a profile', matchOnDescription: true, matchOnDetail: true });
  if (!picked) throw new vscode.CancellationError();
  return picked.name;
}

function remember(g: Group, r: TcHostResult): void {
  const byVm = new Map<string, IfaceReadback[]>();
  for (const i of r.ifaces) byVm.set(i.vm, [...(byVm.get(i.vm) ?? []), i]);
  for (const [vm, list] of byVm) g.lab.tc.set(vm, list);
}

/** Shows the outcome: info (what the kernel has), warning (netem), error (each failure). */
function report(verb: string, s: TcSummary): void {
  for (const t of s.ifaces) log().info(`tc ${verb}: ${t.host}: ${t.text}`);
  for (const w of s.warnings) {
    log().warn(`tc ${verb}: ${w}`);
    void vscode.window.showWarningMessage(`vsim: ${w}`);
  }
  for (const e of s.errors) log().error(`tc ${verb}: ${e}`);
  if (s.errors.length) {
    void vscode.window.showErrorMessage(`vsim: ${verb} failed: ${s.errors[0]}${s.errors.length > 1 ? ` (and ${s.errors.length - 1} more, see the vsim output)` : ''}`, 'Show Output')
      .then((c) => c && log().show());
  }
  if (s.ifaces.length) {
    const first = s.ifaces.slice(0, 3).map((t) => t.text).join('\n');
    const more = s.ifaces.length > 3 ? `\n… and ${s.ifaces.length - 3} more (see the vsim output)` : '';
    void vscode.window.showInformationMessage(`vsim: ${first}${more}`, 'Show Output').then((c) => c && log().show());
  }
}

async function perGroup(groups: Group[], title: string, work: (g: Group, run: CommandRunner) => Promise<TcHostResult>): Promise<TcHostResult[]> {
  const total = groups.reduce((n, g) => n + g.vms.length, 0);
  const run = (): Promise<TcHostResult[]> => Promise.all(groups.map(async (g) => {
    try {
      const r = await work(g, (await g.lab.context(g.host)).run);
      remember(g, r);
      return r;
    } catch (err) {
      const message = (err as Error).message;
      return { host: g.host, ifaces: [], errors: [new Error(message.includes(g.host) ? message : `${g.host}: ${message}`)], netemSkipped: false, durationMs: 0, roundTrips: 0 };
    }
  }));
  if (total < 2) return run();
  return vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `vsim: ${title} (${total} VMs on ${groups.length} host${groups.length > 1 ? 's' : ''})…` }, run);
}

export function applyProfile(labs: WorkspaceLabs, ops: TcOps) {
  return targetCommand(async (call): Promise<TcSummary> => {
    const groups = await pickVmGroups(labs, call, 'Apply Traffic Profile');
    const name = await pickProfile((groups[0] as Group).lab.current, call.values[0]);
    const results = await perGroup(groups, `applying ${name}`, (g, run) => {
      const profile = g.lab.current.profiles?.[name];
      if (!profile) throw new Error(`No profile ${name} in ${vscode.workspace.asRelativePath(g.uri)}.`);
      const ifaces = g.vms.flatMap((vm) => vmIfaces(g.lab.current, vm, profile));
      if (!ifaces.length) throw new Error(`${g.vms.join(', ')}: no NIC with a \`tap\` in the topology: nothing to shape.`);
      return withVmQueues(g.lab, g.vms, `apply ${name}`, () => ops.apply(g.host, run, g.lab.current, name, ifaces));
    });
    const s = summarize(results, name);
    report(`apply ${name}`, s);
    return s;
  });
}

/** VMs without a NIC that has a `tap`: there is no traffic control to show or clear on them (said as information). */
function noTaps(groups: Group[], what: string): void {
  if (groups.some((g) => g.vms.some((vm) => vmIfaces(g.lab.current, vm).length))) return;
  const vms = groups.flatMap((g) => g.vms);
  throw new Notice(`${vms.join(', ')} ${vms.length > 1 ? 'have' : 'has'} no NIC with a \`tap\` in the topology: no traffic control to ${what}.`);
}

export function showProfile(labs: WorkspaceLabs, ops: TcOps) {
  return targetCommand(async (call): Promise<TcSummary> => {
    const groups = await pickVmGroups(labs, call, 'Show Traffic Control');
    noTaps(groups, 'show');
    const results = await perGroup(groups, 'reading tc', (g, run) => {
      const ifaces = g.vms.flatMap((vm) => vmIfaces(g.lab.current, vm));
      return ops.show(g.host, run, g.lab.current, ifaces);
    });
    const s = summarize(results);
    report('show', s);
    return s;
  });
}

export function clearProfile(labs: WorkspaceLabs, ops: TcOps) {
  return targetCommand(async (call): Promise<TcSummary> => {
    const groups = await pickVmGroups(labs, call, 'Clear Traffic Profile');
    noTaps(groups, 'clear');
    const results = await perGroup(groups, 'clearing tc', (g, run) => {
      const ifaces = g.vms.flatMap((vm) => vmIfaces(g.lab.current, vm));
      return withVmQueues(g.lab, g.vms, 'clear tc', () => ops.clear(g.host, run, g.lab.current, ifaces));
    });
    const s = summarize(results);
    report('clear', s);
    return s;
  });
}

interface Pair {
  uri: vscode.Uri;
  lab: Lab;
  a: string;
  b: string;
  label: string;
}

/** A link name, two VM names, two selected VM nodes, or a QuickPick of the topologies' links. */
async function pickPair(labs: WorkspaceLabs, call: CommandCall): Promise<Pair> {
  await labs.ready();
  const node = call.target;
  const other = call.values[0];
  if (node?.kind === 'named' && !node.is && other !== undefined) {
    const found = await labDefining(labs, 'vms', node.name);
    if (!found.lab.current.vms?.[other]) throw new Error(`No VM named ${other} next to ${node.name} in ${vscode.workspace.asRelativePath(found.entry.uri)}.`);
    return { uri: found.entry.uri, lab: found.lab, a: node.name, b: other, label: `${node.name} ↔ ${other}` };
  }
  if (node?.kind === 'named' && node.is !== 'vm') {
    const { entry, lab } = await labDefining(labs, 'links', node.name, node.uri);
    const link = lab.current.links![node.name]!;
    return { uri: entry.uri, lab, a: link.endpoints[0], b: link.endpoints[1], label: node.name };
  }
  const sel = (call.selection.length ? call.selection : [node]).filter(isVmNode);
  if (sel.length === 2 && sel[0]!.uri.toString() === sel[1]!.uri.toString()) {
    const lab = labs.get(sel[0]!.uri)?.lab;
    if (!lab) throw new Error('The topology has errors.');
    return { uri: sel[0]!.uri, lab, a: sel[0]!.vm, b: sel[1]!.vm, label: `${sel[0]!.vm} ↔ ${sel[1]!.vm}` };
  }
  const items: (vscode.QuickPickItem & { pair: Pair })[] = [];
  for (const e of labs.all()) {
    if (!e.lab) continue;
    for (const [name, l] of Object.entries(e.lab.current.links ?? {})) {
      items.push({ label: name, description: `${l.endpoints[0]} ↔ ${l.endpoints[1]}`, detail: vscode.workspace.asRelativePath(e.uri), pair: { uri: e.uri, lab: e.lab, a: l.endpoints[0], b: l.endpoints[1], label: name } });
    }
  }
  if (!items.length) throw new Notice('No link in the topologies: select two VMs in the Labs tree instead.');
  const picked = await vscode.window.showQuickPick(items, { title: 'Choose a Link', placeHolder: 'Choose a link (or select two VMs in the Labs tree)' });
  if (!picked) throw new vscode.CancellationError();
  return picked.pair;
}

function endOf(t: Topology, vm: string): PartitionEndRef {
  const nic = vmIfaces(t, vm).find((i) => i.ip);
  if (!nic?.ip) throw new Error(`${vm} has no NIC with both \`tap\` and \`ip\` in the topology: cannot partition it.`);
  return { ...nic, ip: nic.ip };
}

function partitionCommand(labs: WorkspaceLabs, ops: TcOps, heal: boolean) {
  return targetCommand(async (call): Promise<TcSummary> => {
    const p = await pickPair(labs, call);
    const t = p.lab.current;
    const ha = t.vms?.[p.a]?.host;
    const hb = t.vms?.[p.b]?.host;
    if (!ha || !hb) throw new Error(`${p.a} (${ha}) and ${p.b} (${hb}): both VMs need a host in the topology.`);
    const a = endOf(t, p.a);
    const b = endOf(t, p.b);
    const verb = heal ? 'heal' : 'partition';
    const { run } = await p.lab.context(ha);
    // VMs on different hosts: each host drops what its VM sends to the other (both in parallel).
    const other = ha === hb ? undefined : { host: hb, run: (await p.lab.context(hb)).run };
    let r: PartitionResult;
    try {
      r = await withVmQueues(p.lab, [p.a, p.b], `${verb} ${p.label}`, () => (other ? ops.across(heal, { host: ha, run }, other, t, a, b)
        : heal ? ops.heal(ha, run, t, a, b) : ops.partition(ha, run, t, a, b)));
    } catch (err) {
      throw new Error(`${verb} ${p.label} on ${other ? `${ha} and ${hb}` : ha}: ${(err as Error).message}`);
    }
    remember({ uri: p.uri, lab: p.lab, host: ha, vms: [p.a, p.b] }, r);
    // The graph draws a partitioned link differently: note it on the link(s) between the pair.
    for (const [name, l] of Object.entries(t.links ?? {})) {
      if (!l.endpoints.includes(p.a) || !l.endpoints.includes(p.b)) continue;
      const prev = p.lab.tc.getLink(name);
      p.lab.tc.setLink(name, { requested: prev?.requested ?? '', readback: prev?.readback ?? [], profile: prev?.profile, partitioned: r.partitioned });
    }
    const s = { ...summarize([r]), partitioned: r.partitioned };
    for (const e of s.errors) log().error(`tc ${verb}: ${e}`);
    if (s.errors.length) throw new Error(s.errors.join('\n'));
    const ok = heal ? !r.partitioned : r.partitioned;
    const state = r.partitioned ? `partitioned (drop filters on ${a.iface} and ${b.iface}${r.method === 'blackhole' ? ', blackhole device: no gact action in this kernel' : ''})` : 'connected (no drop filters)';
    log().info(`tc ${verb}: ${ha}: ${p.label}: ${state}`);
    if (ok) void vscode.window.showInformationMessage(`vsim: ${p.label}: ${state}`);
    else void vscode.window.showWarningMessage(`vsim: ${verb} ${p.label}: the kernel reports ${state}`);
    return s;
  });
}

export const partitionLink = (labs: WorkspaceLabs, ops: TcOps) => partitionCommand(labs, ops, false);
export const healLink = (labs: WorkspaceLabs, ops: TcOps) => partitionCommand(labs, ops, true);
