// Host commands: refresh (all or one host), connect (retry), disconnect.
import * as vscode from 'vscode';
import { log } from '../../common/log';
import type { TcOps } from '../../tc/ops';
import type { Connections } from '../../workspace/connections';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import type { HostNode } from '../../tree/nodes';
import { Notice } from '../notice';
import { targetCommand } from '../registry';
import type { Target } from '../targets';

/** The host a command is about: the clicked host, a host named by a caller, or the user's pick. */
export async function pickHost(labs: WorkspaceLabs, node: Target | undefined, title = 'Choose a Host'): Promise<HostNode> {
  if (node?.kind === 'host') return node;
  await labs.ready();
  if (node?.kind === 'named') {
    const e = labs.all().find((x) => (!node.uri || x.uri.toString() === node.uri.toString()) && x.lab?.current.hosts[node.name]);
    if (!e) throw new Error(`No host named ${node.name} in the workspace's topologies.`);
    return { kind: 'host', uri: e.uri, host: node.name };
  }
  const items = labs.all().flatMap((e) => (e.lab ? e.lab.hostNames().map((host) => ({ label: host, description: vscode.workspace.asRelativePath(e.uri), node: { kind: 'host' as const, uri: e.uri, host } })) : []));
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Choose a host' });
  if (!picked) throw new vscode.CancellationError();
  return picked.node;
}

export function refresh(labs: WorkspaceLabs) {
  return targetCommand(async ({ target: node }): Promise<void> => {
    await labs.ready();
    if (node?.kind === 'host') {
      const lab = labs.get(node.uri)?.lab;
      if (lab?.isDisconnected(node.host)) throw new Notice(`${node.host} is disconnected: use "Connect to Host" to list its VMs again.`);
      return lab?.refresh(node.host);
    }
    // Every host but the ones the user disconnected (their refresh does nothing).
    await Promise.all(labs.all().flatMap((e) => (e.lab ? e.lab.hostNames().map((h) => e.lab!.refresh(h)) : [])));
  });
}

export function connectHost(labs: WorkspaceLabs) {
  return targetCommand(async ({ target, fromUi }): Promise<void> => {
    const h = await pickHost(labs, target, 'Connect to Host');
    const lab = labs.get(h.uri)?.lab;
    labs.connectHost(h.host);
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `vsim: connecting to ${h.host}` }, () => lab?.refresh(h.host) ?? Promise.resolve());
    const c = lab?.host(h.host).connection;
    if (c && (c.kind === 'error' || c.kind === 'missing-tool')) throw new Error(`${h.host}: ${c.message}`);
    await lab?.watch(h.host);
    log().info(`connected to ${h.host}`);
    if (fromUi) void vscode.window.showInformationMessage(`vsim: connected to ${h.host}.`);
  });
}

export function disconnectHost(labs: WorkspaceLabs, connections: Connections, tc: TcOps) {
  return targetCommand(async ({ target, fromUi }): Promise<void> => {
    const h = await pickHost(labs, target, 'Disconnect from Host');
    // Shown disconnected and left alone (no poll, stream or listing) until Connect to Host.
    labs.disconnectHost(h.host);
    connections.pool.disconnect(h.host);
    // The host may come back changed (another kernel, modules loaded): probe it again next time.
    tc.forget(h.host);
    log().info(`disconnected from ${h.host}`);
    if (fromUi) void vscode.window.showInformationMessage(`vsim: disconnected from ${h.host}. It stays disconnected until you connect it again.`);
  });
}
