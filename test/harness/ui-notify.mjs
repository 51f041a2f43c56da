// Notification toasts and modal dialogs for the UI checks (ui-checks-*.mjs): waiting for one, reading
// it, answering it, as a user does.

/**
 * Waits up to `timeout` for a toast whose message matches `re` and is not in `seen` (then added to it).
 * Returns the toast's locator (for its buttons), its text and its severity (info, warning, error).
 */
export async function toastMatching(page, re, { seen, timeout = 60_000 } = {}) {
  const end = Date.now() + timeout;
  for (;;) {
    for (const t of await page.locator('.notification-toast').all()) {
      const text = (await t.locator('.notification-list-item-message').innerText().catch(() => '')).trim();
      if (!re.test(text) || seen?.has(text)) continue;
      const cls = (await t.locator('.notification-list-item-icon').getAttribute('class').catch(() => '')) ?? '';
      seen?.add(text);
      return { toast: t, text, severity: /codicon-error/.test(cls) ? 'error' : /codicon-warning/.test(cls) ? 'warning' : /codicon-info/.test(cls) ? 'info' : cls };
    }
    if (Date.now() > end) throw new Error(`no notification matching ${re} within ${timeout} ms; shown: ${JSON.stringify(await page.locator('.notification-toast .notification-list-item-message').allInnerTexts())}`);
    await page.waitForTimeout(100);
  }
}

/** Waits up to `timeout` for the modal dialog; returns its box (for answerModal) and its text, whitespace folded. */
export async function modalShown(page, timeout = 30_000) {
  const box = page.locator('.monaco-dialog-box');
  await box.waitFor({ state: 'visible', timeout });
  return { box, text: (await box.innerText()).replace(/\s+/g, ' ') };
}

/** Clicks `button` in the modal's box and waits until the modal has closed. */
export async function answerModal(box, button) {
  await box.getByRole('button', { name: button }).click();
  await box.waitFor({ state: 'hidden', timeout: 10_000 });
}
