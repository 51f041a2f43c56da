// The Labs tree's context menus for the UI checks: right-click a row once the tree is quiet and
// choose an item, as a user does (spread into several ui-checks-*.mjs).

/** Waits until the Labs tree's rows have not changed for `quietMs` (a refresh replaces the rows a menu was opened on). */
export async function treeQuiet(page, quietMs = 1_500, timeout = 20_000) {
  const rows = page.locator('.part.sidebar .monaco-list-row');
  const end = Date.now() + timeout;
  let last = JSON.stringify(await rows.allInnerTexts());
  let since = Date.now();
  while (Date.now() < end && Date.now() - since < quietMs) {
    await page.waitForTimeout(250);
    const now = JSON.stringify(await rows.allInnerTexts());
    if (now !== last) { last = now; since = Date.now(); }
  }
}

/**
 * Right-clicks the row (once the tree is quiet) and chooses `title` in its context menu. VS Code gives
 * the command no row when the tree refreshed between the right-click and the choice; the command then
 * asks for the VM (as from the palette): `vm` is picked there, and the log says so.
 */
export async function fromMenu(page, row, title, ctx, vm = 'storage') {
  await treeQuiet(page);
  await row.click({ button: 'right' });
  const item = page.locator('.context-view .action-item', { hasText: title }).first();
  await item.waitFor({ state: 'visible', timeout: 10_000 });
  await item.click();
  // A click that came while the menu was still settling leaves it open with the item highlighted.
  if (await page.locator('.context-view .action-item').first().isVisible().catch(() => false)) {
    await page.waitForTimeout(300);
    if (await item.isVisible().catch(() => false)) await item.click().catch(() => {});
  }
  const picker = page.locator('.quick-input-widget', { has: page.locator('.quick-input-box input[placeholder="Choose a VM"]') });
  if (await picker.waitFor({ state: 'visible', timeout: 1_500 }).then(() => true, () => false)) {
    ctx.log(`${title}: VS Code passed no row (the tree refreshed under the menu); ${vm} picked in the VM picker`);
    await picker.locator('.quick-input-list .monaco-list-row', { hasText: new RegExp(`^\\s*${vm}\\b`) }).first().click();
  }
}
