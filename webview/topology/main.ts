// The topology graph webview: toolbar (palette, lock, undo/redo, layouts, search, fit), the graph,
// the side form, a banner while the text has errors, and a status line with the counts.
import type { LayoutMode } from '../../src/model/edits/layout';
import { applyGraphPatch, parseNodeId, type GraphPatch } from '../../src/model/edits/graph';
import type { Banner, EditorState, GraphModel, InitialData, Intent, ToWebview } from '../protocol';
import { closeMenu, showMenu, type MenuItem } from './contextMenu';
import { GraphView } from './graphView';
import { renderForm } from './sideForm';
import { button } from './ui/button';
import { field } from './ui/field';
import { select } from './ui/select';
import { el, registerToolkit } from './ui/toolkit';
import { onMessage, post, requestId, saveViewState, viewState } from './vscodeApi';
import './styles.css';

const T0 = performance.now();
registerToolkit();

interface ViewState {
  locked: boolean;
  layout: LayoutMode | 'force';
}
const saved = viewState<ViewState>();
let locked = saved.locked ?? false;
let layout: LayoutMode | 'force' = saved.layout ?? 'host';
let model: GraphModel | undefined;
let version = -1;
let fileReadOnly = false;
let linkMode = false;

const data = JSON.parse(document.getElementById('vsim-data')?.textContent ?? 'null') as InitialData | null;

// ---------------------------------------------------------------- layout of the page
const toolbar = el('div', { class: 'toolbar', role: 'toolbar', 'aria-label': 'Topology graph tools' });
const bannerEl = el('div', { class: 'banner', role: 'alert', hidden: '' });
const graphEl = el('div', { class: 'graph', id: 'graph', tabindex: '0', 'aria-label': 'Topology graph: Delete removes the selection, Enter edits it' });
const formEl = el('aside', { class: 'form', 'aria-label': 'Properties' });
const statusEl = el('div', { class: 'status', id: 'status', role: 'status' });
document.body.append(toolbar, bannerEl, el('main', {}, graphEl, formEl), statusEl);

const send = (intent: Intent) => {
  if (locked || fileReadOnly) return;
  post({ type: 'intent', requestId: requestId(), intent });
};

const view = new GraphView(graphEl, {
  select: () => refreshForm(),
  moved: (nodes) => {
    const positions = nodes.flatMap((n) => {
      const p = parseNodeId(n.id);
      return p ? [{ section: `${p.kind}s` as 'hosts' | 'networks' | 'vms' | 'slots', name: p.name, x: n.x, y: n.y }] : [];
    });
    if (positions.length) send({ kind: 'movePositions', positions });
  },
  context: (target, x, y) => contextMenu(target, x, y),
  doubleClick: (id) => {
    const p = parseNodeId(id);
    if (p?.kind === 'vm') post({ type: 'command', requestId: requestId(), command: 'console', target: { kind: 'vm', name: p.name } });
  },
  connect: (from, to) => {
    setLinkMode(false);
    const a = parseNodeId(from);
    const b = parseNodeId(to);
    if (!a || !b) return;
    if (a.kind === 'vm' && b.kind === 'vm') send({ kind: 'addLink', a: a.name, b: b.name });
    else if (a.kind === 'vm' && b.kind === 'network') send({ kind: 'connectNic', vm: a.name, network: b.name });
    else if (a.kind === 'network' && b.kind === 'vm') send({ kind: 'connectNic', vm: b.name, network: a.name });
  },
  rendered: (nodes, edges, ms) => {
    document.body.dataset.renderedVersion = String(version);
    document.body.dataset.nodes = String(nodes);
    post({ type: 'rendered', version, nodes, edges, ms: Math.round((performance.now() - T0) * 10) / 10 });
    void ms;
  },
});

// ---------------------------------------------------------------- toolbar
const selected = () => view.selection();
const selectedEntity = () => {
  const s = selected();
  return s.nodes.length ? parseNodeId(s.nodes[0]!) : undefined;
};
const addVm = button({ label: '+ VM', title: 'Add a VM (on the selected network or host). Drag onto the graph to place it.', id: 'add-vm', onClick: () => {
  const s = selectedEntity();
  send({ kind: 'addVm', ...(s?.kind === 'network' ? { network: s.name } : s?.kind === 'host' ? { host: s.name } : s ? { host: model?.nodes.find((n) => n.id === selected().nodes[0])?.host } : {}) });
} });
const addNet = button({ label: '+ Network', title: 'Add a network (on the selected host). Drag onto the graph to place it.', id: 'add-network', onClick: () => {
  const id = selected().nodes[0];
  const host = id ? model?.nodes.find((n) => n.id === id)?.host : undefined;
  send({ kind: 'addNetwork', ...(host ? { host } : {}) });
} });
const addLink = button({ label: '+ Link', title: 'Link two VMs: select two VMs and click, or click and drag from one VM to another (or to a network to add a NIC)', id: 'add-link', onClick: () => {
  const vms = selected().nodes.map(parseNodeId).filter((p) => p?.kind === 'vm');
  if (vms.length === 2) send({ kind: 'addLink', a: vms[0]!.name, b: vms[1]!.name });
  else setLinkMode(!linkMode);
} });
for (const [b, kind] of [[addVm, 'vm'], [addNet, 'network']] as const) {
  b.element.setAttribute('draggable', 'true');
  b.element.addEventListener('dragstart', (e) => e.dataTransfer?.setData('application/x-vsim-palette', kind));
}
graphEl.addEventListener('dragover', (e) => {
  if (e.dataTransfer?.types.includes('application/x-vsim-palette')) e.preventDefault();
});
graphEl.addEventListener('drop', (e) => {
  const kind = e.dataTransfer?.getData('application/x-vsim-palette');
  if (!kind) return;
  e.preventDefault();
  const p = view.canvasPoint(e.clientX, e.clientY, graphEl);
  const hit = view.network.getNodeAt({ x: e.clientX - graphEl.getBoundingClientRect().left, y: e.clientY - graphEl.getBoundingClientRect().top });
  const target = hit !== undefined ? parseNodeId(String(hit)) : undefined;
  const position = { x: Math.round(p.x), y: Math.round(p.y) };
  if (kind === 'vm') send({ kind: 'addVm', position, ...(target?.kind === 'network' ? { network: target.name } : target?.kind === 'host' ? { host: target.name } : {}) });
  else send({ kind: 'addNetwork', position, ...(target?.kind === 'host' ? { host: target.name } : {}) });
});
function setLinkMode(on: boolean): void {
  linkMode = on;
  addLink.setPressed(on);
  if (on) view.startConnect();
  else view.stopConnect();
  setStatus(on ? 'Drag from a VM to another VM (link) or to a network (NIC). Escape cancels.' : undefined);
}

const lock = button({ label: locked ? 'Locked' : 'Lock', title: 'Lock the graph (read-only) or unlock it for editing', id: 'lock', onClick: () => setLocked(!locked) });
const undo = button({ label: '↶', title: 'Undo (VS Code undo on the file)', id: 'undo', appearance: 'icon', onClick: () => post({ type: 'undo', requestId: requestId() }) });
const redo = button({ label: '↷', title: 'Redo', id: 'redo', appearance: 'icon', onClick: () => post({ type: 'redo', requestId: requestId() }) });
const layoutSel = select({ label: 'Layout', id: 'layout', value: layout, options: [
  { value: 'host', label: 'By host' }, { value: 'network', label: 'By network' }, { value: 'force', label: 'Force' },
], onChange: (v) => {
  layout = v as typeof layout;
  saveViewState<ViewState>({ locked, layout });
  view.applyLayout(layout);
} });
const clusterBtn = button({ label: 'Group hosts', title: 'Collapse each host into one node (double-click a host to expand it)', id: 'cluster', onClick: () => {
  view.clusterHosts(!view.isClustered());
  clusterBtn.setPressed(view.isClustered());
} });
const fit = button({ label: 'Fit', title: 'Fit the whole graph in view', id: 'fit', onClick: () => view.fit() });
const search = field({ label: '', value: '', placeholder: 'Find node…', id: 'search', onCommit: (q) => find(q), onInput: (q) => highlight(q) });
search.element.setAttribute('aria-label', 'Find a node by name');
// The lab's bring-up from the graph: the extension confirms (one modal listing everything) and runs the command.
const labAction = (action: 'plan' | 'up' | 'down' | 'destroy') => post({ type: 'labAction', requestId: requestId(), action });
const planBtn = button({ label: 'Plan', title: 'Lab: Plan (compare the file with its hosts)', id: 'lab-plan', onClick: () => labAction('plan') });
const upBtn = button({ label: 'Up', title: 'Lab: Up (apply the plan, then start every VM)', id: 'lab-up', onClick: () => labAction('up') });
const downBtn = button({ label: 'Down', title: 'Lab: Down (shut every VM down)', id: 'lab-down', onClick: () => labAction('down') });
const destroyBtn = button({ label: 'Destroy', title: 'Lab: Destroy (remove the VMs and networks the file declares)', id: 'lab-destroy', onClick: () => labAction('destroy') });
toolbar.append(addVm.element, addNet.element, addLink.element, el('vscode-divider', { role: 'separator' }), undo.element, redo.element, lock.element,
  layoutSel, clusterBtn.element, fit.element, search.element, el('vscode-divider', { role: 'separator' }),
  planBtn.element, upBtn.element, downBtn.element, destroyBtn.element);

function setLocked(l: boolean): void {
  locked = l;
  saveViewState<ViewState>({ locked, layout });
  lock.setLabel(l ? 'Locked' : 'Lock');
  lock.setPressed(l);
  applyReadOnly();
}
function applyReadOnly(): void {
  const ro = locked || fileReadOnly;
  for (const b of [addVm, addNet, addLink, undo, redo]) b.setDisabled(ro);
  view.setLocked(ro);
  document.body.classList.toggle('locked', ro);
  refreshForm();
}

function matches(q: string): string[] {
  const s = q.trim().toLowerCase();
  if (!s || !model) return [];
  return model.nodes.filter((n) => n.name.toLowerCase().includes(s) || n.label.toLowerCase().includes(s)).map((n) => n.id);
}
function highlight(q: string): void {
  const ids = matches(q);
  setStatus(q.trim() ? `${ids.length} match${ids.length === 1 ? '' : 'es'} — Enter to focus` : undefined);
}
function find(q: string): void {
  const ids = matches(q);
  if (ids[0]) {
    view.focusNode(ids[0]);
    graphEl.focus();
  }
}

// ---------------------------------------------------------------- form, menu, keys
let formFirst: HTMLElement | undefined;
function refreshForm(): void {
  if (!model) return;
  const s = selected();
  const node = s.nodes[0] ? model.nodes.find((n) => n.id === s.nodes[0]) : undefined;
  const edge = !node && s.edges[0] ? model.edges.find((e) => e.id === s.edges[0]) : undefined;
  formFirst = renderForm(formEl, { model, readOnly: locked || fileReadOnly, send }, node, edge);
}

function contextMenu(target: { kind: 'node' | 'edge'; id: string }, x: number, y: number): void {
  const cmd = (command: 'start' | 'stop' | 'console' | 'applyProfile' | 'clearProfile' | 'partition' | 'heal' | 'setProfile', kind: 'vm' | 'link', name: string) =>
    post({ type: 'command', requestId: requestId(), command, target: { kind, name } });
  const ro = locked || fileReadOnly;
  let items: MenuItem[] = [];
  if (target.kind === 'node') {
    const p = parseNodeId(target.id);
    if (!p) return;
    const section = `${p.kind}s` as 'vms' | 'networks' | 'hosts' | 'slots';
    if (p.kind === 'vm') {
      items = [
        { label: 'Start', run: () => cmd('start', 'vm', p.name) },
        { label: 'Stop', run: () => cmd('stop', 'vm', p.name) },
        { label: 'Open console', run: () => cmd('console', 'vm', p.name) },
        { label: 'Apply tc profile…', run: () => cmd('applyProfile', 'vm', p.name) },
        { label: 'Clear tc profile', run: () => cmd('clearProfile', 'vm', p.name) },
      ];
    }
    items.push(
      { label: 'Show in text', run: () => post({ type: 'openText', section, name: p.name }) },
      { label: 'Rename…', disabled: ro, run: () => formFirst?.focus() },
      { label: 'Delete', disabled: ro, run: () => send({ kind: 'delete', section, name: p.name }) },
    );
  } else {
    const e = model?.edges.find((x) => x.id === target.id);
    if (e?.kind === 'link' && e.link) {
      const name = e.link;
      items = [
        { label: 'Partition link', run: () => cmd('partition', 'link', name) },
        { label: 'Heal link', run: () => cmd('heal', 'link', name) },
        { label: 'Set tc profile…', disabled: ro, run: () => cmd('setProfile', 'link', name) },
        { label: 'Show in text', run: () => post({ type: 'openText', section: 'links', name }) },
        { label: 'Delete link', disabled: ro, run: () => send({ kind: 'delete', section: 'links', name }) },
      ];
    } else if (e?.kind === 'nic') {
      const [, vm, idx] = e.id.split(':');
      items = [{ label: 'Disconnect NIC', disabled: ro, run: () => send({ kind: 'disconnectNic', vm: vm!, index: Number(idx) }) }];
    }
  }
  if (items.length) showMenu(graphEl, x, y, items);
}

graphEl.addEventListener('keydown', (e) => {
  const s = selected();
  if ((e.key === 'Delete' || e.key === 'Backspace') && !(locked || fileReadOnly)) {
    const p = s.nodes[0] ? parseNodeId(s.nodes[0]) : undefined;
    const edge = !p && s.edges[0] ? model?.edges.find((x) => x.id === s.edges[0]) : undefined;
    if (p) send({ kind: 'delete', section: `${p.kind}s` as 'vms', name: p.name });
    else if (edge?.kind === 'link' && edge.link) send({ kind: 'delete', section: 'links', name: edge.link });
    else if (edge?.kind === 'nic') send({ kind: 'disconnectNic', vm: edge.id.split(':')[1]!, index: Number(edge.id.split(':')[2]) });
    e.preventDefault();
  } else if (e.key === 'Enter') {
    formFirst?.focus();
    e.preventDefault();
  } else if (e.key === 'Escape') {
    closeMenu();
    if (linkMode) setLinkMode(false);
  } else if ((e.key === 'ContextMenu' || (e.shiftKey && e.key === 'F10')) && (s.nodes[0] || s.edges[0])) {
    const id = s.nodes[0] ?? s.edges[0]!;
    contextMenu({ kind: s.nodes[0] ? 'node' : 'edge', id }, 40, 40);
    e.preventDefault();
  } else if (e.key === 'f' && (e.ctrlKey || e.metaKey)) {
    search.focus();
    e.preventDefault();
  }
});
formEl.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') graphEl.focus();
});

// ---------------------------------------------------------------- state from the extension
let statusNote: string | undefined;
function setStatus(note?: string): void {
  statusNote = note;
  renderStatus();
}
function renderStatus(): void {
  if (!model) {
    statusEl.textContent = statusNote ?? 'No graph yet: fix the file first.';
    return;
  }
  const c = model.counts;
  const nodes = model.nodes.length;
  statusEl.dataset.nodes = String(nodes);
  statusEl.dataset.edges = String(model.edges.length);
  statusEl.dataset.vms = String(c.vms);
  statusEl.textContent = `${nodes} nodes · ${c.vms} VMs · ${c.networks} networks · ${c.hosts} hosts · ${c.links} links${statusNote ? ` — ${statusNote}` : ''}`;
}

function showBanner(b: Banner | null): void {
  if (!b) {
    bannerEl.hidden = true;
    bannerEl.textContent = '';
    document.body.classList.remove('stale');
    return;
  }
  bannerEl.hidden = false;
  bannerEl.textContent = `Line ${b.line}: ${b.message} — the graph shows the last valid version.`;
  document.body.classList.add('stale');
}

function applyState(state: EditorState, banner: Banner | null, patch?: GraphPatch): void {
  const first = !model;
  model = state.graph;
  version = state.version;
  fileReadOnly = state.readOnly;
  document.body.dataset.version = String(version);
  view.setGraph(model, layout === 'force' ? 'host' : layout, first, patch);
  if (first && layout === 'force') view.applyLayout('force');
  clusterBtn.setPressed(view.isClustered());
  showBanner(banner);
  renderStatus();
  applyReadOnly();
}

onMessage((msg: ToWebview) => {
  switch (msg.type) {
    case 'state': applyState(msg.state, msg.banner); break;
    case 'patch':
      // Only on top of the state it was made from; else ask for the whole state.
      if (!model || msg.base !== version) post({ type: 'resync' });
      else applyState({ ...msg.state, graph: applyGraphPatch(model, msg.patch) }, msg.banner, msg.patch);
      break;
    case 'banner': showBanner(msg.banner); break;
    case 'liveState': post({ type: 'liveShown', counts: view.setLiveState(msg.states) }); break;
    case 'planMarks': post({ type: 'marksShown', counts: view.setPlanMarks(msg.marks) }); break;
    case 'result':
      if (msg.ok && msg.created) {
        const kind = msg.created.section === 'vms' ? 'vm' : msg.created.section === 'networks' ? 'network' : undefined;
        if (kind) setTimeout(() => view.focusNode(`${kind}:${msg.created!.name}`), 0);
      }
      break;
    case 'focus': view.focusNode(msg.nodeId); break;
  }
});

// VS Code switches themes through the body's classes (vscode-light/-dark/-high-contrast), its theme id and
// the CSS variables on <html>. Our own classes (stale, locked) change on every state, and any classList
// call queues a mutation even when nothing changed: only a theme change restyles (that touches every node).
const themeClasses = (cls: string | null) => (cls ?? '').split(/\s+/).filter((c) => c.startsWith('vscode-')).sort().join(' ');
new MutationObserver((records) => {
  const theme = records.some((r) => r.target !== document.body || r.attributeName !== 'class' || themeClasses(r.oldValue) !== themeClasses(document.body.className));
  if (theme) view.retheme();
}).observe(document.body, { attributes: true, attributeOldValue: true, attributeFilter: ['class', 'data-vscode-theme-id'] });
new MutationObserver(() => view.retheme()).observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });

// 'ready' before the initial draw: the extension's messages are handled after this task, i.e. after it.
{
  const at = (ms: number | undefined) => performance.timeOrigin + (ms || T0);
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  const script = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find((e) => /\/topology\.js(\?|$)/.test(e.name));
  post({ type: 'ready', timing: { pageStart: performance.timeOrigin, pageLoaded: at(nav?.responseEnd), scriptLoaded: at(script?.responseEnd), scriptStart: at(T0) } });
}
if (data?.state) applyState(data.state, data.banner);
else showBanner(data?.banner ?? null);
renderStatus();
applyReadOnly();
