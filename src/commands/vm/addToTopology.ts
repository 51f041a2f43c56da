// "Add to Topology" (VMs a host has that the file does not declare) and "Import All from Host" (every
// such VM of a host at once, e.g. a host nobody described yet): each backend with the `undeclared`
// capability reads the definitions from the host (libvirt: dumpxml), the model turns them into new
// `vms:` / `networks:` entries with the yaml Document API (src/model/edits/adopt.ts), and the
// change is one WorkspaceEdit: from the UI VS Code's refactor preview shows it first (needsConfirmation);
// a caller that confirms itself (`confirmed` / `confirm`, the tests) sees the same lines in the
// confirmation. Undo is VS Code's.
import * as vscode from 'vscode';
import type { FoundVm } from '../../model/edits/adopt';
import type { Backend } from '../../model/types';
import { model } from '../../common/model';
import { log } from '../../common/log';
import { analysisOf } from '../../common/topologyDocuments';
import type { Lab } from '../../lab/lab';
import type { VmNode } from '../../tree/nodes';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import { askConfirmation } from '../confirm';
import { targetCommand } from '../registry';
import type { CommandOptions } from '../targets';
import { pickHost } from '../host/hostCommands';
import { vmTargets } from './pickVms';

export interface AdoptOutcome {
  /** The VMs now in the file. */
  added: string[];
  networks: string[];
  skipped: { name: string; reason: string }[];
  notes: string[];
}

/** Reads the definitions of `names` (all undeclared on `host`) in one round trip per backend. */
async function readFound(lab: Lab, host: string, vms: { name: string; backend: Backend }[]): Promise<{ found: FoundVm[]; skipped: AdoptOutcome['skipped'] }> {
  const ctx = await lab.context(host);
  const byKind = new Map<Backend, string[]>();
  for (const v of vms) byKind.set(v.backend, [...(byKind.get(v.backend) ?? []), v.name]);
  const found: FoundVm[] = [];
  const skipped: AdoptOutcome['skipped'] = [];
  for (const [kind, names] of byKind) {
    const reader = lab.backendOfKind(kind)?.undeclared;
    if (!reader) {
      skipped.push(...names.map((name) => ({ name, reason: `vsim cannot read ${kind} definitions` })));
      continue;
    }
    const read = await reader.read(ctx, names);
    for (const n of names) {
      const r = read[n];
      if (!r || 'error' in r) skipped.push({ name: n, reason: r?.error ?? 'not read' });
      else found.push(r);
    }
  }
  return { found, skipped };
}

/** The new entries' lines, as the confirmation lists them. */
function addedLines(before: string, after: string): string[] {
  const old = new Set(before.split('\n'));
  return after.split('\n').filter((l) => !old.has(l) && l.trim());
}

/** Writes the found VMs into the file after the preview; returns what changed (nothing when declined). */
async function writeAdoption(lab: Lab, uri: vscode.Uri, host: string, found: FoundVm[], skippedBefore: AdoptOutcome['skipped'], notesBefore: string[], options: CommandOptions, fromUi: boolean): Promise<AdoptOutcome | undefined> {
  const doc = await vscode.workspace.openTextDocument(uri);
  const file = vscode.workspace.asRelativePath(uri);
  const a = analysisOf(doc);
  const base = a.parsed.doc && !a.parsed.doc.errors.length && a.topology ? { doc: a.parsed.doc } : {};
  const r = model().adoptVms(doc.getText(), a.topology ?? lab.current, host, found, base);
  const skipped = [...skippedBefore, ...r.skipped];
  const notes = [...notesBefore, ...r.notes];
  if (!r.vms.length) {
    const why = skipped.map((s) => `${s.name}: ${s.reason}`).join('; ');
    throw new Error(`Nothing to add to ${file} from ${host}${why ? `: ${why}` : ''}.`);
  }
  const names = r.vms.map((v) => v.name);
  const what = names.length === 1 ? names[0]! : `${names.length} VMs`;
  const edit = new vscode.WorkspaceEdit();
  const explicit = options.confirmed === true || options.confirm !== undefined;
  const meta: vscode.WorkspaceEditEntryMetadata = {
    needsConfirmation: !explicit,
    label: `Add ${what} from ${host} to the topology`,
    description: [...r.networks.map((n) => `new network ${n.name}`), ...notes].join('; ') || undefined,
  };
  for (const e of r.edits) edit.replace(uri, new vscode.Range(doc.positionAt(e.start), doc.positionAt(e.end)), e.text, meta);
  if (explicit) {
    const lines = [...addedLines(doc.getText(), r.text), ...skipped.map((s) => `not added: ${s.name} (${s.reason})`), ...notes.map((n) => `note: ${n}`)];
    if (!(await askConfirmation(options, { message: `Add ${what} from ${host} to ${file}?`, lines, button: 'Add' }))) return undefined;
  }
  if (!(await vscode.workspace.applyEdit(edit))) return undefined; // refused, or discarded in the preview
  log().info(`added ${names.join(', ')} from ${host} to ${file}${r.networks.length ? ` (networks ${r.networks.map((n) => n.name).join(', ')})` : ''}`);
  if (fromUi) {
    const shown = await vscode.window.showTextDocument(doc, { preview: false });
    const at = doc.getText().indexOf(`  ${names[0]}:`);
    if (at >= 0) shown.revealRange(new vscode.Range(doc.positionAt(at), doc.positionAt(at)), vscode.TextEditorRevealType.InCenter);
    const extra = skipped.length ? ` Not added: ${skipped.map((s) => `${s.name} (${s.reason})`).join(', ')}.` : '';
    void vscode.window.showInformationMessage(`vsim: added ${names.join(', ')} to ${file}; save the file to keep it.${extra}`);
  }
  return { added: names, networks: r.networks.map((n) => n.name), skipped, notes };
}

export function addToTopology(labs: WorkspaceLabs) {
  return targetCommand(async (call): Promise<AdoptOutcome | undefined> => {
    const targets = (await vmTargets(labs, call, { title: 'Add to Topology', many: true, undeclared: 'only' })).filter((t) => t.undeclared);
    if (!targets.length) throw new Error('Add to Topology works on VMs listed under "not in topology".');
    const groups = new Map<string, VmNode[]>();
    for (const t of targets) groups.set(`${t.uri.toString()}#${t.host}`, [...(groups.get(`${t.uri.toString()}#${t.host}`) ?? []), t]);
    let last: AdoptOutcome | undefined;
    for (const group of groups.values()) {
      const { uri, host } = group[0]!;
      const lab = labs.get(uri)?.lab;
      if (!lab) throw new Error(`${vscode.workspace.asRelativePath(uri)} has errors; fix them before adding VMs to it.`);
      const vms = group.map((t) => ({ name: t.vm, backend: lab.vmRef(t.vm, host).kind }));
      const { found, skipped } = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `vsim: reading ${group.length === 1 ? group[0]!.vm : `${group.length} VMs`} from ${host}…` },
        () => readFound(lab, host, vms));
      last = await writeAdoption(lab, uri, host, found, skipped, [], call.options, call.fromUi);
    }
    return last;
  });
}

export function importHostVms(labs: WorkspaceLabs) {
  return targetCommand(async (call): Promise<AdoptOutcome | undefined> => {
    const t = await pickHost(labs, call.target, 'Import the VMs of which host?');
    const lab = labs.get(t.uri)?.lab;
    if (!lab) throw new Error(`${vscode.workspace.asRelativePath(t.uri)} has errors; fix them before importing VMs into it.`);
    const { found, skipped, notes } = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `vsim: reading the VMs of ${t.host}…` },
      async () => {
        const d = await lab.discoverUndeclared(t.host);
        if (!d.found.length) return { found: [], skipped: [], notes: d.notes };
        return { ...(await readFound(lab, t.host, d.found)), notes: d.notes };
      });
    if (!found.length && !skipped.length) {
      const msg = `vsim: ${t.host} has no VM that ${vscode.workspace.asRelativePath(t.uri)} does not declare${notes.length ? ` (${notes.join('; ')})` : ''}.`;
      if (call.fromUi) void vscode.window.showInformationMessage(msg);
      return { added: [], networks: [], skipped: [], notes };
    }
    return writeAdoption(lab, t.uri, t.host, found, skipped, notes, call.options, call.fromUi);
  });
}
