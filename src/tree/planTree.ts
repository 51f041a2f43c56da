// The Plan view (`vsim.plan`): topology file → host → one line per change (describeChange, the same
// text as `vsim plan`), an icon per kind, the field diffs in the tooltip; undeclared VMs dimmed as
// "not in topology", blocked changes with their reason, a host that could not be inspected with its error.
import * as vscode from 'vscode';
import { Disposable } from '../common/lifecycle';
import { describeChange } from '../plan';
import { isApplicable, type Change, type HostPlan } from '../plan/types';
import type { WorkspaceLabs } from '../workspace/workspaceLabs';
import { changeTooltip, KIND_ICON, orderedChanges, planHostContext } from './planPresent';
import type { PlanStore } from './planStore';

export type PlanNode = PlanFileNode | PlanHostNode | PlanChangeNode | PlanMessageNode;
export interface PlanFileNode { kind: 'plan-file'; uri: vscode.Uri }
export interface PlanHostNode { kind: 'plan-host'; uri: vscode.Uri; host: string }
export interface PlanChangeNode { kind: 'plan-change'; uri: vscode.Uri; host: string; id: string }
export interface PlanMessageNode { kind: 'plan-message'; id: string; text: string; icon: string; tooltip?: string; command?: vscode.Command }

/** URIs of dimmed rows (undeclared VMs): a FileDecorationProvider greys their labels. */
const DIM_SCHEME = 'vsim-plan-dim';

function planNodeId(n: PlanNode): string {
  switch (n.kind) {
    case 'plan-file': return `pf:${n.uri.toString()}`;
    case 'plan-host': return `ph:${n.uri.toString()}#${n.host}`;
    case 'plan-change': return `pc:${n.uri.toString()}#${n.id}`;
    case 'plan-message': return `pm:${n.id}`;
  }
}

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

export class PlanTree extends Disposable implements vscode.TreeDataProvider<PlanNode> {
  private readonly changed = this._register(new vscode.EventEmitter<PlanNode | undefined>());
  readonly onDidChangeTreeData = this.changed.event;

  constructor(private readonly labs: WorkspaceLabs, private readonly store: PlanStore) {
    super();
    this._register(store.onDidChange(() => this.changed.fire(undefined)));
    this._register(labs.onDidChange((c) => {
      if (c.kind === 'files') this.changed.fire(undefined);
    }));
    this._register(vscode.window.registerFileDecorationProvider({
      provideFileDecoration: (uri) => (uri.scheme === DIM_SCHEME ? { color: new vscode.ThemeColor('disabledForeground'), tooltip: 'not in topology' } : undefined),
    }));
  }

  private hostPlan(uri: vscode.Uri, host: string): HostPlan | undefined {
    return this.store.get(uri)?.plan?.hosts.find((h) => h.host === host);
  }

  /** The change a node stands for (commands read it). */
  change(n: PlanChangeNode): Change | undefined {
    return this.hostPlan(n.uri, n.host)?.changes.find((c) => c.id === n.id);
  }

  async getChildren(node?: PlanNode): Promise<PlanNode[]> {
    if (!node) {
      await this.labs.ready();
      return this.labs.all().map((e) => ({ kind: 'plan-file', uri: e.uri }));
    }
    switch (node.kind) {
      case 'plan-file': {
        const e = this.store.get(node.uri);
        const k = node.uri.toString();
        const msgs: PlanNode[] = [];
        if (!e?.plan) {
          if (e?.error) msgs.push({ kind: 'plan-message', id: `err:${k}`, icon: 'error', text: `Planning failed: ${e.error}` });
          return msgs;
        }
        for (const [i, b] of e.plan.blockers.entries()) msgs.push({ kind: 'plan-message', id: `blk:${k}:${i}`, icon: 'error', text: `Blocked: ${b.message}`, tooltip: 'A topology with errors is never applied.' });
        return [...msgs, ...e.plan.hosts.map((h) => ({ kind: 'plan-host' as const, uri: node.uri, host: h.host }))];
      }
      case 'plan-host': {
        const h = this.hostPlan(node.uri, node.host);
        if (!h) return [];
        if (h.error) return [{ kind: 'plan-message', id: `herr:${node.uri.toString()}#${node.host}`, icon: 'error', text: `Not inspectable: ${h.error}`, tooltip: h.error }];
        return orderedChanges(h).map((c) => ({ kind: 'plan-change', uri: node.uri, host: node.host, id: c.id }));
      }
      default:
        return [];
    }
  }

  getTreeItem(node: PlanNode): vscode.TreeItem {
    switch (node.kind) {
      case 'plan-file': return this.fileItem(node);
      case 'plan-host': return this.hostItem(node);
      case 'plan-change': return this.changeItem(node);
      case 'plan-message': {
        const item = new vscode.TreeItem(node.text, vscode.TreeItemCollapsibleState.None);
        item.id = planNodeId(node);
        item.iconPath = new vscode.ThemeIcon(node.icon, node.icon === 'error' ? new vscode.ThemeColor('errorForeground') : undefined);
        item.tooltip = node.tooltip ?? node.text;
        item.contextValue = 'plan.message';
        if (node.command) item.command = node.command;
        return item;
      }
    }
  }

  private fileItem(node: PlanFileNode): vscode.TreeItem {
    const entry = this.labs.get(node.uri);
    const e = this.store.get(node.uri);
    // A file not planned yet is one row (its inline Plan button plans it): nothing below it to show.
    const item = new vscode.TreeItem(entry?.lab?.current.name ?? vscode.workspace.asRelativePath(node.uri),
      e?.plan || e?.error ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.None);
    // The id changes once planned: VS Code keeps a row's collapsed state by id, and a row that had no children would stay collapsed.
    item.id = `${planNodeId(node)}${e?.plan || e?.error ? ':planned' : ''}`;
    item.resourceUri = node.uri;
    const n = e?.plan ? e.plan.hosts.reduce((s, h) => s + h.changes.filter(isApplicable).length, 0) : 0;
    const hostErrors = e?.plan?.hosts.filter((h) => h.error).length ?? 0;
    const state = e?.running ? 'planning…'
      : !e?.plan ? 'not planned: Plan compares it with its hosts'
      : e.plan.blockers.length ? 'blocked: the file has errors'
      : n ? plural(n, 'change') : hostErrors ? 'some hosts not inspectable' : 'in sync';
    const when = e?.at ? ` · ${new Date(e.at).toLocaleTimeString()}` : '';
    item.description = `${state}${e?.stale ? ' · stale: the file changed, plan again' : ''}${when}`;
    item.iconPath = new vscode.ThemeIcon(e?.running ? 'loading~spin' : n ? 'diff' : !e?.plan ? 'file-code' : hostErrors || e.plan.blockers.length ? 'warning' : 'pass');
    item.tooltip = `${vscode.workspace.asRelativePath(node.uri)}: ${state}`;
    item.contextValue = `plan.file${n ? '.drift' : ''}`;
    return item;
  }

  private hostItem(node: PlanHostNode): vscode.TreeItem {
    const h = this.hostPlan(node.uri, node.host);
    const item = new vscode.TreeItem(node.host, vscode.TreeItemCollapsibleState.Expanded);
    item.id = planNodeId(node);
    const n = h?.changes.filter(isApplicable).length ?? 0;
    const undeclared = h?.changes.filter((c) => c.kind === 'vm-undeclared').length ?? 0;
    if (h?.error) {
      item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('errorForeground'));
      item.description = 'not inspectable';
      item.tooltip = h.error;
    } else {
      item.iconPath = new vscode.ThemeIcon('server', n ? undefined : new vscode.ThemeColor('testing.iconPassed'));
      item.description = [n ? plural(n, 'change') : 'in sync', undeclared ? `${undeclared} not in topology` : ''].filter(Boolean).join(' · ');
      item.tooltip = `${node.host}: ${item.description} (${plural(h?.roundTrips ?? 0, 'round trip')})`;
    }
    // A host whose NixOS configuration is a flake can hold the lab itself (Deploy host: nixos-rebuild).
    item.contextValue = planHostContext(n > 0, !!this.labs.get(node.uri)?.lab?.current.hosts[node.host]?.flake);
    return item;
  }

  private changeItem(node: PlanChangeNode): vscode.TreeItem {
    const c = this.change(node);
    if (!c) return new vscode.TreeItem(node.id);
    const line = describeChange(c);
    const item = new vscode.TreeItem(line, vscode.TreeItemCollapsibleState.None);
    item.id = planNodeId(node);
    const { icon, color } = KIND_ICON[c.kind];
    item.iconPath = new vscode.ThemeIcon(c.blockedBy && c.kind !== 'vm-undeclared' ? 'circle-slash' : icon, new vscode.ThemeColor(c.blockedBy && c.kind !== 'vm-undeclared' ? 'errorForeground' : color ?? 'foreground'));
    if (c.kind === 'vm-undeclared') {
      item.description = `not in topology${c.state ? ` · ${c.state}` : ''}`;
      item.resourceUri = vscode.Uri.from({ scheme: DIM_SCHEME, path: `/${c.id}` });
    } else if (c.blockedBy) {
      item.description = `blocked: ${c.blockedBy}`;
    } else if (c.kind === 'vm-differs' && c.running) {
      item.description = 'restart needed after apply';
    }
    item.tooltip = new vscode.MarkdownString(changeTooltip(c, line));
    item.contextValue = c.kind === 'vm-undeclared' ? 'plan.change.undeclared' : c.blockedBy ? 'plan.change.blocked' : 'plan.change.applicable';
    return item;
  }

  getParent(node: PlanNode): PlanNode | undefined {
    switch (node.kind) {
      case 'plan-host': return { kind: 'plan-file', uri: node.uri };
      case 'plan-change': return { kind: 'plan-host', uri: node.uri, host: node.host };
      default: return undefined;
    }
  }
}
