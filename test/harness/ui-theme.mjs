// The colour theme for the UI checks (shared by ui-checks.mjs and ui-checks-*.mjs, which ui-checks.mjs
// imports: a module of its own, so that no check file imports ui-checks.mjs back).

/**
 * Switches the colour theme through "Preferences: Color Theme", as a user does. `settleMs`: a wait
 * after the picker closed, for a screenshot taken next without a theme class to wait for.
 */
export async function pickTheme(page, name, { settleMs = 0 } = {}) {
  const input = page.locator('.quick-input-widget input');
  await page.locator('.monaco-workbench').click({ position: { x: 800, y: 5 } }).catch(() => {});
  await page.keyboard.press('F1');
  await input.waitFor({ state: 'visible' });
  await input.fill('>Preferences: Color Theme');
  await page.locator('.quick-input-list .monaco-list-row', { hasText: 'Preferences: Color Theme' }).first().click();
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().click();
  await page.locator('.quick-input-widget').waitFor({ state: 'hidden' });
  if (settleMs) await page.waitForTimeout(settleMs);
}
