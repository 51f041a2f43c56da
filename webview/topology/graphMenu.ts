// The graph's context menu (remote actions through the extension's commands, text edits as intents)
// and its keys: Delete, Enter (edit in the form), Escape, the menu key, Ctrl+F.
import { parseNodeId } from '../../src/model/edits/graph';
import type { ActionCommand } from '../protocol';
import { closeMenu, showMenu, type MenuItem } from './contextMenu';
import type { Page } from './pageApi';
import { vmActions } from './vmActions';
import { post, requestId } from './vscodeApi';

export function contextMenu(page: Page, target: { kind: 'node' | 'edge'; id: string }, x: number, y: number): void {
  const cmd = (command: ActionCommand, kind: 'vm' | 'link', name: string) =>
    post({ type: 'command', requestId: requestId(), command, target: { kind, name } });
  const ro = page.readOnly;
  let items: MenuItem[] = [];
  if (target.kind === 'node') {
    const p = parseNodeId(target.id);
    if (!p) return;
    const section = `${p.kind}s` as 'vms' | 'networks' | 'hosts' | 'slots';
    if (p.kind === 'vm') {
      const backend = page.model?.nodes.find((n) => n.id === target.id)?.backend ?? '';
      items = vmActions(page.view.liveStateOf(p.name), backend).map((a) => ({ label: a.label, run: () => cmd(a.command, 'vm', p.name) }));
    } else if (p.kind === 'host') {
      items = page.view.isCollapsed(p.name)
        ? [{ label: 'Expand host', run: () => page.view.expandHost(p.name) }]
        : [{ label: 'Collapse host', run: () => page.view.collapseHost(p.name) }];
    }
    items.push(
      { label: 'Show in text', run: () => post({ type: 'openText', section, name: p.name }) },
      { label: 'Rename…', disabled: ro, run: () => page.formFirst?.focus() },
      { label: 'Delete', disabled: ro, run: () => page.send({ kind: 'delete', section, name: p.name }) },
    );
  } else {
    const e = page.model?.edges.find((x) => x.id === target.id);
    if (e?.kind === 'link' && e.link) {
      const name = e.link;
      items = [
        { label: 'Partition link', run: () => cmd('partition', 'link', name) },
        { label: 'Heal link', run: () => cmd('heal', 'link', name) },
        { label: 'Set tc profile…', disabled: ro, run: () => cmd('setProfile', 'link', name) },
        { label: 'Impair link (delay, loss…)…', run: () => cmd('impair', 'link', name) },
        { label: 'Clear link impairments', run: () => cmd('clearImpair', 'link', name) },
        { label: 'Capture traffic…', run: () => cmd('capture', 'link', name) },
        { label: 'Show in text', run: () => post({ type: 'openText', section: 'links', name }) },
        { label: 'Delete link', disabled: ro, run: () => page.send({ kind: 'delete', section: 'links', name }) },
      ];
    } else if (e?.kind === 'nic') {
      const [, vm, idx] = e.id.split(':');
      items = [{ label: 'Disconnect NIC', disabled: ro, run: () => page.send({ kind: 'disconnectNic', vm: vm!, index: Number(idx) }) }];
    }
  }
  if (items.length) showMenu(page.graphEl, x, y, items);
}

export function onGraphKey(page: Page, e: KeyboardEvent): void {
  const s = page.view.selection();
  if ((e.key === 'Delete' || e.key === 'Backspace') && !page.readOnly) {
    const p = s.nodes[0] ? parseNodeId(s.nodes[0]) : undefined;
    const edge = !p && s.edges[0] ? page.model?.edges.find((x) => x.id === s.edges[0]) : undefined;
    if (p) page.send({ kind: 'delete', section: `${p.kind}s` as 'vms', name: p.name });
    else if (edge?.kind === 'link' && edge.link) page.send({ kind: 'delete', section: 'links', name: edge.link });
    else if (edge?.kind === 'nic') page.send({ kind: 'disconnectNic', vm: edge.id.split(':')[1]!, index: Number(edge.id.split(':')[2]) });
    e.preventDefault();
  } else if (e.key === 'Enter') {
    page.formFirst?.focus();
    e.preventDefault();
  } else if (e.key === 'Escape') {
    closeMenu();
    if (page.linkMode) page.setLinkMode(false);
  } else if ((e.key === 'ContextMenu' || (e.shiftKey && e.key === 'F10')) && (s.nodes[0] || s.edges[0])) {
    const id = s.nodes[0] ?? s.edges[0]!;
    contextMenu(page, { kind: s.nodes[0] ? 'node' : 'edge', id }, 40, 40);
    e.preventDefault();
  } else if (e.key === 'f' && (e.ctrlKey || e.metaKey)) {
    page.toolbar.search.focus();
    e.preventDefault();
  }
}
