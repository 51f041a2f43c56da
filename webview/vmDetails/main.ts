// The VM details page (browser side): the facts the extension sends, and two small charts (CPU %,
// network RX/TX bytes/s) of the last samples, drawn as SVG. No library, no inline script.
import './styles.css';
import { isToWebview, type FromWebview, type VmDetailsFacts, type VmSample } from './protocol';

interface VsCodeApi { postMessage(msg: unknown): void }
declare function acquireVsCodeApi(): VsCodeApi;

const api = acquireVsCodeApi();
const post = (m: FromWebview): void => api.postMessage(m);
const initial = JSON.parse(document.getElementById('vsim-data')?.textContent ?? '{}') as { vm?: string; host?: string };

/** Samples kept: a few minutes at the usual interval. */
const KEEP = 60;
const samples: VmSample[] = [];

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, ...kids: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  for (const k of kids) e.append(k);
  return e;
}

const SVG = 'http://www.w3.org/2000/svg';
function svg(tag: string, attrs: Record<string, string>): SVGElement {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  return e;
}

function bytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  const u = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
  return `${v.toFixed(1)} ${u[i]}`;
}

/** A chart of one or more series over the kept samples; y from 0 to the largest value (or `max`). */
function chart(title: string, now: string, series: { cls: string; values: (number | undefined)[] }[], scale: (v: number) => string, max?: number): HTMLElement {
  const w = 320;
  const h = 100;
  const top = Math.max(max ?? 0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== undefined)), 1e-9);
  const box = svg('svg', { viewBox: `0 0 ${w} ${h}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': title });
  for (const y of [0.25, 0.5, 0.75]) box.append(svg('line', { class: 'grid', x1: '0', x2: String(w), y1: String(h * y), y2: String(h * y) }));
  for (const s of series) {
    const pts = s.values.map((v, i) => (v === undefined ? undefined : `${((i + KEEP - s.values.length) / (KEEP - 1)) * w},${h - (v / top) * (h - 4) - 2}`)).filter(Boolean);
    if (pts.length) box.append(svg('polyline', { class: s.cls, points: pts.join(' ') }));
  }
  return el('div', { class: 'chart', 'data-chart': title }, el('div', { class: 'title' }, el('span', {}, title), el('span', { class: 'now' }, now)), box as unknown as Node,
    el('div', { class: 'scale' }, `top ${scale(top)} · last ${series[0]?.values.length ?? 0} samples`));
}

function render(f: VmDetailsFacts | undefined, error: string | undefined, intervalMs: number | undefined): void {
  const root = el('main');
  root.append(el('h1', {}, `VM ${f?.vm ?? initial.vm ?? ''}`));
  root.append(el('div', { class: 'sub' }, `on ${f?.host ?? initial.host ?? ''} · ${f?.state ?? 'reading…'}${intervalMs ? ` · one sample every ${Math.round(intervalMs / 1000)} s while this page is visible` : ''}`));
  if (error) root.append(el('div', { class: 'error', role: 'alert' }, error));
  const last = samples[samples.length - 1];
  const cpu = samples.map((s) => s.cpuPct);
  const rx = samples.map((s) => s.rxBps);
  const tx = samples.map((s) => s.txBps);
  const charts = el('div', { class: 'charts' },
    chart('CPU', last?.cpuPct !== undefined ? `${last.cpuPct.toFixed(1)} %` : '—', [{ cls: 'cpu', values: cpu }], (v) => `${Math.round(v)} %`, 100),
    chart('Network', last?.rxBps !== undefined ? `RX ${bytes(last.rxBps)}/s · TX ${bytes(last.txBps ?? 0)}/s` : '—', [{ cls: 'rx', values: rx }, { cls: 'tx', values: tx }], (v) => `${bytes(v)}/s`));
  root.append(charts, el('div', { class: 'legend' }, el('span', { class: 'rx' }, 'RX'), el('span', { class: 'tx' }, 'TX')));
  if (f) {
    const facts = el('table', { 'aria-label': 'facts' });
    const row = (k: string, v: string, cls = ''): void => { facts.append(el('tr', {}, el('th', {}, k), el('td', cls ? { class: cls } : {}, v))); };
    if (f.vcpus !== undefined) row('vCPUs', String(f.vcpus));
    if (f.memoryMiB !== undefined) row('memory', `${f.memoryMiB} MiB`);
    if (f.cpuTimeS !== undefined) row('CPU time', `${f.cpuTimeS.toFixed(1)} s`);
    const live = f.liveIps.map((l) => `${l.ip} (${l.source})`).join(', ');
    row('IP (file)', f.declaredIps.join(', ') || '—');
    const differs = f.liveIps.length > 0 && f.declaredIps.length > 0 && !f.liveIps.every((l) => f.declaredIps.includes(l.ip));
    row('IP (live)', live ? `${live}${differs ? ' — differs from the file' : ''}` : 'none seen', differs ? 'differs' : '');
    if (f.agentNote) row('guest agent', f.agentNote);
    root.append(facts);
    root.append(el('h2', {}, 'Interfaces'));
    const nics = el('table', { 'aria-label': 'interfaces' }, el('tr', {}, ...['tap', 'MAC', 'bridge', 'model', 'live IP', 'RX', 'TX', 'drops'].map((h) => el('th', {}, h))));
    for (const i of f.interfaces) {
      nics.append(el('tr', {}, ...[i.tap || '—', i.mac, i.source, i.model, i.liveIps.join(', ') || '—',
        i.rxBytes !== undefined ? bytes(i.rxBytes) : '—', i.txBytes !== undefined ? bytes(i.txBytes) : '—',
        i.rxDrop !== undefined ? `${i.rxDrop}/${i.txDrop ?? 0}` : '—'].map((v) => el('td', {}, v))));
    }
    root.append(nics);
    if (f.disks.length) {
      root.append(el('h2', {}, 'Disks'));
      root.append(el('table', { 'aria-label': 'disks' }, ...f.disks.map((d) => el('tr', {}, el('th', {}, d.target), el('td', {}, d.source || '(empty)')))));
    }
  }
  document.body.replaceChildren(root);
}

let facts: VmDetailsFacts | undefined;
let interval: number | undefined;
window.addEventListener('message', (e: MessageEvent) => {
  const m: unknown = e.data;
  if (!isToWebview(m)) return;
  if (m.type === 'facts') {
    facts = m.facts;
    interval = m.intervalMs;
    samples.push(m.sample);
    if (samples.length > KEEP) samples.shift();
    render(facts, undefined, interval);
  } else {
    render(facts, m.message, interval);
  }
});
render(undefined, undefined, undefined);
post({ type: 'ready' });
