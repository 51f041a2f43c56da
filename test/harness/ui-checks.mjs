// UI checks run by run-integration.mjs with Playwright in the same workbench, after the extension-host suite.
// Each check counts as one test in the totals. Add a check: push { name, run(page, ctx), timeoutMs? } below
// (or in your own module, imported and spread into `uiChecks`). A check fails by throwing.
//
// ctx: { repo, runDir, workspace (abs path), server ({url, port, urlFor, remoteUri}), resultsDir,
//        log(...a), screenshot(name, target = page) → abs path of <resultsDir>/<name>.png,
//        timings (object written into integration.json: add figures you measure) }
//
// Useful selectors (measured, see test/harness/README.md):
//   page.getByRole('tab', { name: /^Vsim/ })              the activity-bar entry of the vsim view container
//   page.getByRole('treeitem', { name })                    tree items in views
//   runCommand(page, 'vsim: Validate Topology File')        F1 + type + Enter
//   page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame')   a webview's DOM

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
export async function openFile(page, relPath, { timeout = 15_000 } = {}) {
  const input = page.locator('.quick-input-widget input');
  await page.keyboard.press('Control+P');
  await input.waitFor({ state: 'visible', timeout });
  await input.fill(relPath);
  const base = relPath.split('/').at(-1);
  const item = page.locator('.quick-input-list .monaco-list-row', { hasText: base }).first();
  await item.waitFor({ state: 'visible', timeout });
  await item.click();
  await page.locator('.tabs-container .tab', { hasText: base }).first().waitFor({ state: 'visible', timeout });
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
      const tab = page.getByRole('tab', { name: /^Vsim/ });
      await tab.waitFor({ state: 'visible', timeout: 15_000 });
      // Clicking an active container's tab hides the sidebar: click only when not already selected.
      if ((await tab.getAttribute('aria-selected')) !== 'true') await tab.click();
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
];
