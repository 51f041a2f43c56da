// The Labs tree for the UI checks (spread into several ui-checks-*.mjs): its pane, host rows opened
// or folded, and context menus — right-click a row once the tree is quiet and choose an item, as a
// user does.

/** Shows the vsim sidebar and returns its Labs pane, unfolded. */
export async function labsPane(page, showVsimView) {
  await showVsimView(page);
  const labs = page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: /^\s*labs/i }) }).first();
  const header = labs.locator('.pane-header').first();
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  return labs;
}

/** The row of host `name` in the Labs pane (its label runs into its description, "N VMs"). */
export function hostRow(labs, name) {
  return labs.locator('.monaco-list-row', { hasText: new RegExp(`^\\s*${name}\\s*\\d+ VMs?`) }).first();
}

/** Opens or folds a row if it is shown (a click toggles it), so that the rows looked for fit in the view (the tree renders only those). */
export async function setOpen(row, open) {
  if (!(await row.isVisible().catch(() => false))) return;
  if (((await row.getAttribute('aria-expanded')) === 'true') !== open) await row.click();
}

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
 * Right-clicks the row (once the tree is quiet) and chooses `title` in its context menu; right-clicks
 * a second time when the menu did not open (a hover tooltip or a refresh in between). VS Code gives
 * the command no row when the tree refreshed between the right-click and the choice; a VM command
 * then asks for the VM (as from the palette): `vm` of the topology `file` is picked there, and the log says so. `vm` null:
 * the command is not a VM's, no VM picker is looked for.
 */
export async function fromMenu(page, row, title, ctx, vm = 'storage', file = 'sandbox.vsim.yaml') {
  await treeQuiet(page);
  const item = page.locator('.context-view .action-item', { hasText: title }).first();
  for (let i = 0; ; i++) {
    await row.click({ button: 'right' });
    try {
      await item.waitFor({ state: 'visible', timeout: 10_000 });
      break;
    } catch (err) {
      if (i >= 1) throw err;
      await page.keyboard.press('Escape').catch(() => {});
    }
  }
  await item.click();
  // A click that came while the menu was still settling leaves it open with the item highlighted.
  if (await page.locator('.context-view .action-item').first().isVisible().catch(() => false)) {
    await page.waitForTimeout(300);
    if (await item.isVisible().catch(() => false)) await item.click().catch(() => {});
  }
  if (vm === null) return;
  const picker = page.locator('.quick-input-widget', { has: page.locator('.quick-input-box input[placeholder="Choose a VM"]') });
  if (await picker.waitFor({ state: 'visible', timeout: 1_500 }).then(() => true, () => false)) {
    ctx.log(`${title}: VS Code passed no row (the tree refreshed under the menu); ${vm} of ${file} picked in the VM picker`);
    // Typed first: the list is virtual (a row far down is not in the DOM); other files have a `storage` too.
    await picker.locator('.quick-input-box input').fill(vm);
    const label = page.locator('.label-name', { hasText: new RegExp(`^\\s*${vm.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`) });
    await picker.locator('.quick-input-list .monaco-list-row', { hasText: file, has: label }).first().click();
  }
}
