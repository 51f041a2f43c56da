// VM state from the tree: named snapshots (create/list/revert/delete) and save/restore through
// the backends' optional capabilities (VmBackend.snapshots / .save: libvirt snapshot-* and save,
// cloud-hypervisor vm.snapshot / vm.delete + vm.restore), and microvm.nix portable states through
// `vm-state` (list, create, snapshot, clone, assign, migrate, restore — the seed's argv, vmStateArgv).
// Every operation runs through lab.queue.run(VM, label, …) so two operations on one VM queue,
// visibly in the tree; then the host is refreshed. Names are asked with an InputBox validated
// against the schema's name pattern (a name given as an argument is checked the same way);
// destructive operations are confirmed with a modal unless the caller says it already confirmed:
// executeCommand('vsim.revertSnapshot', 'storage', 'snap1', { confirmed: true }).
import * as vscode from 'vscode';
import type { BackendContext, SaveRestore, Snapshots } from '../../backends/backend';
import { vmState, vmStateArgv } from '../../backends/microvm/backend';
import { log } from '../../common/log';
import type { Lab } from '../../lab/lab';
import { assertPath, isValidName, NAME_PATTERN, NAME_RULE } from '../../model/names';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import type { VmNode } from '../../tree/nodes';
import { askConfirmation } from '../confirm';
import { Notice } from '../notice';
import { targetCommand } from '../registry';
import type { CommandCall, CommandOptions, Target } from '../targets';
import { vmTargets } from '../vm/pickVms';
import { parseVmStateList, type VmStateListing } from './vmStateList';

// ---- shared --------------------------------------------------------------------------------------

function validName(given: string): string {
  if (!isValidName(given)) throw new Error(`Invalid name ${JSON.stringify(given)}: ${NAME_RULE} (${NAME_PATTERN.source}).`);
  return given;
}

/** The names the command was given, each checked against the name rule before anything runs on a host. */
function givenNames(call: CommandCall): (string | undefined)[] {
  return call.values.map((v) => (v === undefined ? v : validName(v)));
}

/** The file the command was given, checked as an absolute host path before anything runs. */
function givenFile(call: CommandCall): string | undefined {
  const [file] = call.values;
  return file === undefined ? file : assertPath(file, 'save file');
}

/** The name argument, or an InputBox validated against the schema's name pattern. */
async function askName(given: string | undefined, prompt: string, value: string, taken: readonly string[] = []): Promise<string> {
  if (given !== undefined) return validName(given);
  const name = await vscode.window.showInputBox({
    title: prompt, value, prompt: NAME_RULE,
    validateInput: (v) => (!isValidName(v) ? `Use ${NAME_RULE}.` : taken.includes(v) ? `${v} already exists.` : undefined),
  });
  if (name === undefined) throw new vscode.CancellationError();
  return name;
}

/** The name argument (validated like a typed one), or a QuickPick of `items` (none: a Notice, nothing is wrong). */
async function pick(given: string | undefined, items: readonly string[], title: string, what: string, placeHolder: string): Promise<string> {
  if (given !== undefined) return validName(given);
  if (!items.length) throw new Notice(`No ${what} to choose from.`);
  const p = await vscode.window.showQuickPick(items.map((label) => ({ label })), { title, placeHolder });
  if (!p) throw new vscode.CancellationError();
  return p.label;
}

/** A modal confirmation (or the caller's explicit answer); declined = cancelled, nothing runs. */
async function confirm(options: CommandOptions, message: string, detail: string, action: string): Promise<void> {
  if (!(await askConfirmation(options, { message, lines: [detail], button: action }))) throw new vscode.CancellationError();
}

async function queued<T>(lab: Lab, key: string, label: string, host: string, title: string, work: () => Promise<T>): Promise<T> {
  try {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `vsim: ${title}…` },
      () => lab.queue.run(key, label, work));
  } finally {
    await lab.refresh(host).catch(() => undefined);
  }
}

type Capability = 'snapshots' | 'save';

/** One VM whose backend has the capability (its words when it has not). */
async function oneVm<C extends Capability>(labs: WorkspaceLabs, call: CommandCall, title: string, cap: C):
Promise<{ t: VmNode; lab: Lab; can: C extends 'snapshots' ? Snapshots : SaveRestore }> {
  const [t] = await vmTargets(labs, { target: call.target, selection: [] }, { title, undeclared: true });
  const lab = t && labs.get(t.uri)?.lab;
  if (!t || !lab) throw new Error('No VM chosen.');
  // A VM the file does not declare: its backend (from the host's listing) drives it by name.
  const ref = lab.vmRef(t.vm, t.undeclared ? t.host : undefined);
  const can = ref.backend[cap];
  if (!can) throw new Error(`${title}: not available for ${ref.kind} VMs (${t.vm}): the backend has no ${cap === 'save' ? 'save/restore' : 'snapshots'}.`);
  return { t, lab, can: can as C extends 'snapshots' ? Snapshots : SaveRestore };
}

/** The end of an operation the user asked for: a short confirmation (and the log line). */
function done(what: string): void {
  log().info(what);
  void vscode.window.showInformationMessage(`vsim: ${what}.`);
}

const isRunning = (lab: Lab, t: VmNode): boolean => lab.status(t.vm, t.undeclared ? t.host : undefined)?.state === 'running';

// ---- snapshots (libvirt, cloud-hypervisor) --------------------------------------------------------

export function snapshotVm(labs: WorkspaceLabs) {
  return targetCommand(async (call): Promise<{ vm: string; snapshot: string }> => {
    const [name] = givenNames(call);
    const { t, lab, can } = await oneVm(labs, call, 'Create Snapshot', 'snapshots');
    const ctx = await lab.context(t.host);
    const existing = name !== undefined ? [] : await can.list(ctx, t.vm);
    const snap = await askName(name, `Name of the new snapshot of ${t.vm}`, `${t.vm}-${new Date().toISOString().slice(0, 10)}`, existing);
    await queued(lab, t.vm, `snapshot ${snap}`, t.host, `snapshotting ${t.vm} as ${snap}`,
      () => can.create(ctx, t.vm, snap, { running: isRunning(lab, t) }));
    done(`snapshot ${snap} of ${t.vm} on ${t.host} created`);
    return { vm: t.vm, snapshot: snap };
  });
}

export function listSnapshots(labs: WorkspaceLabs) {
  return targetCommand(async (call): Promise<string[]> => {
    const { t, lab, can } = await oneVm(labs, call, 'List Snapshots', 'snapshots');
    const ctx = await lab.context(t.host);
    const names = await lab.queue.run(t.vm, 'listing snapshots', () => can.list(ctx, t.vm));
    if (call.fromUi) {
      if (!names.length) void vscode.window.showInformationMessage(`vsim: ${t.vm} has no snapshots.`);
      else void vscode.window.showQuickPick(names, { title: `Snapshots of ${t.vm} on ${t.host}` }).then((n) => n && vscode.commands.executeCommand('vsim.revertSnapshot', t, n));
    }
    return names;
  });
}

export function revertSnapshot(labs: WorkspaceLabs) {
  return targetCommand(async (call): Promise<{ vm: string; snapshot: string }> => {
    const [name] = givenNames(call);
    const { t, lab, can } = await oneVm(labs, call, 'Revert to Snapshot', 'snapshots');
    const ctx = await lab.context(t.host);
    const snap = await pick(name, name !== undefined ? [] : await can.list(ctx, t.vm), `Revert ${t.vm} to Snapshot`, `snapshots of ${t.vm}`, 'Choose a snapshot');
    await confirm(call.options, `Revert ${t.vm} to snapshot ${snap}?`, can.revertDetail(lab.current, t.vm, snap), 'Revert');
    await queued(lab, t.vm, `revert to ${snap}`, t.host, `reverting ${t.vm} to ${snap}`,
      () => can.revert(ctx, t.vm, snap, { running: isRunning(lab, t) }));
    done(`${t.vm} on ${t.host} reverted to snapshot ${snap}`);
    return { vm: t.vm, snapshot: snap };
  });
}

export function deleteSnapshot(labs: WorkspaceLabs) {
  return targetCommand(async (call): Promise<{ vm: string; snapshot: string }> => {
    const [name] = givenNames(call);
    const { t, lab, can } = await oneVm(labs, call, 'Delete Snapshot', 'snapshots');
    const ctx = await lab.context(t.host);
    const snap = await pick(name, name !== undefined ? [] : await can.list(ctx, t.vm), `Delete a Snapshot of ${t.vm}`, `snapshots of ${t.vm}`, 'Choose a snapshot');
    await confirm(call.options, `Delete snapshot ${snap} of ${t.vm}?`, 'The snapshot cannot be recovered.', 'Delete');
    await queued(lab, t.vm, `delete snapshot ${snap}`, t.host, `deleting snapshot ${snap} of ${t.vm}`, () => can.delete(ctx, t.vm, snap));
    done(`snapshot ${snap} of ${t.vm} on ${t.host} deleted`);
    return { vm: t.vm, snapshot: snap };
  });
}

// ---- save / restore (libvirt) ---------------------------------------------------------------------

export function saveVm(labs: WorkspaceLabs) {
  return targetCommand(async (call): Promise<{ vm: string; file: string }> => {
    const file = givenFile(call);
    const { t, lab, can } = await oneVm(labs, call, 'Save to File', 'save');
    const ctx = await lab.context(t.host);
    const f = file ?? await vscode.window.showInputBox({ title: `Save ${t.vm}'s memory to a file on ${t.host}`, value: can.defaultFile(t.vm), prompt: 'An absolute path on the host; the VM stops until restored.' });
    if (!f) throw new vscode.CancellationError();
    await queued(lab, t.vm, 'save', t.host, `saving ${t.vm} to ${f}`, () => can.save(ctx, t.vm, f));
    done(`${t.vm} on ${t.host} saved to ${f}`);
    return { vm: t.vm, file: f };
  });
}

export function restoreVm(labs: WorkspaceLabs) {
  return targetCommand(async (call): Promise<{ vm: string; file: string }> => {
    const file = givenFile(call);
    const { t, lab, can } = await oneVm(labs, call, 'Restore from File', 'save');
    const ctx = await lab.context(t.host);
    const f = file ?? await vscode.window.showInputBox({ title: `Restore ${t.vm} from a save file on ${t.host}`, value: can.defaultFile(t.vm) });
    if (!f) throw new vscode.CancellationError();
    await confirm(call.options, `Restore ${t.vm} from ${f}?`, `${t.vm} resumes where it was saved.`, 'Restore');
    await queued(lab, t.vm, 'restore', t.host, `restoring ${t.vm} from ${f}`, () => can.restore(ctx, t.vm, f));
    done(`${t.vm} on ${t.host} restored from ${f}`);
    return { vm: t.vm, file: f };
  });
}

// ---- microvm.nix: vm-state ----------------------------------------------------------------------

interface Where {
  lab: Lab;
  host: string;
  /** The vm-state slot (slotN), when the command was given a slot or a slot VM. */
  slot?: string;
  /** The VM in that slot (queue key), if the topology has one. */
  vm?: string;
}

function slotVm(lab: Lab, slot: string): string | undefined {
  return Object.entries(lab.current.vms ?? {}).find(([n, v]) => v.backend === 'microvm' && (v.slot ?? n) === slot)?.[0];
}

/** A slot node, microvm VM node, host node, or a slot / VM / host name → where vm-state runs. */
async function where(labs: WorkspaceLabs, n: Target | undefined, needSlot: boolean): Promise<Where> {
  await labs.ready();
  const entries = labs.all().filter((e) => e.lab);
  if (n?.kind === 'slot') {
    const lab = labs.get(n.uri)?.lab;
    if (lab) return { lab, host: n.host, slot: n.slot, vm: slotVm(lab, n.slot) };
  }
  if (n?.kind === 'vm') {
    const lab = labs.get(n.uri)?.lab;
    const vm = lab?.current.vms?.[n.vm];
    if (lab && vm?.backend === 'microvm') return { lab, host: n.host, slot: vm.slot ?? n.vm, vm: n.vm };
  }
  if (n?.kind === 'host' && !needSlot) {
    const lab = labs.get(n.uri)?.lab;
    if (lab) return { lab, host: n.host };
  }
  if (n?.kind === 'named') {
    const node = n.name;
    for (const e of entries.filter((x) => !n.uri || x.uri.toString() === n.uri.toString())) {
      const lab = e.lab as Lab;
      const slot = lab.current.slots?.[node];
      if (slot) return { lab, host: slot.host, slot: node, vm: slotVm(lab, node) };
      const vm = lab.current.vms?.[node];
      if (vm?.backend === 'microvm') return { lab, host: vm.host, slot: vm.slot ?? node, vm: node };
      if (lab.current.hosts[node] && !needSlot) return { lab, host: node };
    }
    throw new Error(`No ${needSlot ? 'slot or microvm VM' : 'slot, microvm VM or host'} named ${node} in the workspace's topologies.`);
  }
  // Palette: pick a slot (or a host with microvm VMs).
  const items = entries.flatMap((e) => {
    const lab = e.lab as Lab;
    const slots = Object.entries(lab.current.slots ?? {}).map(([s, slot]) => ({ label: s, description: `slot on ${slot.host}`, w: { lab, host: slot.host, slot: s, vm: slotVm(lab, s) } as Where }));
    const hosts = needSlot ? [] : [...new Set(Object.values(lab.current.vms ?? {}).filter((v) => v.backend === 'microvm').map((v) => v.host))]
      .map((h) => ({ label: h, description: 'microvm host', w: { lab, host: h } as Where }));
    return [...slots, ...hosts];
  });
  if (!items.length) throw new Notice('No microvm slots in the workspace\'s topologies.');
  const p = await vscode.window.showQuickPick(items, { title: 'vm-state', placeHolder: needSlot ? 'Choose a slot' : 'Choose a slot or host' });
  if (!p) throw new vscode.CancellationError();
  return p.w;
}

async function listing(ctx: BackendContext): Promise<VmStateListing> {
  return parseVmStateList(await vmState(ctx, vmStateArgv.list()));
}

async function runVmState(w: Where, ctx: BackendContext, label: string, title: string, argv: string[]): Promise<string> {
  log().info(`${w.host} $ ${argv.join(' ')}`);
  const out = await queued(w.lab, w.vm ?? `vm-state:${w.host}`, label, w.host, title, () => vmState(ctx, argv));
  for (const l of out.split('\n').filter(Boolean)) log().info(`${w.host} vm-state: ${l}`);
  return out;
}

export function vmStateList(labs: WorkspaceLabs) {
  return targetCommand(async (call): Promise<VmStateListing> => {
    const w = await where(labs, call.target, false);
    const ctx = await w.lab.context(w.host);
    const l = await listing(ctx);
    if (call.fromUi) {
      const items: vscode.QuickPickItem[] = [
        { label: 'Assignments', kind: vscode.QuickPickItemKind.Separator },
        ...l.assignments.map((a) => ({ label: a.slot, description: `${a.state}${a.running ? ' · running' : ''}`, detail: a.dataset })),
        { label: 'States', kind: vscode.QuickPickItemKind.Separator },
        ...l.states.map((s) => ({ label: s })),
        { label: 'Snapshots', kind: vscode.QuickPickItemKind.Separator },
        ...l.snapshots.map((s) => ({ label: s.snapshot, description: `of ${s.state}` })),
      ];
      void vscode.window.showQuickPick(items, { title: `vm-state list on ${w.host}` });
    }
    return l;
  });
}

export function vmStateCreate(labs: WorkspaceLabs) {
  return targetCommand(async (call): Promise<VmStateListing> => {
    const [name] = givenNames(call);
    const w = await where(labs, call.target, false);
    const ctx = await w.lab.context(w.host);
    const taken = name !== undefined ? [] : (await listing(ctx)).states;
    const state = await askName(name, `Name of the new portable state on ${w.host}`, 'new-state', taken);
    await runVmState(w, ctx, `vm-state create ${state}`, `creating state ${state} on ${w.host}`, vmStateArgv.create(state));
    return listing(ctx);
  });
}

export function vmStateSnapshot(labs: WorkspaceLabs) {
  return targetCommand(async (call): Promise<VmStateListing> => {
    const [name] = givenNames(call);
    const w = await where(labs, call.target, true);
    const ctx = await w.lab.context(w.host);
    const taken = name !== undefined ? [] : (await listing(ctx)).snapshots.map((s) => s.snapshot);
    const snap = await askName(name, `Name of the snapshot of ${w.slot}'s state`, `${w.slot}-${new Date().toISOString().slice(0, 10)}`, taken);
    await runVmState(w, ctx, `vm-state snapshot ${snap}`, `snapshotting ${w.slot} as ${snap}`, vmStateArgv.snapshot(w.slot as string, snap));
    return listing(ctx);
  });
}

export function vmStateClone(labs: WorkspaceLabs) {
  return targetCommand(async (call): Promise<VmStateListing> => {
    const [source, target] = givenNames(call);
    const w = await where(labs, call.target, false);
    const ctx = await w.lab.context(w.host);
    const l = await listing(ctx);
    const current = w.slot ? l.assignments.find((a) => a.slot === w.slot)?.state : undefined;
    const src = source === undefined && current && target !== undefined ? current
      : await pick(source, current ? [current, ...l.states.filter((s) => s !== current)] : l.states, 'vm-state: Clone State', `states on ${w.host}`, 'Choose the state to clone');
    const dst = await askName(target, `Name of the clone of ${src}`, `${src}-clone`, l.states);
    await runVmState(w, ctx, `vm-state clone ${src} ${dst}`, `cloning ${src} to ${dst}`, vmStateArgv.clone(src, dst));
    return listing(ctx);
  });
}

/** The slot a command acts on, its assignment, and the state to put in it (given, or picked among the others). */
async function slotAndState(labs: WorkspaceLabs, call: CommandCall, title: (slot: string | undefined) => string) {
  const [state] = givenNames(call);
  const w = await where(labs, call.target, true);
  const ctx = await w.lab.context(w.host);
  const l = await listing(ctx);
  const row = l.assignments.find((a) => a.slot === w.slot);
  const st = await pick(state, l.states.filter((s) => s !== row?.state), title(w.slot), `states on ${w.host}`, 'Choose a state');
  return { w, ctx, row, st };
}

export function vmStateAssign(labs: WorkspaceLabs) {
  return targetCommand(async (call): Promise<VmStateListing> => {
    const { w, ctx, row, st } = await slotAndState(labs, call, (slot) => `vm-state: Assign a State to ${slot}`);
    if (row?.running) {
      await confirm(call.options, `Assign ${st} to ${w.slot}, which is running?`,
        `The assignment takes effect when microvm@${w.slot} restarts; until then the running VM keeps using ${row.state}. "Migrate" stops, assigns and starts in one step.`, 'Assign');
    }
    await runVmState(w, ctx, `vm-state assign ${st}`, `assigning ${st} to ${w.slot}`, vmStateArgv.assign(w.slot as string, st));
    return listing(ctx);
  });
}

export function vmStateMigrate(labs: WorkspaceLabs) {
  return targetCommand(async (call): Promise<VmStateListing> => {
    const { w, ctx, row, st } = await slotAndState(labs, call, (slot) => `vm-state: Migrate a State into ${slot}`);
    await confirm(call.options, `Migrate ${st} into ${w.slot}?`,
      `vm-state stops microvm@${w.slot}${row ? ` (now running ${row.state})` : ''}, assigns ${st} and starts it again.`, 'Migrate');
    await runVmState(w, ctx, `vm-state migrate ${st}`, `migrating ${st} into ${w.slot}`, vmStateArgv.migrate(st, w.slot as string));
    return listing(ctx);
  });
}

export function vmStateRestore(labs: WorkspaceLabs) {
  return targetCommand(async (call): Promise<VmStateListing> => {
    const [snapshot, target] = givenNames(call);
    const w = await where(labs, call.target, false);
    const ctx = await w.lab.context(w.host);
    const l = await listing(ctx);
    const snap = await pick(snapshot, l.snapshots.map((s) => s.snapshot), 'vm-state: Restore Snapshot as New State', `snapshots on ${w.host}`, 'Choose a snapshot');
    const dst = await askName(target, `Name of the new state restored from ${snap}`, `${snap}-restored`, l.states);
    await confirm(call.options, `Restore snapshot ${snap} as the new state ${dst}?`,
      `vm-state clones ${snap} into ${dst} and promotes it: the snapshot then belongs to ${dst}.`, 'Restore');
    await runVmState(w, ctx, `vm-state restore ${snap}`, `restoring ${snap} as ${dst}`, vmStateArgv.restore(snap, dst));
    return listing(ctx);
  });
}
