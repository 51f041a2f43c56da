// UI check of a host's Services node (spread into uiChecks by ui-checks.mjs): on the sandbox's
// microvm host vsim-hv2 (real systemd), the unit vsim-flaky is made to fail on purpose; the Labs
// tree's Services row of vsim-hv2 lists it as failed among the microvm@ units and sshd-hv2; its
// menu's Restart Service asks in a modal naming the unit and the host, and the row turns active.
// vsim-hv1 (PID 1 is not systemd) shows its Services as "not on this host".
import { fromMenu, hostRow, labsPane, setOpen } from './ui-menu.mjs';
import { answerModal, modalShown } from './ui-notify.mjs';
import { whenSandboxUp } from './ui-sandbox.mjs';

const FAIL_FLAKY = 'rm -f /run/vsim-flaky.ok; systemctl stop vsim-flaky; systemctl reset-failed vsim-flaky 2>/dev/null; systemctl start vsim-flaky; '
  + 'i=0; while [ "$(systemctl is-active vsim-flaky)" != failed ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; systemctl is-active vsim-flaky || true';

export function servicesUiChecks({ showVsimView }) {
  return [
    {
      name: 'Labs tree: Services of vsim-hv2 (a unit failed on purpose shows failed; Restart Service from its menu, confirmed, makes it active); vsim-hv1 "not on this host"',
      timeoutMs: 180_000,
      run: whenSandboxUp('no systemd host to list services of', async (page, ctx, ssh) => {
        /** A shell script run inside vsim-hv2 (quoted for the remote shell). */
        const hv2 = (script) => ssh.run('vsim-hv2', 'sh', '-c', `'${script.replace(/'/g, "'\\''")}'`);
        ctx.log(`vsim-flaky made to fail: ${hv2(FAIL_FLAKY).trim()}`);
        try {
          const labs = await labsPane(page, showVsimView);
          // The Plan pane folded: the Labs pane gets the height (the tree renders only the rows in view).
          const plan = page.locator('.part.sidebar .pane', { has: page.locator('.pane-header', { hasText: /^\s*plan/i }) }).first().locator('.pane-header').first();
          if ((await plan.getAttribute('aria-expanded').catch(() => null)) === 'true') await plan.click();
          const row = (re) => labs.locator('.monaco-list-row', { hasText: re }).first();
          const host = (name) => hostRow(labs, name);
          const openServices = async () => {
            for (const r of await labs.locator('.monaco-list-row', { hasText: /^\s*Services/ }).all()) await setOpen(r, true);
          };
          await host('vsim-hv2').waitFor({ state: 'visible', timeout: 30_000 });
          // vsim-hv1 alone open: its Services say "not on this host" (PID 1 is not systemd there).
          await setOpen(host('aspen-standin'), false);
          await setOpen(host('vsim-hv2'), false);
          await setOpen(host('vsim-hv1'), true);
          await row(/^\s*Services/).waitFor({ state: 'visible', timeout: 60_000 });
          await openServices();
          await labs.locator('.monaco-list-row', { hasText: /not on this host: systemd is not running as PID 1 on vsim-hv1/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
          await ctx.screenshot('tree-services-not-on-host');
          // Then vsim-hv2 alone open: vsim-flaky failed among its units (read at the next refresh).
          await setOpen(host('vsim-hv1'), false);
          await setOpen(host('vsim-hv2'), true);
          await row(/^\s*Services/).waitFor({ state: 'visible', timeout: 60_000 });
          for (const slot of await labs.locator('.monaco-list-row', { hasText: /^\s*slot\d\s*10\./ }).all()) await setOpen(slot, false);
          await openServices();
          const flaky = labs.locator('.monaco-list-row', { hasText: /vsim-flaky/ }).first();
          const failedRow = labs.locator('.monaco-list-row', { hasText: /vsim-flaky.*failed \(exit-code\)/ }).first();
          for (let i = 0; i < 20 && !(await failedRow.isVisible()); i++) {
            await page.keyboard.press('F1');
            await page.keyboard.type('vsim: Refresh');
            await page.keyboard.press('Enter');
            await page.waitForTimeout(2000);
            await openServices();
          }
          await failedRow.waitFor({ state: 'visible', timeout: 30_000 });
          ctx.log(`rows: ${JSON.stringify((await labs.locator('.monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim()).filter((t) => /Services|vsim-flaky|sshd-hv2|microvm@|not on this host|ZFS/.test(t)))}`);
          await ctx.screenshot('tree-services-failed');

          await fromMenu(page, flaky, /^Restart Service$/, ctx, null);
          const { box, text } = await modalShown(page);
          ctx.log(`restart modal: ${text}`);
          if (!/Restart vsim-flaky\.service on vsim-hv2\?/.test(text)) throw new Error(`the modal does not name the unit and host: ${text}`);
          await answerModal(box, 'Restart');
          await labs.locator('.monaco-list-row', { hasText: /vsim-flaky.*active\/running/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
          ctx.log(`after restart: ${hv2('systemctl is-active vsim-flaky').trim()}`);
          await ctx.screenshot('tree-services-restarted');
        } finally {
          await page.keyboard.press('Escape').catch(() => {});
          try { hv2('systemctl stop vsim-flaky; systemctl reset-failed vsim-flaky 2>/dev/null; true'); } catch (err) { ctx.log(`could not stop vsim-flaky: ${err.message}`); }
        }
      }),
    },
  ];
}
