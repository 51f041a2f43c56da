// The graph's toolbar: palette (+ VM, + Network, + Link; drag onto the graph to place), undo/redo,
// lock, layout, host groups, fit, search; the lab's Plan / Up / Down / Destroy.
import { parseNodeId } from '../../src/model/edits/graph';
import type { LabActionId } from '../protocol';
import type { Page } from './pageApi';
import { button, type Button } from './ui/button';
import { field } from './ui/field';
import { select } from './ui/select';
import { el } from './ui/toolkit';
import { post, requestId } from './vscodeApi';
import { showMenu } from './contextMenu';
import { sceneSvg } from './exportSvg';

export interface Toolbar {
  addLink: Button;
  lock: Button;
  cluster: Button;
  /** Makes the collapse button say what it will do now (after the view collapsed or expanded hosts itself). */
  syncCluster(): void;
  /** The buttons that edit the file: disabled while read-only. */
  editing: Button[];
  search: { focus(): void };
}

const PALETTE_TYPE = 'application/x-vsim-palette';

export function createToolbar(page: Page, toolbar: HTMLElement): Toolbar {
  const selected = () => page.view.selection();
  const addVm = button({ label: '+ VM', title: 'Add a VM (on the selected network or host). Drag onto the graph to place it.', id: 'add-vm', onClick: () => {
    const s = page.selectedEntity();
    page.send({ kind: 'addVm', ...(s?.kind === 'network' ? { network: s.name } : s?.kind === 'host' ? { host: s.name } : s ? { host: page.model?.nodes.find((n) => n.id === selected().nodes[0])?.host } : {}) });
  } });
  const addNet = button({ label: '+ Net', title: 'Add a network (on the selected host). Drag onto the graph to place it.', id: 'add-network', onClick: () => {
    const id = selected().nodes[0];
    const host = id ? page.model?.nodes.find((n) => n.id === id)?.host : undefined;
    page.send({ kind: 'addNetwork', ...(host ? { host } : {}) });
  } });
  const addLink = button({ label: '+ Link', title: 'Link two VMs: select two VMs and click, or click and drag from one VM to another (or to a network to add a NIC)', id: 'add-link', onClick: () => {
    const vms = selected().nodes.map(parseNodeId).filter((p) => p?.kind === 'vm');
    if (vms.length === 2) page.send({ kind: 'addLink', a: vms[0]!.name, b: vms[1]!.name });
    else page.setLinkMode(!page.linkMode);
  } });
  for (const [b, kind] of [[addVm, 'vm'], [addNet, 'network']] as const) {
    b.element.setAttribute('draggable', 'true');
    b.element.addEventListener('dragstart', (e) => e.dataTransfer?.setData(PALETTE_TYPE, kind));
  }
  acceptPaletteDrops(page);

  const lock = button({ label: page.locked ? 'Locked' : 'Lock', title: 'Lock the graph (read-only) or unlock it for editing', id: 'lock', onClick: () => page.setLocked(!page.locked) });
  const undo = button({ label: '↶', title: 'Undo (VS Code undo on the file)', id: 'undo', appearance: 'icon', onClick: () => post({ type: 'undo', requestId: requestId() }) });
  const redo = button({ label: '↷', title: 'Redo', id: 'redo', appearance: 'icon', onClick: () => post({ type: 'redo', requestId: requestId() }) });
  const layoutSel = select({ label: 'Layout', hideLabel: true, id: 'layout', value: page.layout, options: [
    { value: 'host', label: 'By host' }, { value: 'network', label: 'By network' }, { value: 'force', label: 'Force' },
  ], onChange: (v) => page.setLayout(v as Page['layout']) });
  const cluster = button({ label: 'Collapse hosts', title: 'Collapse each host into one summary node (double-click a host to expand it), or expand them all', id: 'cluster', onClick: () => {
    page.view.clusterHosts(!page.view.isClustered());
    syncCluster();
  } });
  const syncCluster = () => {
    cluster.setLabel(page.view.isClustered() ? 'Expand hosts' : 'Collapse hosts');
    cluster.setPressed(page.view.isClustered());
  };
  const legend = button({ label: 'Legend', title: 'Show or hide the legend', id: 'legend-toggle', onClick: () => {
    page.legend.setShown(!page.legend.shown());
    legend.setPressed(page.legend.shown());
  } });
  legend.setPressed(page.legend.shown());
  const exportBtn = button({ label: 'Export…', title: 'Export the current view as SVG or PNG', id: 'export', onClick: () => {
    const r = exportBtn.element.getBoundingClientRect();
    showMenu(document.body, r.left, r.bottom + 2, [
      { label: 'SVG (vector)', run: () => post({ type: 'export', format: 'svg', data: sceneSvg(page.view.exportScene()) }) },
      { label: 'PNG (as shown)', run: () => post({ type: 'export', format: 'png', data: page.view.exportPng() }) },
    ]);
  } });
  const fit = button({ label: 'Fit', title: 'Fit the whole graph in view', id: 'fit', onClick: () => page.view.fit() });
  const search = field({ label: '', value: '', placeholder: 'Find node…', id: 'search', onCommit: (q) => find(page, q), onInput: (q) => highlight(page, q) });
  search.element.setAttribute('aria-label', 'Find a node by name');
  toolbar.append(addVm.element, addNet.element, addLink.element, el('vscode-divider', { role: 'separator' }), undo.element, redo.element, lock.element,
    layoutSel, cluster.element, fit.element, legend.element, exportBtn.element, search.element, el('vscode-divider', { role: 'separator' }), ...labButtons());
  return { addLink, lock, cluster, syncCluster, editing: [addVm, addNet, addLink, undo, redo], search };
}

/** A palette button dropped on the graph adds its VM or network there (on the network or host it lands on). */
function acceptPaletteDrops(page: Page): void {
  const graphEl = page.graphEl;
  graphEl.addEventListener('dragover', (e) => {
    if (e.dataTransfer?.types.includes(PALETTE_TYPE)) e.preventDefault();
  });
  graphEl.addEventListener('drop', (e) => {
    const kind = e.dataTransfer?.getData(PALETTE_TYPE);
    if (!kind) return;
    e.preventDefault();
    const p = page.view.canvasPoint(e.clientX, e.clientY, graphEl);
    const hit = page.view.network.getNodeAt({ x: e.clientX - graphEl.getBoundingClientRect().left, y: e.clientY - graphEl.getBoundingClientRect().top });
    const target = hit !== undefined ? parseNodeId(String(hit)) : undefined;
    const position = { x: Math.round(p.x), y: Math.round(p.y) };
    if (kind === 'vm') page.send({ kind: 'addVm', position, ...(target?.kind === 'network' ? { network: target.name } : target?.kind === 'host' ? { host: target.name } : {}) });
    else page.send({ kind: 'addNetwork', position, ...(target?.kind === 'host' ? { host: target.name } : {}) });
  });
}

function highlight(page: Page, q: string): void {
  const ids = page.matches(q);
  page.setStatus(q.trim() ? `${ids.length} match${ids.length === 1 ? '' : 'es'} — Enter to focus` : undefined);
}

function find(page: Page, q: string): void {
  const ids = page.matches(q);
  if (ids[0]) {
    page.view.focusNode(ids[0]);
    page.graphEl.focus();
  }
}

/** The lab's bring-up from the graph: the extension confirms (one modal listing everything) and runs the command. */
function labButtons(): HTMLElement[] {
  const labAction = (action: LabActionId) => post({ type: 'labAction', requestId: requestId(), action });
  return [
    button({ label: 'Plan', title: 'Lab: Plan (compare the file with its hosts)', id: 'lab-plan', onClick: () => labAction('plan') }),
    button({ label: 'Up', title: 'Lab: Up (apply the plan, then start every VM)', id: 'lab-up', onClick: () => labAction('up') }),
    button({ label: 'Down', title: 'Lab: Down (shut every VM down)', id: 'lab-down', onClick: () => labAction('down') }),
    button({ label: 'Destroy', title: 'Lab: Destroy (remove the VMs and networks the file declares)', id: 'lab-destroy', onClick: () => labAction('destroy') }),
  ].map((b) => b.element);
}
