// UI checks of the host's Networks node, the VM details page and Copy IP's live IP (spread into
// uiChecks by ui-checks.mjs), on the sandbox's vsim-hv1. The check starts a real dnsmasq on vsimbr0
// (its range leaves out chassis's file IP), has the booted guest chassis take a lease with busybox
// udhcpc on its serial console, and stops dnsmasq at the end. Screenshots light and dark.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fromMenu, hostRow, labsPane, setOpen } from './ui-menu.mjs';
import { whenSandboxUp } from './ui-sandbox.mjs';
import { pickTheme } from './ui-theme.mjs';

/** Types `command` on chassis's serial console and waits for `done` in what it prints (then detaches). */
function inGuest(config, command, done, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    const ssh = spawn('ssh', ['-F', config, '-tt', 'vsim-hv1', 'virsh -q console --force chassis 2>/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let typed = false;
    const poke = setInterval(() => { if (!typed) ssh.stdin.write('\r'); }, 500);
    const timer = setTimeout(() => { ssh.kill('SIGTERM'); reject(new Error(`guest console: no ${done} in ${JSON.stringify(out.slice(-300))}`)); }, timeoutMs);
    ssh.stdout.on('data', (b) => {
      out += b.toString('utf8');
      if (!typed && out.includes('/ # ')) { typed = true; out = ''; ssh.stdin.write(`${command}\r`); }
      else if (typed && done.test(out)) ssh.stdin.write('\x1d');
    });
    ssh.on('exit', () => { clearInterval(poke); clearTimeout(timer); if (typed && done.test(out)) resolve(out); else reject(new Error(`guest console ended: ${JSON.stringify(out.slice(-300))}`)); });
  });
}

export function netsUiChecks({ showVsimView, runCommand }) {
  return [
    {
      name: 'Networks node and VM details page: bridge, taps with their VMs and counters, the guest\'s DHCP lease; live charts; Copy IP offers the lease beside the file\'s IP (light and dark)',
      timeoutMs: 300_000,
      run: whenSandboxUp('no host to probe', async (page, ctx, ssh) => {
        const dir = path.join(ctx.repo, '.sandbox', 'nets-ui');
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        const pid = path.join(dir, 'dnsmasq.pid');
        try {
          ssh.run('vsim-hv1', 'dnsmasq', '--conf-file=/dev/null', '--interface=vsimbr0', '--bind-interfaces', '--except-interface=lo', '--port=0',
            '--dhcp-range=192.168.100.100,192.168.100.150,255.255.255.0,1h', `--dhcp-leasefile=${path.join(dir, 'dnsmasq.leases')}`, `--pid-file=${pid}`);
          const got = await inGuest(ssh.config, 'udhcpc -i eth0 -n -q -s /bin/true -x hostname:chassis; ping -c 3 192.168.100.1; echo done-$?', /done-\d/);
          const leased = /lease of ([\d.]+) obtained/.exec(got)?.[1];
          if (!leased) throw new Error(`chassis got no lease: ${got.slice(-300)}`);
          ctx.log(`chassis took the lease ${leased} from dnsmasq on vsimbr0`);

          const labs = await labsPane(page, showVsimView);
          await runCommand(page, 'vsim: Refresh');
          // vsim-hv1 alone open (an earlier check may have left another host open and it folded): the
          // tree renders only the rows in view. Its Networks row follows its VMs.
          await hostRow(labs, 'vsim-hv1').waitFor({ state: 'visible', timeout: 30_000 });
          for (const other of ['vsim-hv2', 'aspen-standin']) await setOpen(hostRow(labs, other), false);
          await setOpen(hostRow(labs, 'vsim-hv1'), true);
          const networks = labs.locator('.monaco-list-row', { hasText: /^Networks/ }).filter({ hasText: /1 network/ }).first();
          await networks.waitFor({ state: 'visible', timeout: 60_000 });
          if ((await networks.getAttribute('aria-expanded')) === 'false') await networks.click();
          const port = labs.locator('.monaco-list-row', { hasText: 'tap-chassis → chassis' }).first();
          await port.waitFor({ state: 'visible', timeout: 30_000 });
          const lease = labs.locator('.monaco-list-row', { hasText: `lease ${leased}` }).first();
          await lease.waitFor({ state: 'visible', timeout: 60_000 });
          ctx.log(`Networks: ${(await labs.locator('.monaco-list-row', { hasText: /vsimbr0/ }).first().innerText()).replace(/\s+/g, ' ')}`);
          ctx.log(`port row: ${(await port.innerText()).replace(/\s+/g, ' ')}`);
          ctx.log(`lease row: ${(await lease.innerText()).replace(/\s+/g, ' ')}`);
          await pickTheme(page, 'Dark Modern', { settleMs: 800 });
          await ctx.screenshot('networks-node-dark');
          await pickTheme(page, 'Light Modern', { settleMs: 800 });
          await ctx.screenshot('networks-node-light');

          // Copy IP from chassis's row: the lease differs from the file's 192.168.100.10, so it asks.
          // chassis's own row (not the chassis-emulator file's).
          const vmRow = labs.locator('.monaco-list-row', { hasText: /^chassis\s*running/ }).first();
          await fromMenu(page, vmRow, /^Copy IP Address$/, ctx, 'chassis');
          const pick = page.locator('.quick-input-widget');
          await pick.waitFor({ state: 'visible', timeout: 30_000 });
          const placeholder = await page.locator('.quick-input-widget input').getAttribute('placeholder');
          if (!/live IP differs/.test(placeholder ?? '')) throw new Error(`Copy IP's picker: ${placeholder}`);
          await page.locator('.quick-input-list .monaco-list-row', { hasText: leased }).first().waitFor({ state: 'visible', timeout: 10_000 });
          await ctx.screenshot('copy-ip-live-light');
          await page.locator('.quick-input-list .monaco-list-row', { hasText: leased }).first().click();
          const status = page.locator('.statusbar-item', { hasText: `vsim: copied ${leased}` }).first();
          await status.waitFor({ state: 'visible', timeout: 10_000 });
          ctx.log(`Copy IP: ${(await status.innerText()).trim()}`);

          // The VM details page: facts and charts, two samples (one per refresh interval) for a rate.
          await fromMenu(page, vmRow, /^Show VM Details$/, ctx, 'chassis');
          const frame = page.frameLocator('iframe.webview.ready').last().frameLocator('iframe#active-frame');
          await frame.locator('h1', { hasText: 'VM chassis' }).waitFor({ state: 'visible', timeout: 30_000 });
          await frame.locator('td', { hasText: 'tap-chassis' }).waitFor({ state: 'visible', timeout: 30_000 });
          await frame.locator('[data-chart="CPU"] polyline').waitFor({ state: 'attached', timeout: 60_000 });
          const cpu = (await frame.locator('[data-chart="CPU"] .now').innerText()).trim();
          const live = (await frame.locator('tr', { hasText: 'IP (live)' }).innerText()).replace(/\s+/g, ' ');
          ctx.log(`details page: CPU ${cpu}; ${live}`);
          if (!live.includes(leased)) throw new Error(`the details page's live IP row lacks ${leased}: ${live}`);
          await ctx.screenshot('vm-details-light');
          await pickTheme(page, 'Dark Modern', { settleMs: 800 });
          await ctx.screenshot('vm-details-dark');
          await page.keyboard.press('Control+W').catch(() => {});
        } finally {
          // dnsmasq runs on this machine (in hv1's network namespace only): stopped by its pid file.
          try { if (existsSync(pid)) process.kill(Number(readFileSync(pid, 'utf8').trim())); } catch (err) { ctx.log(`could not stop dnsmasq: ${err.message}`); }
          rmSync(dir, { recursive: true, force: true });
        }
      }),
    },
  ];
}
