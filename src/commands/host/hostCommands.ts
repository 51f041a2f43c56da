// Host commands: refresh (all or one host), connect (retry), disconnect.
import * as vscode from 'vscode';
import type { Connections } from '../../workspace/connections';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import { isHostNode, type HostNode } from '../../tree/nodes';

async function pickHost(labs: WorkspaceLabs, node: unknown): Promise<HostNode> {
  if (isHostNode(node)) return node;
  await labs.ready();
  const items = labs.all().flatMap((e) => (e.lab ? e.lab.hostNames().map((host) => ({ label: host, description: vscode.workspace.asRelativePath(e.uri), node: { kind: 'host' as const, uri: e.uri, host } })) : []));
  const picked = await vscode.window.showQuickPick(items, { title: 'Which host?' });
  if (!picked) throw new vscode.CancellationError();
  return picked.node;
}

export function refresh(labs: WorkspaceLabs) {
  return async (node?: unknown): Promise<void> => {
    await labs.ready();
    if (isHostNode(node)) return labs.get(node.uri)?.lab?.refresh(node.host);
    await Promise.all(labs.all().flatMap((e) => (e.lab ? e.lab.hostNames().map((h) => e.lab!.refresh(h)) : [])));
  };
}

export function connectHost(labs: WorkspaceLabs) {
  return async (node?: unknown): Promise<void> => {
    const h = await pickHost(labs, node);
    const lab = labs.get(h.uri)?.lab;
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `vsim: connecting to ${h.host}` }, () => lab?.refresh(h.host) ?? Promise.resolve());
    const c = lab?.host(h.host).connection;
    if (c && (c.kind === 'error' || c.kind === 'missing-tool')) throw new Error(`${h.host}: ${c.message}`);
    await lab?.watch(h.host);
  };
}

export function disconnectHost(labs: WorkspaceLabs, connections: Connections) {
  return async (node?: unknown): Promise<void> => {
    const h = await pickHost(labs, node);
    const lab = labs.get(h.uri)?.lab;
    lab?.unwatch(h.host);
    connections.pool.disconnect(h.host);
  };
}
