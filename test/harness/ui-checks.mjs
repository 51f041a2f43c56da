// UI checks run by run-integration.mjs with Playwright in the same workbench, after the extension-host suite.
// Each check counts as one test in the totals. Add a check: push { name, run(page, ctx), timeoutMs? } below
// (or in your own module, imported and spread into `uiChecks`). A check fails by throwing.
//
// ctx: { repo, runDir, workspace (abs path), server ({url, port, urlFor, remoteUri}), resultsDir,
//        log(...a), screenshot(name, target = page) → abs path of <resultsDir>/<name>.png }
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
      // The command must exist and not throw: VS Code reports both as notification toasts.
      const bad = /command '.*' not found|resulted in an error|running the command .* failed|actual command not found/i;
      const end = Date.now() + 3000;
      while (Date.now() < end) {
        const msgs = (await notifications(page)).filter((m) => !before.has(m));
        const err = msgs.find((m) => bad.test(m));
        if (err) throw new Error(`command failed: ${err}`);
        if (msgs.length) break; // the command answered (e.g. "valid" / problem count)
        await page.waitForTimeout(100);
      }
      await ctx.screenshot('validate');
    },
  },
];
