// The unit a service command is about: the clicked Services row, or the user's pick among the
// units every connected host listed at its last refresh.
import * as vscode from 'vscode';
import type { Lab } from '../../lab/lab';
import type { ServiceStatus } from '../../health/hostHealth';
import { stateText } from '../../health/hostHealth';
import type { ServiceNode } from '../../tree/nodes';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import type { CommandCall } from '../targets';
import { Notice } from '../notice';

export interface ServiceTarget {
  node: ServiceNode;
  lab: Lab;
  /** The unit's state at the host's last refresh (undefined: not listed). */
  status: ServiceStatus | undefined;
}

function listed(lab: Lab, host: string): ServiceStatus[] {
  const s = lab.host(host).health?.services;
  return s?.kind === 'ok' ? s.units : [];
}

export async function serviceTarget(labs: WorkspaceLabs, call: CommandCall, title: string): Promise<ServiceTarget> {
  await labs.ready();
  const t = call.target;
  if (t?.kind === 'service') {
    const lab = labs.get(t.uri)?.lab;
    if (!lab) throw new Error(`${vscode.workspace.asRelativePath(t.uri)} has errors; fix them first.`);
    return { node: t, lab, status: listed(lab, t.host).find((u) => u.unit === t.unit) };
  }
  const items = labs.all().flatMap((e) => (e.lab ? e.lab.hostNames().flatMap((host) => listed(e.lab!, host).map((u) => ({
    label: u.unit.replace(/\.service$/, ''), description: `${host} · ${stateText(u)}`,
    target: { node: { kind: 'service' as const, uri: e.uri, host, unit: u.unit }, lab: e.lab!, status: u },
  }))) : []));
  if (!items.length) throw new Notice('No host has listed its services yet: open the Labs view (or refresh) and try again.');
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Choose a unit' });
  if (!picked) throw new vscode.CancellationError();
  return picked.target;
}
