// Dev benchmark: the built topology webview (dist/webview/topology.js) in headless Chromium without
// VS Code, fed an N-VM graph; prints first-draw and incremental-update times. Not part of the suites.
//   node webview/bench/graph-bench.mjs [N…]     (needs `npm run build` and /usr/bin/chromium)
//   GRAPH_BUNDLE=dir: the bundle to load (default dist/webview), e.g. an older build for a side-by-side run
//   (`npm run bench` does that: bench/graph-webview.bench.mjs). PROFILE=1 / PROFILE=expanded: self time per function.
//   With hosts collapsed at the first view (big labs), the move is measured again with every host expanded.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BUNDLE = path.resolve(REPO, process.env.GRAPH_BUNDLE ?? 'dist/webview');
const sizes = process.argv.slice(2).map(Number).filter(Boolean);
const { execFileSync } = await import('node:child_process');
const out = path.join(REPO, 'test-results', 'graph-bench');
fs.mkdirSync(out, { recursive: true });
// The browser's profile directory (made in os.tmpdir()) goes under test-results/, not the host's /tmp.
process.env.TMPDIR = path.join(out, 'tmp');
fs.mkdirSync(process.env.TMPDIR, { recursive: true });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
for (const n of sizes.length ? sizes : [10, 100, 500, 1000]) {
  // The graph model as the extension would send it (built with the real code through tsx).
  const state = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '-e', `
    const { genTopology } = require('./test/unit/model/edits/genTopology');
    const { analyze } = require('./src/model/analyze');
    const { buildGraph } = require('./src/model/edits/graph');
    const a = analyze(genTopology(${n}));
    process.stdout.write(JSON.stringify({ version: 1, graph: buildGraph(a.topology), readOnly: false }));
  `], { cwd: REPO, maxBuffer: 64 << 20 }).toString());
  const html = `<!DOCTYPE html><html><head><link rel="stylesheet" href="${path.join(BUNDLE, 'topology.css')}"></head>
<body class="vscode-dark" style="--vscode-editor-background:#1e1e1e;--vscode-editor-foreground:#ccc">
<script>window.__posted=[];window.acquireVsCodeApi=()=>({postMessage:(m)=>window.__posted.push([performance.now(),m]),getState:()=>undefined,setState:()=>{}});</script>
<script type="application/json" id="vsim-data">${JSON.stringify({ state, banner: null }).replace(/</g, '\\u003c')}</script>
<script src="${path.join(BUNDLE, 'topology.js')}"></script></body></html>`;
  const file = path.join(out, `bench-${n}.html`);
  fs.writeFileSync(file, html);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const t0 = Date.now();
  await page.goto(`file://${file}`);
  await page.waitForFunction(() => window.__posted.some(([, m]) => m.type === 'rendered'), null, { timeout: 60_000 });
  const first = await page.evaluate(() => window.__posted.find(([, m]) => m.type === 'rendered')[1].ms);
  // An incremental update: one VM moved (what a drag or undo sends back).
  const moved = structuredClone(state);
  moved.version = 2;
  moved.graph.nodes.find((x) => x.kind === 'vm').x = 5;
  moved.graph.nodes.find((x) => x.kind === 'vm').y = 5;
  // PROFILE=1: the self time per function of the two updates below; PROFILE=expanded: of the patch after expanding every host.
  const cdp = process.env.PROFILE ? await page.context().newCDPSession(page) : null;
  const profileStart = async () => { await cdp.send('Profiler.enable'); await cdp.send('Profiler.start'); };
  const profileStop = async () => {
    const { profile } = await cdp.send('Profiler.stop');
    const self = new Map();
    const dt = profile.timeDeltas;
    const byId = new Map(profile.nodes.map((x) => [x.id, x]));
    profile.samples.forEach((id, i) => { const f = byId.get(id).callFrame; const k = `${f.functionName || '(anon)'} ${f.url.split('/').pop()}:${f.lineNumber}:${f.columnNumber}`; self.set(k, (self.get(k) ?? 0) + (dt[i] ?? 0) / 1000); });
    console.log([...self].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, v]) => `  ${v.toFixed(0)} ms ${k}`).join('\n'));
  };
  if (cdp && process.env.PROFILE !== 'expanded') await profileStart();
  const send = (msg) => page.evaluate((m) => new Promise((resolve) => {
    const t = performance.now();
    const before = window.__posted.length;
    window.postMessage(m, '*');
    const poll = () => (window.__posted.slice(before).some(([, x]) => x.type === 'rendered') ? resolve(performance.now() - t) : setTimeout(poll, 1));
    poll();
  }), msg);
  // The whole state (what the editor sent before patches), then the same kind of change as a patch
  // (what it sends now: the one node, on top of the version the webview holds).
  const upd = await send({ type: 'state', state: moved, banner: null });
  const node = structuredClone(moved.graph.nodes.filter((x) => x.kind === 'vm')[1]);
  node.x = 7;
  node.y = 7;
  const patched = await send({ type: 'patch', base: 2, patch: { nodes: [node], removedNodes: [], edges: [], removedEdges: [], meta: {} }, state: { version: 3, readOnly: false }, banner: null });
  if (cdp && process.env.PROFILE !== 'expanded') await profileStop();
  let expanded = '';
  const figures = { n, nodes: state.graph.nodes.length, firstDrawMs: first, wholeStateMs: upd, patchMs: patched };
  if (await page.evaluate(() => !!window.vsimGraph?.expandAll && document.body.dataset.drawn !== document.body.dataset.nodes)) {
    const tx = await page.evaluate(() => { const t = performance.now(); window.vsimGraph.expandAll(); return performance.now() - t; });
    const n2 = structuredClone(node);
    n2.x = 9;
    n2.y = 9;
    if (cdp && process.env.PROFILE === 'expanded') await profileStart();
    // Seven patches one after the other (the node moved each time), a pause between: the median.
    const times = [];
    for (let k = 0; k < 7; k++) {
      n2.x = 9 + k;
      times.push(await send({ type: 'patch', base: 3 + k, patch: { nodes: [structuredClone(n2)], removedNodes: [], edges: [], removedEdges: [], meta: {} }, state: { version: 4 + k, readOnly: false }, banner: null }));
      await page.waitForTimeout(100);
    }
    const again = times.sort((a, b) => a - b)[3];
    if (cdp && process.env.PROFILE === 'expanded') await profileStop();
    expanded = `; expanding every host ${tx.toFixed(0)} ms, then one-node patch ${again.toFixed(0)} ms (median of 7)`;
    figures.expandMs = tx;
    figures.expandedPatchMs = again;
  }
  await page.screenshot({ path: path.join(out, `bench-${n}.png`) });
  // GRAPH_BENCH_JSON=1: one JSON line per size as well (bench/graph-webview.bench.mjs reads them).
  if (process.env.GRAPH_BENCH_JSON) console.log(`GRAPH_BENCH ${JSON.stringify({ ...figures, errors })}`);
  console.log(`${n} VMs (${state.graph.nodes.length} nodes): first draw ${first.toFixed(0)} ms after script start (page load ${Date.now() - t0} ms); one-node update ${upd.toFixed(0)} ms as a whole state, ${patched.toFixed(0)} ms as a patch${expanded}${errors.length ? `; errors: ${errors.join(' | ')}` : ''}`);
  await page.close();
}
await browser.close();
