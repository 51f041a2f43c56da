// The words of the lab commands: what each confirmation lists (every change, every VM and network
// an action touches; a qemu start argv as it will run) and the summary after a run. Pure (no vscode)
// so unit tests check the exact listing a user confirms.
import type { Topology } from '../../model/types';
import { isApplicable, type ApplyResult, type Change, type Plan } from '../../plan/types';
import { buildCommand } from '../../remote/quote';
import { tunnelPorts } from '../../deploy/renderTunnels';
import { networkHosts } from '../../model/fabric';

export type LabAction = 'apply' | 'up' | 'down' | 'destroy';

/** One modal: a question, the lines it lists, and the button that goes ahead. */
export interface Confirmation {
  action: LabAction;
  message: string;
  lines: string[];
  button: string;
  /** Nothing to do: no modal, just a note. */
  empty: boolean;
}

function startLines(t: Topology, vms: readonly string[]): string[] {
  return vms.map((vm) => {
    const v = t.vms?.[vm];
    // A qemu VM's declared launcher (argv, never a shell string) is shown as it will run.
    const start = v?.backend === 'qemu' ? v.start : undefined;
    const runs = start?.argv.length ? `: runs ${buildCommand(start.argv)}${start.cwd ? ` in ${start.cwd}` : ''}` : '';
    return `start ${vm} (${v?.backend ?? '?'} on ${v?.host ?? '?'})${runs}`;
  });
}

/** Declared VMs in file order, optionally of some hosts only. */
export function declaredVms(t: Topology, hosts?: readonly string[]): string[] {
  return Object.entries(t.vms ?? {}).filter(([, v]) => !hosts || hosts.includes(v.host)).map(([n]) => n);
}

/** Declared networks (name and host) in file order, optionally of some hosts only. */
export function declaredNetworks(t: Topology, hosts?: readonly string[]): { name: string; host: string }[] {
  return Object.entries(t.networks ?? {}).flatMap(([name, n]) => networkHosts(n).filter((h) => !hosts || hosts.includes(h)).map((host) => ({ name, host })));
}

/** Undeclared VMs a plan found (shown in Destroy's modal as untouched). */
export function undeclaredVms(plan: Plan | undefined): string[] {
  return (plan?.hosts ?? []).flatMap((h) => h.changes.filter((c) => c.kind === 'vm-undeclared').map((c) => `${c.kind === 'vm-undeclared' ? c.vm : ''} on ${h.host}`));
}

/** Apply: every applicable change it will make, one line each. */
export function applyConfirmation(lab: string, changes: readonly Change[], describe: (c: Change) => string): Confirmation {
  const todo = changes.filter(isApplicable);
  const restart = todo.filter((c) => c.kind === 'vm-differs' && c.running).map((c) => (c.kind === 'vm-differs' ? c.vm : ''));
  const lines = todo.map(describe);
  if (restart.length) lines.push(`running, restart needed afterwards (not restarted now): ${restart.join(', ')}`);
  return { action: 'apply', message: `Apply ${todo.length} change${todo.length === 1 ? '' : 's'} to lab ${lab}?`, lines, button: 'Apply', empty: !todo.length };
}

/** Up: the changes the plan found, then every declared VM it starts (with a qemu start argv as it runs). */
export function upConfirmation(lab: string, t: Topology, plan: Plan | undefined, describe: (c: Change) => string, hosts?: readonly string[]): Confirmation {
  const changes = (plan?.hosts ?? []).filter((h) => !hosts || hosts.includes(h.host)).flatMap((h) => h.changes.filter(isApplicable));
  const vms = declaredVms(t, hosts);
  const lines = [...changes.map(describe), ...startLines(t, vms)];
  return { action: 'up', message: `Bring lab ${lab} up: ${changes.length} change${changes.length === 1 ? '' : 's'}, then start ${vms.length} VM${vms.length === 1 ? '' : 's'}?`, lines, button: 'Up', empty: !lines.length };
}

/** Down: every declared VM it shuts down (gracefully, with a timeout). */
export function downConfirmation(lab: string, t: Topology, hosts?: readonly string[]): Confirmation {
  const vms = declaredVms(t, hosts);
  const lines = vms.map((vm) => `shut down ${vm} (${t.vms?.[vm]?.backend} on ${t.vms?.[vm]?.host})`);
  return { action: 'down', message: `Shut down the ${vms.length} VM${vms.length === 1 ? '' : 's'} of lab ${lab}?`, lines, button: 'Shut Down', empty: !vms.length };
}

/** Destroy: every declared VM and network it removes; the undeclared VMs it leaves alone. */
export function destroyConfirmation(lab: string, t: Topology, plan: Plan | undefined, hosts?: readonly string[]): Confirmation {
  const vms = declaredVms(t, hosts);
  const nets = declaredNetworks(t, hosts);
  const lines = [
    ...vms.map((vm) => `destroy and undefine VM ${vm} (${t.vms?.[vm]?.backend} on ${t.vms?.[vm]?.host})`),
    ...nets.map((n) => `remove network ${n.name} (bridge on ${n.host})`),
    ...Object.keys(t.hosts).filter((h) => !hosts || hosts.includes(h))
      .flatMap((h) => tunnelPorts(t, h).map((p) => `remove tunnel port ${p.name} (network ${p.network}) on ${h}`)),
  ];
  const kept = undeclaredVms(plan);
  if (kept.length) lines.push(`not touched (not in the file): ${kept.join(', ')}`);
  return {
    action: 'destroy',
    message: `Destroy lab ${lab}: ${vms.length} VM${vms.length === 1 ? '' : 's'} and ${nets.length} network${nets.length === 1 ? '' : 's'}? Their definitions are removed from the hosts.`,
    lines, button: 'Destroy', empty: !vms.length && !nets.length,
  };
}

const VERB: Record<LabAction, string> = { apply: 'applied', up: 'done', down: 'shut down', destroy: 'removed' };

/** "3 applied, 1 failed; restart needed: chassis" (and cancelled / skipped when so). */
export function summaryLine(action: LabAction, r: ApplyResult): string {
  const parts = [`${r.done.length} ${VERB[action]}`];
  if (r.failed.length) parts.push(`${r.failed.length} failed`);
  if (r.skipped.length) parts.push(`${r.skipped.length} skipped`);
  let s = parts.join(', ');
  if (r.cancelled) s += ' (cancelled: nothing new was started)';
  if (r.restartNeeded.length) s += `; restart needed: ${r.restartNeeded.join(', ')}`;
  return s;
}

/** The modal's detail text: the listed lines, bulleted. */
export function confirmationDetail(c: Confirmation): string {
  return c.lines.map((l) => `• ${l}`).join('\n');
}
