// UI checks of the consoles (spread into uiChecks by ui-checks.mjs), on the sandbox's vsim-hv1:
// a console another client holds (a `virsh console chassis` over OpenSSH) says who holds it, the
// notification's Take Over… asks in a modal naming VM, host and holder, and taking over ends the
// other client; Start VM on edge.Gateway (shut off in the sandbox) shows the boot progress
// notification with its phases and then "booted", after which the check destroys it again.
import { spawn } from 'node:child_process';
import { fromMenu, labsPane } from './ui-menu.mjs';
import { answerModal, modalShown, toastMatching } from './ui-notify.mjs';
import { whenSandboxUp } from './ui-sandbox.mjs';

/** The Labs pane's first row matching `re`, once shown. */
async function labsRow(page, showVsimView, re) {
  const row = (await labsPane(page, showVsimView)).locator('.monaco-list-row', { hasText: re }).first();
  await row.waitFor({ state: 'visible', timeout: 30_000 });
  return row;
}

export function consoleUiChecks({ showVsimView }) {
  return [
    {
      name: 'Console takeover: a busy console names its holder; Take Over… asks in a modal and ends the other client',
      timeoutMs: 150_000,
      run: whenSandboxUp('no console to hold', async (page, ctx, ssh) => {
        // The other client: virsh console chassis on vsim-hv1 over OpenSSH (as a second window would).
        const holder = spawn('ssh', ['-F', ssh.config, '-o', 'BatchMode=yes', '-tt', 'vsim-hv1', '--', 'virsh', '-c', 'qemu:///system', 'console', 'chassis'], { stdio: ['pipe', 'pipe', 'pipe'] });
        let held = '';
        holder.stdout.on('data', (d) => { held += d.toString(); });
        const holderClosed = new Promise((r) => holder.once('close', r));
        try {
          const t0 = Date.now();
          while (!/Escape character|Connected to domain/.test(held)) {
            if (Date.now() - t0 > 30_000) throw new Error(`the holder did not attach: ${JSON.stringify(held.slice(-300))}`);
            await page.waitForTimeout(200);
          }
          const row = await labsRow(page, showVsimView, /chassis.*libvirt/);
          await fromMenu(page, row, /Open Console/, ctx, 'chassis');
          const { toast, text } = await toastMatching(page, /The console of chassis on vsim-hv1 is held by virsh console \(pid \d+/);
          ctx.log(`notification: ${text}`);
          await ctx.screenshot('console-busy-notification');
          await toast.getByRole('button', { name: 'Take Over…' }).click();
          const { box, text: modal } = await modalShown(page, 15_000);
          ctx.log(`modal: ${modal}`);
          if (!/Take over the console of chassis on vsim-hv1\?/.test(modal) || !/Held by virsh console \(pid \d+/.test(modal)) throw new Error(`the modal does not name VM, host and holder: ${modal}`);
          await ctx.screenshot('console-takeover-modal');
          await answerModal(box, 'Take Over');
          await Promise.race([holderClosed, page.waitForTimeout(20_000).then(() => { throw new Error('the other client was not disconnected within 20 s'); })]);
          ctx.log(`the other client ended: ${JSON.stringify(held.replace(/\s+/g, ' ').slice(-120))}`);
          await page.waitForTimeout(1500);
          await ctx.screenshot('console-taken-over');
        } finally {
          holder.kill('SIGTERM');
          await page.keyboard.press('Escape').catch(() => {});
        }
      }),
    },
    {
      name: 'Boot progress: Start VM on edge.Gateway shows a notification with its boot phases, then "booted"',
      timeoutMs: 240_000,
      run: whenSandboxUp('nothing to boot', async (page, ctx, ssh) => {
        const virsh = (...a) => ssh.run('vsim-hv1', 'virsh', '-c', 'qemu:///system', ...a);
        if (virsh('domstate', 'edge.Gateway').trim() === 'running') virsh('destroy', 'edge.Gateway');
        try {
          const row = await labsRow(page, showVsimView, /edge\.Gateway/);
          await fromMenu(page, row, /Start VM/, ctx, 'edge.Gateway');
          const phase = await toastMatching(page, /booting edge\.Gateway on vsim-hv1.*(kernel booting|userspace)/i, { timeout: 180_000 });
          ctx.log(`progress: ${phase.text}`);
          await ctx.screenshot('boot-progress-notification');
          const done = await toastMatching(page, /edge\.Gateway on vsim-hv1 booted: .*login prompt \d+\.\d s/, { timeout: 180_000 });
          ctx.log(`done: ${done.text}`);
          await ctx.screenshot('boot-progress-booted');
        } finally {
          try { virsh('destroy', 'edge.Gateway'); } catch { /* already off */ }
        }
      }),
    },
  ];
}
