// UI checks run by run-integration.mjs with Playwright in the same workbench, after the extension-host suite.
// Each check counts as one test in the totals. Add a check: push { name, run(page, ctx), timeoutMs? } below
// (or in your own module, imported and spread into `uiChecks`). A check fails by throwing.
//
// ctx: { repo, runDir, workspace (abs path), server ({url, port, urlFor, remoteUri}), resultsDir,
//        log(...a), screenshot(name, target = page) → abs path of <resultsDir>/<name>.png,
//        timings (object written into integration.json: add figures you measure) }
//
// The lab bring-up's checks live in ui-checks-lab.mjs, the Labs tree's context menus in ui-checks-tree.mjs.
//
// Useful selectors (measured, see test/harness/README.md):
//   page.getByRole('tab', { name: /^Vsim/ })              the activity-bar entry of the vsim view container
//   page.getByRole('treeitem', { name })                    tree items in views
//   runCommand(page, 'vsim: Validate Topology File')        F1 + type + Enter
//   page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame')   a webview's DOM
import { labUiChecks } from './ui-checks-lab.mjs';
import { treeUiChecks } from './ui-checks-tree.mjs';
import { consoleUiChecks } from './ui-checks-console.mjs';
import { servicesUiChecks } from './ui-checks-services.mjs';
import { netsUiChecks } from './ui-checks-nets.mjs';
import { pickTheme } from './ui-theme.mjs';

/** Wait for the workbench shell to be usable. */
export async function workbenchReady(page, timeout = 60_000) {
  await page.locator('.monaco-workbench .part.activitybar').waitFor({ state: 'visible', timeout });
  await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout });
}

/** Run a command from the command palette (F1, type its title, pick the exact entry). */
export async function runCommand(page, title, { timeout = 15_000 } = {}) {
  const input = page.locator('.quick-input-widget input');
  await page.locator('.monaco-workbench').click({ position: { x: 800, y: 5 } }).catch(() => {}); // focus the workbench
  await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible', timeout });
  await input.fill(`>${title}`);
  const item = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await item.waitFor({ state: 'visible', timeout });
  await item.click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout });
}

/** Open a workspace file in an editor through Quick Open (Ctrl+P) and wait for its tab. */
export async function openFile(page, relPath, { timeout = 30_000 } = {}) {
  // Quick Open lists a file written a moment ago only once the workspace's file search has seen it:
  // ask again (Escape, Ctrl+P) every few seconds until it is listed, up to `timeout`.
  const input = page.locator('.quick-input-widget input');
  const base = relPath.split('/').at(-1);
  const item = page.locator('.quick-input-list .monaco-list-row', { hasText: base }).first();
  const deadline = Date.now() + timeout;
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('Control+P');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(relPath);
    const ok = await item.waitFor({ state: 'visible', timeout: Math.min(5_000, Math.max(1_000, deadline - Date.now())) }).then(() => true, () => false);
    if (ok) break;
    await page.keyboard.press('Escape');
    if (Date.now() > deadline) throw new Error(`Quick Open did not list ${relPath} within ${timeout} ms (${attempt} attempts)`);
  }
  await item.click();
  await page.locator('.tabs-container .tab', { hasText: base }).first().waitFor({ state: 'visible', timeout: 15_000 });
}

/** Shows the vsim view container from the activity bar. */
export async function showVsimView(page, { timeout = 15_000 } = {}) {
  const tab = page.getByRole('tab', { name: /^Vsim/ });
  await tab.waitFor({ state: 'visible', timeout });
  // Clicking an active container's tab hides the sidebar: click only when not already selected.
  if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
}

/** Texts of the notification toasts currently shown. */
export async function notifications(page) {
  return page.locator('.notification-toast .notification-list-item-message').allInnerTexts();
}

const ERROR_TEXT = /command '.*' not found|resulted in an error|running the command .* failed|activating extension .* failed/i;

/** Text of the modal dialog, if one is shown. */
export async function dialogText(page) {
  const box = page.locator('.monaco-dialog-box');
  return (await box.count()) ? (await box.first().innerText()).replace(/\s+/g, ' ').trim() : null;
}

/**
 * Poll until a new notification toast matches `re` (returns its text). Throws at once on an error dialog or an
 * error toast (command not found, command threw, activation failed), and after `timeout`.
 */
export async function waitForMessage(page, re, { ignore = new Set(), timeout = 15_000 } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    const dlg = await dialogText(page);
    if (dlg) {
      await page.keyboard.press('Escape').catch(() => {});
      throw new Error(`error dialog: ${dlg}`);
    }
    const msgs = (await notifications(page)).filter((m) => !ignore.has(m));
    const bad = msgs.find((m) => ERROR_TEXT.test(m));
    if (bad) throw new Error(`error notification: ${bad}`);
    const hit = msgs.find((m) => re.test(m));
    if (hit) return hit;
    if (Date.now() > end) throw new Error(`no notification matching ${re} within ${timeout} ms; shown: ${JSON.stringify(msgs)}`);
    await page.waitForTimeout(100);
  }
}

/** The topology graph webview's document (the first webview editor). */
const graphFrame = (page) => page.frameLocator('iframe.webview.ready').first().frameLocator('iframe#active-frame');

/** The graph's drawn labels (page coordinates inside the webview), once two reads a moment apart agree (the first fit has settled). */
async function settledLabels(page) {
  const read = () => graphFrame(page).locator('body').evaluate(() => JSON.stringify({ labels: window.vsimGraph.labels(), canvas: document.getElementById('graph').getBoundingClientRect().toJSON() }));
  let last = await read();
  for (let i = 0; i < 20; i++) {
    await page.waitForTimeout(300);
    const now = await read();
    if (now === last) return JSON.parse(now);
    last = now;
  }
  return JSON.parse(last);
}

/**
 * Asserts that the drawn labels are a readable first view: each inside the canvas, drawn at `minPx` or
 * more, no two overlapping, and together spanning most of the canvas's width or height (the lab fills
 * the canvas, not a corner of it). Returns the smallest text size and the span, for the log.
 */
function assertReadableLabels(what, labels, canvas, minPx) {
  if (!labels.length) throw new Error(`${what}: no labels drawn`);
  const outside = labels.filter((l) => l.left < canvas.left || l.right > canvas.right || l.top < canvas.top || l.bottom > canvas.bottom);
  if (outside.length) throw new Error(`${what}: labels outside the canvas ${JSON.stringify(canvas)}: ${JSON.stringify(outside)}`);
  const small = labels.filter((l) => l.textPx < minPx);
  if (small.length) throw new Error(`${what}: labels drawn smaller than ${minPx.toFixed(1)} px: ${small.map((l) => `${l.id} ${l.textPx.toFixed(1)} px`).join(', ')}`);
  const overlaps = [];
  for (let i = 0; i < labels.length; i++) {
    for (let j = i + 1; j < labels.length; j++) {
      const a = labels[i];
      const b = labels[j];
      if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) overlaps.push(`${a.id} × ${b.id}`);
    }
  }
  if (overlaps.length) throw new Error(`${what}: labels overlap: ${overlaps.join(', ')}`);
  const spanW = (Math.max(...labels.map((l) => l.right)) - Math.min(...labels.map((l) => l.left))) / canvas.width;
  const spanH = (Math.max(...labels.map((l) => l.bottom)) - Math.min(...labels.map((l) => l.top))) / canvas.height;
  if (Math.max(spanW, spanH) < 0.7) throw new Error(`${what}: the labels span ${(spanW * 100).toFixed(0)} % of the canvas's width and ${(spanH * 100).toFixed(0)} % of its height: the graph does not fill the canvas`);
  return { minPx: Math.min(...labels.map((l) => l.textPx)), maxPx: Math.max(...labels.map((l) => l.textPx)), spanW, spanH };
}

/** The editor font size the graph's webview reads (labels are drawn at least this big for small labs). */
async function editorFontPx(page) {
  return graphFrame(page).locator('body').evaluate(() => parseFloat(getComputedStyle(document.body).getPropertyValue('--vscode-editor-font-size')) || 14);
}

/** Right-clicks a drawn node of the graph and returns the context menu's item texts. */
async function nodeMenu(page, id) {
  const { labels, canvas } = await settledLabels(page);
  const n = labels.find((l) => l.id === id);
  if (!n) throw new Error(`${id} is not drawn`);
  await graphFrame(page).locator('#graph').click({ button: 'right', position: { x: n.x - canvas.x, y: n.y - canvas.y } });
  const menu = graphFrame(page).locator('.context-menu');
  await menu.waitFor({ state: 'visible', timeout: 5_000 });
  return (await menu.locator('button').allInnerTexts()).map((t) => t.trim());
}

/** Polls the graph until the VM shows `state` (from the extension's live states). */
async function waitVmState(page, vm, state, timeout = 60_000) {
  const end = Date.now() + timeout;
  for (;;) {
    const st = await graphFrame(page).locator('body').evaluate((b, v) => window.vsimGraph.state(v), vm);
    if (st === state) return;
    if (Date.now() > end) throw new Error(`${vm} shows ${st} in the graph, not ${state}, after ${timeout} ms`);
    await page.waitForTimeout(250);
  }
}

/** First `*.vsim.yaml` in the workspace (relative path), or undefined. */
async function firstTopology(ctx) {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const walk = (d) =>
    fs.readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.name.startsWith('.') ? [] : e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)],
    );
  const f = walk(ctx.workspace).filter((p) => /\.vsim\.ya?ml$/.test(p)).sort()[0];
  return f && path.relative(ctx.workspace, f).split(path.sep).join('/');
}

export const uiChecks = [
  {
    name: 'workbench renders',
    async run(page, ctx) {
      await workbenchReady(page);
      await ctx.screenshot('workbench');
    },
  },
  {
    name: 'vsim sidebar opens from the activity bar',
    async run(page, ctx) {
      await showVsimView(page);
      const sidebar = page.locator('.part.sidebar');
      await sidebar.waitFor({ state: 'visible', timeout: 15_000 });
      // With one view the container title reads "VSIM: LABS"; with several, each view has a pane header.
      await sidebar
        .locator('.composite.title .title-label, .pane-header .title', { hasText: /labs/i })
        .first()
        .waitFor({ state: 'visible', timeout: 15_000 });
      await ctx.screenshot('sidebar');
    },
  },
  {
    name: 'command palette runs "vsim: Validate Topology File"',
    async run(page, ctx) {
      const topo = await firstTopology(ctx);
      if (topo) await openFile(page, topo);
      else ctx.log('no *.vsim.yaml in the workspace: running the command without an open topology');
      const before = new Set(await notifications(page));
      await runCommand(page, 'vsim: Validate Topology File');
      // It answers with a summary toast: "vsim: N topology files checked: E errors, W warnings."
      // A missing command or a throw shows up as an error dialog or toast instead: fail fast on those.
      const summary = await waitForMessage(page, /topology files? checked/i, { ignore: before, timeout: 20_000 });
      ctx.log(`validate said: ${summary}`);
      await ctx.screenshot('validate');
    },
  },
  {
    name: 'Running Extensions lists vsim with its activation time',
    async run(page, ctx) {
      await runCommand(page, 'Developer: Show Running Extensions');
      const row = page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: /vsim/i }).first();
      await row.waitFor({ state: 'visible', timeout: 15_000 });
      // The row reads "Activating..." until activation ends, then "Activation: N ms" (or an error).
      let text = '';
      const end = Date.now() + 15_000;
      let m = null;
      while (!m) {
        text = (await row.innerText()).replace(/\s+/g, ' ').trim();
        m = /Activation: ([\d.]+)\s*ms/i.exec(text);
        if (/activation failed|error/i.test(text)) throw new Error(`vsim is listed with an error: ${text}`);
        if (!m && Date.now() > end) {
          await ctx.screenshot('running-extensions');
          throw new Error(`vsim never reported an activation time: ${text}`);
        }
        if (!m) await page.waitForTimeout(100);
      }
      ctx.log(`running extensions: ${text}`);
      ctx.timings.vsimActivationMs = Number(m[1]);
      await ctx.screenshot('running-extensions');
    },
  },
  // ---- topology graph editor (src/editor, webview/topology) ----
  {
    name: 'topology graph: opens beside the text, draws every node, + VM edits the file, undo restores; dark and light screenshots',
    timeoutMs: 150_000,
    async run(page, ctx) {
      const graph = () => page.frameLocator('iframe.webview.ready').first().frameLocator('iframe#active-frame');
      await page.keyboard.press('Escape').catch(() => {});
      await runCommand(page, 'View: Close All Editors').catch(() => {});
      // Keyboard focus may sit in a webview iframe, which swallows Ctrl+P: focus the workbench first.
      await page.locator('.monaco-workbench').click({ position: { x: 800, y: 5 } }).catch(() => {});
      // sandbox.vsim.yaml: the suite never opened it with the graph, so Quick Open brings up the text editor.
      // Expected counts and the name + VM will pick come from the same model code, run on the workspace copy.
      const { execFileSync } = await import('node:child_process');
      const fileText = (await import('node:fs')).readFileSync(`${ctx.workspace}/sandbox.vsim.yaml`, 'utf8');
      const expect = JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', '-e', `
        const { analyze } = require('./src/model/analyze'); const { buildGraph } = require('./src/model/edits/graph');
        const { applyIntent } = require('./src/model/edits/intents');
        const text = require('node:fs').readFileSync(0, 'utf8'); const g = buildGraph(analyze(text).topology);
        process.stdout.write(JSON.stringify({ nodes: g.nodes.length, counts: g.counts, added: applyIntent(text, { kind: 'addVm' }).created.name }));
      `], { cwd: ctx.repo, input: fileText }).toString());
      const N = expect.nodes;
      await openFile(page, 'sandbox.vsim.yaml');
      const t0 = Date.now();
      await runCommand(page, 'vsim: Open Topology Graph');
      const status = graph().locator(`#status[data-nodes="${N}"]`);
      await status.waitFor({ state: 'visible', timeout: 30_000 });
      await graph().locator('#graph canvas').first().waitFor({ state: 'attached', timeout: 10_000 });
      ctx.log(`sandbox: graph drawn ${Date.now() - t0} ms after the command — ${(await status.innerText()).trim()}`);
      const c = expect.counts;
      const want = `${N} nodes · ${c.vms} VMs · ${c.networks} networks · ${c.hosts} hosts · ${c.links} links`;
      if (!(await status.innerText()).trim().startsWith(want)) throw new Error(`status ${JSON.stringify(await status.innerText())}, expected ${want}`);
      // Beside the text editor: two editor groups, one with the text, one with the graph.
      if ((await page.locator('.editor-group-container').count()) < 2) throw new Error('the graph did not open beside the text editor');
      await ctx.screenshot('topology-graph-opened');
      // + VM with the network selected in the side form would need a canvas click; without a selection it adds a VM on the first host.
      await graph().locator('#add-vm').click();
      await graph().locator(`#status[data-nodes="${N + 1}"]`).waitFor({ state: 'visible', timeout: 15_000 });
      if (!(await page.locator('.tabs-container .tab.dirty', { hasText: 'sandbox.vsim.yaml' }).count())) throw new Error('the file is not dirty after + VM');
      ctx.log(`+ VM added ${expect.added}`);
      await ctx.screenshot('topology-graph-added-vm');
      await graph().locator('#undo').click();
      await graph().locator(`#status[data-nodes="${N}"]`).waitFor({ state: 'visible', timeout: 15_000 });
      // Light theme: the canvas colours come from the theme's CSS variables.
      await pickTheme(page, 'Light Modern');
      await page.locator('.monaco-workbench.vs').waitFor({ state: 'attached', timeout: 15_000 });
      await graph().locator('body.vscode-light').waitFor({ state: 'attached', timeout: 15_000 });
      await graph().locator(`#status[data-nodes="${N}"]`).waitFor({ state: 'visible' });
      // The theme's colours arrive a moment after its class: wait until the webview background is light.
      const lightBg = async () => graph().locator('body').evaluate((b) => {
        const m = /(\d+),\s*(\d+),\s*(\d+)/.exec(getComputedStyle(b).backgroundColor);
        return !!m && Number(m[1]) + Number(m[2]) + Number(m[3]) > 600;
      });
      for (const end = Date.now() + 15_000; !(await lightBg()); ) {
        if (Date.now() > end) throw new Error('the graph background never turned light');
        await page.waitForTimeout(100);
      }
      // Known: in this headless Chromium the screenshot still shows dark backgrounds (light token colours)
      // although the DOM reports the light theme's colours; reloading does not change that.
      await ctx.screenshot('topology-graph-light');
      await pickTheme(page, 'Dark Modern');
      await graph().locator('body.vscode-dark').waitFor({ state: 'attached', timeout: 15_000 });
      await ctx.screenshot('topology-graph-dark');
      await runCommand(page, 'View: Close All Editors').catch(() => {});
    },
  },
  {
    name: 'topology graph: first view of the sandbox lab fills the canvas with every label inside, at the editor font, none overlapping; the form shows the file (accel: tcg); the node menu starts, suspends, resumes and destroys a VM; double-click opens its console with the focus kept on the graph',
    timeoutMs: 240_000,
    async run(page, ctx) {
      await page.keyboard.press('Escape').catch(() => {});
      await runCommand(page, 'View: Close All Editors').catch(() => {});
      await page.locator('.monaco-workbench').click({ position: { x: 800, y: 5 } }).catch(() => {});
      await openFile(page, 'sandbox.vsim.yaml');
      await runCommand(page, 'vsim: Open Topology Graph');
      const graph = graphFrame(page);
      await graph.locator('#status[data-nodes]').waitFor({ state: 'visible', timeout: 30_000 });
      await graph.locator('body[data-rendered-version]').waitFor({ state: 'attached', timeout: 30_000 });
      const { labels, canvas } = await settledLabels(page);
      const vms = labels.filter((l) => l.id.startsWith('vm:'));
      const want = Number(await graph.locator('#status').getAttribute('data-vms'));
      if (vms.length !== want) throw new Error(`${vms.length} VM labels drawn, the lab has ${want} VMs`);
      // Every label (VMs, networks, slots, hosts): inside, at the editor's font size (and ≥ 10 px), apart, filling the canvas.
      const font = await editorFontPx(page);
      const seen = assertReadableLabels('sandbox first view', labels, canvas, Math.max(10, font - 0.5));
      ctx.timings.graphSandboxMinLabelPx = seen.minPx;
      ctx.log(`sandbox first view: ${labels.length} labels (${vms.length} VMs) inside the ${Math.round(canvas.width)}×${Math.round(canvas.height)} canvas, none overlapping, text ${seen.minPx.toFixed(1)}–${seen.maxPx.toFixed(1)} px (editor font ${font} px), spanning ${(seen.spanW * 100).toFixed(0)} % × ${(seen.spanH * 100).toFixed(0)} % of it`);
      if (await graph.locator('aside.form:not([hidden])').count()) throw new Error('the side form is shown with nothing selected');
      await ctx.screenshot('topology-graph-sandbox-dark');
      // Select chassis (file: accel: tcg): the form appears and shows the file's value.
      const chassis = vms.find((l) => l.id === 'vm:chassis');
      await graph.locator('#graph').click({ position: { x: chassis.x - canvas.x, y: chassis.y - canvas.y } });
      await graph.locator('aside.form:not([hidden]) #form-accel').waitFor({ state: 'visible', timeout: 5_000 });
      const accel = await graph.locator('#form-accel').inputValue();
      if (accel !== 'tcg') throw new Error(`the side form shows accel ${JSON.stringify(accel)} for chassis, whose file says tcg`);
      await graph.locator('#form-close').click();
      await graph.locator('aside.form[hidden]').waitFor({ state: 'attached', timeout: 5_000 });
      // storage (not autostarted): its menu follows its state; Start, then Destroy (confirmed in the modal).
      const vm = 'storage';
      for (const end = Date.now() + 30_000; ; await page.waitForTimeout(250)) {
        const st = await graph.locator('body').evaluate((b, v) => window.vsimGraph.state(v), vm);
        if (st !== 'unknown') break;
        if (Date.now() > end) throw new Error(`${vm}'s state never reached the graph`);
      }
      const pick = async (label) => graph.locator('.context-menu button', { hasText: label }).first().click();
      let items = await nodeMenu(page, `vm:${vm}`);
      if (items.includes('Shut down')) {
        // Left running by an earlier check: destroy first.
        await pick('Destroy');
        await page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Destroy' }).first().click({ timeout: 10_000 });
        await waitVmState(page, vm, 'stopped');
        items = await nodeMenu(page, `vm:${vm}`);
      }
      if (!items.includes('Start') || items.includes('Shut down') || items.includes('Open console')) throw new Error(`menu of a stopped VM: ${items.join(', ')}`);
      await pick('Start');
      await waitVmState(page, vm, 'running');
      items = await nodeMenu(page, `vm:${vm}`);
      if (items.includes('Start') || !items.includes('Shut down') || !items.includes('Open console')) throw new Error(`menu of a running VM: ${items.join(', ')}`);
      ctx.log(`running ${vm}'s menu: ${items.join(' | ')}`);
      // Suspend and Resume from the menu: libvirt pauses the domain, and its state comes back to the graph.
      await pick('Suspend');
      await waitVmState(page, vm, 'paused');
      items = await nodeMenu(page, `vm:${vm}`);
      if (!items.includes('Resume') || items.includes('Suspend')) throw new Error(`menu of a paused VM: ${items.join(', ')}`);
      await pick('Resume');
      await waitVmState(page, vm, 'running');
      ctx.log(`${vm}: suspended (paused) and resumed (running) from the graph's node menu`);
      // Double-click: the VM's console terminal opens, and the keyboard stays on the graph.
      await page.keyboard.press('Escape').catch(() => {});
      const term = `console: ${vm} (`;
      // Selected first (the side form opens and narrows the canvas), then double-clicked where it is drawn then.
      const where = async () => {
        const { labels: now, canvas: c } = await settledLabels(page);
        const at = now.find((l) => l.id === `vm:${vm}`);
        return { x: at.x - c.x, y: at.y - c.y };
      };
      await graph.locator('#graph').click({ position: await where() });
      await graph.locator('aside.form:not([hidden])').waitFor({ state: 'attached', timeout: 5_000 });
      await graph.locator('#graph').dblclick({ position: await where() });
      await page.locator('.part.panel').getByText(term).first().waitFor({ state: 'visible', timeout: 20_000 });
      await page.waitForTimeout(500); // a focus change would follow the terminal's show
      const focus = await page.evaluate(() => {
        const a = document.activeElement;
        return { tag: a?.tagName ?? '', webview: !!a?.closest?.('.webview') || (a?.tagName === 'IFRAME' && /webview/.test(a.className)), inTerminal: !!a?.closest?.('.terminal, .xterm') };
      });
      if (!focus.webview || focus.inTerminal) throw new Error(`after the double-click the focus is on ${JSON.stringify(focus)}, not on the graph`);
      const graphFocused = await graph.locator('body').evaluate(() => document.hasFocus());
      if (!graphFocused) throw new Error('after the double-click the graph\'s document does not have the focus');
      ctx.log(`double-click on ${vm}: its console terminal "${term}…" opened, the focus stayed on the graph (${focus.tag})`);
      await ctx.screenshot('topology-graph-console');
      await runCommand(page, 'Terminal: Kill All Terminals').catch(() => {});
      items = await nodeMenu(page, `vm:${vm}`);
      await pick('Destroy');
      await page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Destroy' }).first().click({ timeout: 10_000 });
      await waitVmState(page, vm, 'stopped');
      ctx.log(`${vm}: started, suspended, resumed and destroyed from the graph's node menu`);
      // The light theme's first view: the graph opened anew (nothing selected, the fit of a fresh open).
      await runCommand(page, 'View: Close All Editors').catch(() => {});
      await pickTheme(page, 'Light Modern');
      await page.locator('.monaco-workbench').click({ position: { x: 800, y: 5 } }).catch(() => {});
      await openFile(page, 'sandbox.vsim.yaml');
      await runCommand(page, 'vsim: Open Topology Graph');
      await graph.locator('body.vscode-light[data-rendered-version]').waitFor({ state: 'attached', timeout: 30_000 });
      const light = await settledLabels(page);
      assertReadableLabels('sandbox first view, light theme', light.labels, light.canvas, Math.max(10, font - 0.5));
      await ctx.screenshot('topology-graph-sandbox-light');
      await pickTheme(page, 'Dark Modern');
      await graph.locator('body.vscode-dark').waitFor({ state: 'attached', timeout: 15_000 });
      await runCommand(page, 'View: Close All Editors').catch(() => {});
    },
  },
  {
    name: 'topology graph at scale: command → all nodes present for 500 and 1000 VMs; the overview\'s host labels inside the canvas, none overlapping',
    timeoutMs: 240_000,
    async run(page, ctx) {
      const fs = await import('node:fs');
      const path = await import('node:path');
      const { execFileSync } = await import('node:child_process');
      const graph = () => page.frameLocator('iframe.webview.ready').first().frameLocator('iframe#active-frame');
      for (const n of [500, 1000]) {
        const file = path.join(ctx.workspace, `gen-ui-${n}.vsim.yaml`);
        const text = execFileSync(process.execPath, ['--import', 'tsx', '-e', `process.stdout.write(require('./test/unit/model/edits/genTopology').genTopology(${n}))`], { cwd: ctx.repo, maxBuffer: 64 << 20 }).toString();
        fs.writeFileSync(file, text);
        try {
          await runCommand(page, 'View: Close All Editors').catch(() => {});
          await page.locator('.monaco-workbench').click({ position: { x: 800, y: 5 } }).catch(() => {});
          await openFile(page, path.basename(file));
          const t0 = Date.now();
          await runCommand(page, 'vsim: Open Topology Graph');
          const status = graph().locator('#status[data-nodes]');
          await status.waitFor({ state: 'visible', timeout: 60_000 });
          const ms = Date.now() - t0;
          const s = (await status.innerText()).trim();
          if (!new RegExp(`· ${n} VMs ·`).test(s)) throw new Error(`unexpected status for ${n} VMs: ${s}`);
          ctx.timings[`topologyGraph${n}VmsMs`] = ms;
          ctx.log(`${n} VMs: all nodes present ${ms} ms after the command — ${s}`);
          // The overview: one summary label per host, each inside the canvas, readable, none overlapping.
          const { labels, canvas } = await settledLabels(page);
          const hosts = labels.filter((l) => l.id.startsWith('host:'));
          const wantHosts = Number(/· (\d+) hosts ·/.exec(s)?.[1]);
          if (hosts.length !== wantHosts || labels.length !== hosts.length) throw new Error(`${n} VMs: ${labels.length} labels drawn (${hosts.length} hosts), the overview should show the ${wantHosts} hosts only`);
          const seen = assertReadableLabels(`${n}-VM overview`, hosts, canvas, 10);
          ctx.log(`${n}-VM overview: ${hosts.length} host labels inside the canvas, none overlapping, ${seen.minPx.toFixed(1)} px, spanning ${(seen.spanW * 100).toFixed(0)} % × ${(seen.spanH * 100).toFixed(0)} %`);
          await ctx.screenshot(`topology-graph-${n}`);
          if (n === 1000) {
            await pickTheme(page, 'Light Modern');
            await graph().locator('body.vscode-light').waitFor({ state: 'attached', timeout: 15_000 });
            await page.waitForTimeout(500);
            const light = await settledLabels(page);
            assertReadableLabels('1000-VM overview, light theme', light.labels, light.canvas, 10);
            await ctx.screenshot('topology-graph-1000-light');
            await pickTheme(page, 'Dark Modern');
            await graph().locator('body.vscode-dark').waitFor({ state: 'attached', timeout: 15_000 });
          }
        } finally {
          await runCommand(page, 'View: Close All Editors').catch(() => {});
          fs.rmSync(file, { force: true });
        }
      }
    },
  },
  ...labUiChecks({ showVsimView, openFile, runCommand, graphFrame }),
  ...treeUiChecks({ showVsimView }),
  ...consoleUiChecks({ showVsimView }),
  ...servicesUiChecks({ showVsimView }),
  ...netsUiChecks({ showVsimView, runCommand }),
];
