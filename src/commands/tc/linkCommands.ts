// Impairments per link: apply `links.<name>.profile`, set ad-hoc values (delay, jitter, loss, rate,
// corrupt, duplicate — several in one change) or clear them, from the tree, the palette or the graph.
// The work is TcOps.applyLinks (one round trip per host); the values vsim applied live in the lab's
// tc store (lab.tc.linkValues) so that rebuilding a tap keeps its other links. Each command returns
// a plain summary: executeCommand('vsim.impairLink', 'ep1-ep2', 'delay 40ms loss 1%').
import * as vscode from 'vscode';
import { log } from '../../common/log';
import type { Lab } from '../../lab/lab';
import type { Shaping, Topology } from '../../model/types';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import { formatImpairment, linkProfileShaping, linkTaps, parseImpairment } from '../../tc/linkTargets';
import { describeLink, type IfaceReadback, type TcOps } from '../../tc/ops';
import { netemUnavailableMessage } from '../../tc/probe';
import { labDefining } from '../resolveName';
import { Notice } from '../notice';
import { targetCommand } from '../registry';
import type { CommandCall } from '../targets';
import { withVmQueues } from './tcCommands';

export interface LinkTcSummary {
  link: string;
  /** The values asked for ('' = cleared). */
  requested: string;
  /** One line per end, read back from the kernel. */
  readback: string[];
  errors: string[];
  warnings: string[];
}

interface PickedLink {
  uri: vscode.Uri;
  lab: Lab;
  link: string;
}

async function pickLink(labs: WorkspaceLabs, call: CommandCall, title: string): Promise<PickedLink> {
  await labs.ready();
  const t = call.target;
  // A link named by the graph, or a bare name (a link's name: these commands act on links).
  if (t?.kind === 'named' && t.is !== 'vm') {
    const { entry, lab } = await labDefining(labs, 'links', t.name, t.uri);
    return { uri: entry.uri, lab, link: t.name };
  }
  // A VM (tree node or the graph's VM): pick among its links.
  const ofVm = t?.kind === 'vm' ? { uri: t.uri, vm: t.vm }
    : t?.kind === 'named' ? await labDefining(labs, 'vms', t.name, t.uri).then((f) => ({ uri: f.entry.uri, vm: t.name })) : undefined;
  const items: (vscode.QuickPickItem & { picked_: PickedLink })[] = [];
  for (const e of labs.all()) {
    if (!e.lab || (ofVm && e.uri.toString() !== ofVm.uri.toString())) continue;
    for (const [name, l] of Object.entries(e.lab.current.links ?? {})) {
      if (ofVm && !l.endpoints.includes(ofVm.vm)) continue;
      const live = e.lab.tc.getLink(name)?.requested;
      items.push({ label: name, description: `${l.endpoints[0]} ↔ ${l.endpoints[1]}${live ? ` · ${live}` : l.profile ? ` · profile ${l.profile}` : ''}`, detail: vscode.workspace.asRelativePath(e.uri), picked_: { uri: e.uri, lab: e.lab, link: name } });
    }
  }
  if (!items.length) throw new Notice('No link in the topologies: add one under `links:`.');
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Choose a link' });
  if (!picked) throw new vscode.CancellationError();
  return picked.picked_;
}

/** The kernel's per-link values on both ends of `link`, one line per end. */
function linkReadback(t: Topology, link: string, ifaces: IfaceReadback[]): string[] {
  const [a, b] = t.links?.[link]?.endpoints ?? [];
  const ipsOf = (vm: string | undefined): Set<string> => new Set((t.vms?.[vm ?? '']?.nics ?? []).map((n) => n.ip).filter((x): x is string => !!x));
  const out: string[] = [];
  for (const [vm, peer] of [[a, b], [b, a]] as const) {
    const peerIps = ipsOf(peer);
    for (const i of ifaces.filter((x) => x.vm === vm)) {
      const l = i.links?.find((x) => peerIps.has(x.peerIp));
      out.push(l ? `${vm} ${i.iface} ${describeLink(l)}` : `${vm} ${i.iface}: ${i.match.kind === 'missing' ? 'tap not found' : 'not shaped for this link'}`);
    }
  }
  return out;
}

/** Rebuilds the taps of `changed` links with the lab's live link values; records and reports the readback. */
async function applyLinkValues(p: PickedLink, ops: TcOps, changed: string[], verb: string): Promise<LinkTcSummary[]> {
  const t = p.lab.current;
  const values = Object.fromEntries(p.lab.tc.linkValues);
  const errors: string[] = [];
  const warnings: string[] = [];
  const ifaces: IfaceReadback[] = [];
  await Promise.all(linkTaps(t, values, changed).map(async (g) => {
    try {
      const { run } = await p.lab.context(g.host);
      const vms = [...new Set(g.taps.map((x) => x.vm))];
      const r = await withVmQueues(p.lab, vms, `${verb} ${changed.join(', ')}`, () => ops.applyLinks(g.host, run, t, g.taps));
      errors.push(...r.errors.map((e) => e.message));
      if (r.netemSkipped) warnings.push(`${netemUnavailableMessage(g.host)}: delay/jitter/loss not applied (rates applied)`);
      ifaces.push(...r.ifaces);
      for (const vm of vms) p.lab.tc.set(vm, r.ifaces.filter((i) => i.vm === vm));
    } catch (err) {
      const m = (err as Error).message;
      errors.push(m.includes(g.host) ? m : `${g.host}: ${m}`);
    }
  }));
  return changed.map((link) => {
    const v = p.lab.tc.linkValues.get(link);
    const requested = v ? formatImpairment(v) : '';
    const readback = linkReadback(t, link, ifaces);
    p.lab.tc.setLink(link, { requested, readback, partitioned: p.lab.tc.getLink(link)?.partitioned, profile: v && t.links?.[link]?.profile && formatImpairment(linkProfileShaping(t)[link] ?? {}) === requested ? t.links[link]?.profile : undefined });
    return { link, requested, readback, errors, warnings };
  });
}

function report(verb: string, list: LinkTcSummary[]): void {
  for (const s of list) {
    for (const l of s.readback) log().info(`tc ${verb} ${s.link}: ${l}`);
  }
  const first = list[0];
  if (!first) return;
  for (const w of first.warnings) void vscode.window.showWarningMessage(`vsim: ${w}`);
  if (first.errors.length) {
    for (const e of first.errors) log().error(`tc ${verb}: ${e}`);
    void vscode.window.showErrorMessage(`vsim: ${verb} failed: ${first.errors[0]}`, 'Show Output').then((c) => c && log().show());
    return;
  }
  const text = list.map((s) => `${s.link}: ${s.requested || 'cleared'} — ${s.readback.join('; ')}`).join('\n');
  void vscode.window.showInformationMessage(`vsim: ${text}`);
}

/** Ad-hoc values on one link, typed (prefilled with the live or the profile's values) or given as an argument. */
export function impairLink(labs: WorkspaceLabs, ops: TcOps) {
  return targetCommand(async (call): Promise<LinkTcSummary> => {
    const p = await pickLink(labs, call, 'Impair Link');
    const given = call.values[0];
    let values: Shaping;
    if (given !== undefined) values = parseImpairment(given);
    else {
      const current = p.lab.tc.linkValues.get(p.link) ?? linkProfileShaping(p.lab.current)[p.link];
      const text = await vscode.window.showInputBox({
        title: `vsim: impairments on link ${p.link} (both directions)`,
        prompt: 'Any of: delay, jitter, loss, rate, corrupt, duplicate — e.g. "delay 50ms jitter 10ms loss 1% rate 10mbit"',
        value: current ? formatImpairment(current) : 'delay 50ms',
        validateInput: (v) => { try { parseImpairment(v); return undefined; } catch (e) { return (e as Error).message; } },
      });
      if (text === undefined) throw new vscode.CancellationError();
      values = parseImpairment(text);
    }
    p.lab.tc.linkValues.set(p.link, values);
    const [s] = await applyLinkValues(p, ops, [p.link], 'impair');
    report('impair', [s as LinkTcSummary]);
    return s as LinkTcSummary;
  });
}

/** Applies `links.<name>.profile` of one link. */
export function applyLinkProfiles(labs: WorkspaceLabs, ops: TcOps) {
  return targetCommand(async (call): Promise<LinkTcSummary[]> => {
    const p = await pickLink(labs, call, 'Apply Link Profile');
    const fromYaml = linkProfileShaping(p.lab.current);
    const changed = [p.link];
    for (const l of changed) {
      const v = fromYaml[l];
      if (!v) throw new Error(`Link ${l} has no \`profile:\` with values (set one with "Set tc profile…" in the graph, or use "Impair Link…").`);
      p.lab.tc.linkValues.set(l, v);
    }
    const list = await applyLinkValues(p, ops, changed, 'apply link profile');
    report('apply link profile', list);
    return list;
  });
}

/** Removes vsim's shaping of one link (its other links and partitions stay). */
export function clearLinkImpairment(labs: WorkspaceLabs, ops: TcOps) {
  return targetCommand(async (call): Promise<LinkTcSummary> => {
    const p = await pickLink(labs, call, 'Clear Link Impairments');
    p.lab.tc.linkValues.delete(p.link);
    const [s] = await applyLinkValues(p, ops, [p.link], 'clear link');
    report('clear link', [s as LinkTcSummary]);
    return s as LinkTcSummary;
  });
}
