// UI checks of the Labs tree's context menus (spread into uiChecks by ui-checks.mjs): a command
// chosen from a VM row's menu gets that row and shows its result, as from the palette. With the
// sandbox up, `storage` (the sandbox's qcow2 domain on vsim-hv1) gets a snapshot over SSH first, so
// "List Snapshots" has one to list; the picker is closed with Escape (choosing would revert).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const SNAP = 'ui-check-tree-snap';

/** virsh on vsim-hv1 over OpenSSH with the sandbox's config; undefined when the sandbox is not up. */
function sandboxVirsh(repo) {
  const config = path.join(repo, '.sandbox', 'ssh', 'config');
  if (!existsSync(config)) return undefined;
  return (...args) => execFileSync('ssh', ['-F', config, '-o', 'BatchMode=yes', 'vsim-hv1', '--', 'virsh', '-c', 'qemu:///system', ...args], { encoding: 'utf8', timeout: 60_000 });
}

export function treeUiChecks({ showVsimView }) {
  return [
    {
      name: 'Labs tree: "List Snapshots" from a VM row\'s context menu shows that VM\'s snapshots',
      timeoutMs: 90_000,
      async run(page, ctx) {
        const virsh = sandboxVirsh(ctx.repo);
        if (!virsh) {
          ctx.log('skipped: the sandbox is not up (.sandbox/ssh/config absent), so storage has no host to list snapshots on');
          return;
        }
        virsh('snapshot-create-as', 'storage', SNAP);
        try {
          await showVsimView(page);
          const labs = page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: /^\s*labs/i }) }).first();
          const header = labs.locator('.pane-header').first();
          if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
          // The sandbox's storage row (other files' storage rows are folded: they are offline).
          const row = labs.locator('.monaco-list-row', { hasText: /storage.*libvirt/ }).first();
          await row.waitFor({ state: 'visible', timeout: 30_000 });
          await row.click({ button: 'right' });
          const item = page.locator('.context-view .action-item', { hasText: /^List Snapshots$/ }).first();
          await item.waitFor({ state: 'visible', timeout: 10_000 });
          await item.click();
          const title = page.locator('.quick-input-widget .quick-input-title', { hasText: 'Snapshots of storage on vsim-hv1' });
          await title.waitFor({ state: 'visible', timeout: 30_000 });
          const listed = page.locator('.quick-input-list .monaco-list-row', { hasText: SNAP }).first();
          await listed.waitFor({ state: 'visible', timeout: 10_000 });
          ctx.log(`picker "${(await title.innerText()).trim()}" lists ${SNAP}`);
          await ctx.screenshot('tree-list-snapshots');
          await page.keyboard.press('Escape');
          await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 });
        } finally {
          await page.keyboard.press('Escape').catch(() => {});
          try {
            virsh('snapshot-delete', 'storage', SNAP);
          } catch (err) {
            ctx.log(`could not delete the snapshot ${SNAP} of storage: ${err.message}`);
          }
        }
      },
    },
  ];
}
