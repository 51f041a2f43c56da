// The topology graph webview's entry: the page (page.ts: toolbar, graph, side form, banner, status
// line), the extension's messages, theme changes, and `ready` with the page's load timing.
import type { InitialData, ToWebview } from '../protocol';
import { TopologyPage } from './page';
import { sceneSvg } from './exportSvg';
import type { GraphView } from './graphView';
import { registerToolkit } from './ui/toolkit';
import { onMessage, post } from './vscodeApi';
import './styles.css';

const T0 = performance.now();
registerToolkit();
const data = JSON.parse(document.getElementById('vsim-data')?.textContent ?? 'null') as InitialData | null;
const page = new TopologyPage(T0);
onMessage((msg: ToWebview) => page.onMessage(msg));
followTheme(page);
// What the UI checks read of the drawn graph (labels' boxes and text size): the page is the webview's own.
Object.assign(window, { vsimGraph: { labels: () => page.view.labelBoxes(), state: (vm: string) => page.view.liveStateOf(vm), svg: () => sceneSvg(page.view.exportScene()), expandAll: () => page.view.clusterHosts(false) } });
postReady();
page.start(data);

/**
 * VS Code switches themes through the body's classes (vscode-light/-dark/-high-contrast), its theme id and
 * the CSS variables on <html>. Our own classes (stale, locked) change on every state, and any classList
 * call queues a mutation even when nothing changed: only a theme change restyles (that touches every node).
 */
function followTheme(page: TopologyPage): void {
  const view: GraphView = page.view;
  const retheme = () => {
    view.retheme();
    page.legend.retheme();
  };
  const themeClasses = (cls: string | null) => (cls ?? '').split(/\s+/).filter((c) => c.startsWith('vscode-')).sort().join(' ');
  new MutationObserver((records) => {
    const theme = records.some((r) => r.target !== document.body || r.attributeName !== 'class' || themeClasses(r.oldValue) !== themeClasses(document.body.className));
    if (theme) retheme();
  }).observe(document.body, { attributes: true, attributeOldValue: true, attributeFilter: ['class', 'data-vscode-theme-id'] });
  new MutationObserver(retheme).observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
}

/** 'ready' before the initial draw: the extension's messages are handled after this task, i.e. after it. */
function postReady(): void {
  const at = (ms: number | undefined) => performance.timeOrigin + (ms || T0);
  const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
  const script = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find((e) => /\/topology\.js(\?|$)/.test(e.name));
  post({ type: 'ready', timing: { pageStart: performance.timeOrigin, pageLoaded: at(nav?.responseEnd), scriptLoaded: at(script?.responseEnd), scriptStart: at(T0) } });
}
