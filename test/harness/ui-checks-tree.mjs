// UI checks of the Labs tree's context menus (spread into uiChecks by ui-checks.mjs): commands chosen
// from a VM row's menu get that row and answer in the UI, as from the palette. On the sandbox's
// `storage` (its qcow2 domain on vsim-hv1): Create Snapshot (typed name) ends with a confirmation,
// List Snapshots shows the picker with it (closed with Escape: choosing would revert), Revert and
// Delete (picked, confirmed in their modal) each end with a confirmation, and Revert with no
// snapshot left says so as information, not as an error.
import { fromMenu, labsPane } from './ui-menu.mjs';
import { answerModal, modalShown, toastMatching } from './ui-notify.mjs';
import { whenSandboxUp } from './ui-sandbox.mjs';

const SNAP = 'ui-check-tree-snap';

async function info(page, re, seen, ctx) {
  const t = await toastMatching(page, re, { seen });
  ctx.log(`${t.severity}: ${t.text}`);
  if (t.severity !== 'info') throw new Error(`"${t.text}" is shown as ${t.severity}, not as information`);
  return t;
}

/**
 * Types `value` into the input box titled `title` (not into another quick input still closing) and
 * accepts it; fails with the box's validation message if it stays open.
 */
async function typeInto(page, title, value) {
  const box = page.locator('.quick-input-widget', { has: page.locator('.quick-input-title', { hasText: title }) });
  try {
    await box.waitFor({ state: 'visible', timeout: 30_000 });
  } catch {
    throw new Error(`no input box "${title}" within 30 s; shown instead: ${await quickInputShown(page)}`);
  }
  const input = box.locator('.quick-input-box input').first();
  await input.fill(value);
  if ((await input.inputValue()) !== value) throw new Error(`the input box "${title}" holds "${await input.inputValue()}", not "${value}"`);
  await input.press('Enter');
  try {
    await box.waitFor({ state: 'hidden', timeout: 15_000 });
  } catch {
    const message = (await box.locator('.quick-input-message').innerText().catch(() => '')).trim();
    throw new Error(`the input box "${title}" stayed open after Enter with "${value}"${message ? `: ${message}` : ''}`);
  }
}

/** What quick input is open (title, placeholder, first rows), for a failure's message. */
async function quickInputShown(page) {
  const w = page.locator('.quick-input-widget');
  if (!(await w.isVisible().catch(() => false))) return 'no quick input';
  const title = (await w.locator('.quick-input-title').innerText().catch(() => '')).trim();
  const placeholder = await w.locator('.quick-input-box input').getAttribute('placeholder').catch(() => '');
  const rows = (await w.locator('.quick-input-list .monaco-list-row').allInnerTexts().catch(() => [])).slice(0, 5).map((r) => r.replace(/\s+/g, ' '));
  return JSON.stringify({ title, placeholder, rows });
}

/** Picks `label` in the open picker titled `title`. */
async function pickIn(page, title, label) {
  await page.locator('.quick-input-widget .quick-input-title', { hasText: title }).waitFor({ state: 'visible', timeout: 30_000 });
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ state: 'visible', timeout: 10_000 });
  await row.click();
}

/** Answers the modal confirmation with `button`; returns its text. */
async function confirmModal(page, button) {
  const { box, text } = await modalShown(page);
  await answerModal(box, button);
  return text;
}

export function treeUiChecks({ showVsimView }) {
  return [
    {
      name: 'Labs tree: snapshots from a VM row\'s context menu (create, List Snapshots shows them, revert, delete, then "no snapshots" as information)',
      timeoutMs: 180_000,
      run: whenSandboxUp('storage has no host to snapshot on', async (page, ctx, ssh) => {
        const virsh = (...args) => ssh.run('vsim-hv1', 'virsh', '-c', 'qemu:///system', ...args);
        const seen = new Set(await page.locator('.notification-toast .notification-list-item-message').allInnerTexts());
        try {
          const labs = await labsPane(page, showVsimView);
          // The sandbox's storage row (other files' storage rows are folded: they are offline).
          const row = labs.locator('.monaco-list-row', { hasText: /storage.*libvirt/ }).first();
          await row.waitFor({ state: 'visible', timeout: 30_000 });

          await fromMenu(page, row, /^Create Snapshot…$/, ctx);
          await typeInto(page, 'Name of the new snapshot of storage', SNAP);
          await info(page, new RegExp(`snapshot ${SNAP} of storage on vsim-hv1 created`), seen, ctx);

          await fromMenu(page, row, /^List Snapshots$/, ctx);
          const title = page.locator('.quick-input-widget .quick-input-title', { hasText: 'Snapshots of storage on vsim-hv1' });
          await title.waitFor({ state: 'visible', timeout: 30_000 });
          await page.locator('.quick-input-list .monaco-list-row', { hasText: SNAP }).first().waitFor({ state: 'visible', timeout: 10_000 });
          ctx.log(`List Snapshots from the row's menu: picker "${(await title.innerText()).trim()}" lists ${SNAP}`);
          await ctx.screenshot('tree-list-snapshots');
          await page.keyboard.press('Escape');
          await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });

          await fromMenu(page, row, /^Revert to Snapshot…$/, ctx);
          await pickIn(page, 'Revert storage to Snapshot', SNAP);
          ctx.log(`revert modal: ${await confirmModal(page, 'Revert')}`);
          await info(page, new RegExp(`storage on vsim-hv1 reverted to snapshot ${SNAP}`), seen, ctx);

          await fromMenu(page, row, /^Delete Snapshot…$/, ctx);
          await pickIn(page, 'Delete a Snapshot of storage', SNAP);
          ctx.log(`delete modal: ${await confirmModal(page, 'Delete')}`);
          await info(page, new RegExp(`snapshot ${SNAP} of storage on vsim-hv1 deleted`), seen, ctx);

          await fromMenu(page, row, /^Revert to Snapshot…$/, ctx);
          await info(page, /No snapshots of storage to choose from/, seen, ctx);
          await ctx.screenshot('tree-no-snapshots-info');
        } finally {
          await page.keyboard.press('Escape').catch(() => {});
          try {
            if (virsh('snapshot-list', '--name', 'storage').split('\n').includes(SNAP)) virsh('snapshot-delete', 'storage', SNAP);
          } catch (err) {
            ctx.log(`could not check or delete the snapshot ${SNAP} of storage: ${err.message}`);
          }
        }
      }),
    },
  ];
}
