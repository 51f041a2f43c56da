// UI checks of the lab bring-up (spread into uiChecks by ui-checks.mjs): the Plan view in the vsim
// sidebar, and the one confirmation modal of Lab: Destroy naming every VM and network of the file.
// The file declares its own ui-check- VMs and bridge on the sandbox's vsim-hv1 (unreachable when the
// sandbox is not up: the Plan view then shows the host's error); the modal is cancelled, and even a
// wrong click could only touch what this file declares, which is never created.
import fs from 'node:fs';
import path from 'node:path';
import { answerModal, modalShown } from './ui-notify.mjs';

const FILE = 'ui-check.vsim.yaml';
const TOPOLOGY = `version: 1
name: ui-check
hosts:
  vsim-hv1: { sshConfigHost: vsim-hv1, kvm: false }
networks:
  ui-check-br: { host: vsim-hv1, subnet: 192.168.151.0/24, gateway: 192.168.151.1 }
vms:
  ui-check-a: { host: vsim-hv1, backend: libvirt, accel: tcg, memory: 128, nics: [{ network: ui-check-br, mac: "52:54:00:00:16:0a" }] }
  ui-check-b: { host: vsim-hv1, backend: libvirt, accel: tcg, memory: 128, nics: [{ network: ui-check-br, mac: "52:54:00:00:16:0b" }] }
`;

// Two hosts and a network spanning them (vsim-hv3 is the sandbox's third host, test/sandbox/sandbox.sh):
// the Plan view lists a vxlan port per host, the graph draws the network once joined to both hosts.
const FABRIC_FILE = 'ui-fabric.vsim.yaml';
const FABRIC = `version: 1
name: ui-fabric
hosts:
  vsim-hv1: { sshConfigHost: vsim-hv1, kvm: false, underlay: 10.78.0.1 }
  vsim-hv3: { sshConfigHost: vsim-hv3, kvm: false, underlay: 10.78.0.3 }
networks:
  ui-fab: { hosts: [vsim-hv1, vsim-hv3], bridge: uifabbr, tunnel: { kind: vxlan, vni: 4343 }, mtu: 1450, subnet: 10.80.0.0/24, gateway: 10.80.0.1 }
vms:
  ui-fab-a: { host: vsim-hv1, backend: libvirt, accel: tcg, memory: 128, nics: [{ network: ui-fab, mac: "52:54:00:00:17:0a", ip: 10.80.0.10 }] }
  ui-fab-b: { host: vsim-hv3, backend: libvirt, accel: tcg, memory: 128, nics: [{ network: ui-fab, mac: "52:54:00:00:17:0b", ip: 10.80.0.11 }] }
links:
  ui-fab-ab: { endpoints: [ui-fab-a, ui-fab-b] }
`;

/**
 * F1, the command, then the file in the "which topology?" pick that follows. A file written just
 * before is listed once the workspace's watcher has seen it: until then the pick lacks it, so the
 * command is asked again (Escape, F1) until the file is there or the attempts run out.
 */
async function runLabCommand(page, title, fileName, attempts = 4) {
  const input = page.locator('.quick-input-widget input');
  for (let i = 1; ; i++) {
    await page.locator('.monaco-workbench').click({ position: { x: 800, y: 5 } }).catch(() => {});
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.fill(`>${title}`);
    await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().click();
    const pick = page.locator('.quick-input-list .monaco-list-row', { hasText: fileName }).first();
    try {
      await pick.waitFor({ state: 'visible', timeout: 8_000 });
    } catch (err) {
      if (i >= attempts) throw err;
      await page.keyboard.press('Escape');
      continue;
    }
    await pick.click();
    return;
  }
}

/** Writes `text` to the workspace's `name`, runs `body`, then (also when it threw) presses Escape and removes the file. */
async function withWorkspaceFile(page, ctx, name, text, body) {
  const file = path.join(ctx.workspace, name);
  fs.writeFileSync(file, text);
  try {
    await body();
  } finally {
    await page.keyboard.press('Escape').catch(() => {});
    fs.rmSync(file, { force: true });
  }
}

/**
 * Shows the Plan pane of the vsim sidebar (unfolded) and runs Lab: Plan on `fileName`. Returns a
 * row of the pane by its text, and the texts of all its rows (for the log).
 */
async function planOf(page, showVsimView, fileName) {
  await showVsimView(page);
  const sidebar = page.locator('.part.sidebar');
  await sidebar.locator('.pane-header', { hasText: /plan/i }).first().waitFor({ state: 'visible', timeout: 15_000 });
  const planPane = sidebar.locator('.pane', { has: page.locator('.pane-header', { hasText: /^\s*plan/i }) }).first();
  const header = planPane.locator('.pane-header').first();
  if ((await header.getAttribute('aria-expanded')) === 'false') await header.click();
  await runLabCommand(page, 'vsim: Lab: Plan', fileName);
  return {
    row: (text) => planPane.locator('.monaco-list-row', { hasText: text }).first(),
    rowTexts: async () => (await planPane.locator('.monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ')),
  };
}

export function labUiChecks({ showVsimView, openFile, runCommand, graphFrame }) {
  return [
    {
      name: 'lab across two hosts: the Plan view lists the vxlan tunnel port missing on each host; the graph draws the spanning network once, joined to both host clusters',
      timeoutMs: 120_000,
      async run(page, ctx) {
        await withWorkspaceFile(page, ctx, FABRIC_FILE, FABRIC, async () => {
          const { row, rowTexts } = await planOf(page, showVsimView, FABRIC_FILE);
          // Each host's row, then its tunnel line (the host rows are expanded by the view).
          for (const [host, peer] of [['vsim-hv1', '10.78.0.3'], ['vsim-hv3', '10.78.0.1']]) {
            await row(host).waitFor({ state: 'visible', timeout: 30_000 });
            await row(`tunnel vx4343 (network ui-fab, vxlan 4343 to ${peer}): missing on ${host}`).waitFor({ state: 'visible', timeout: 30_000 });
          }
          ctx.log(`Plan view rows: ${JSON.stringify(await rowTexts())}`);
          await ctx.screenshot('lab-fabric-plan-view');
          await runCommand(page, 'View: Close All Editors').catch(() => {});
          await openFile(page, FABRIC_FILE);
          await runCommand(page, 'vsim: Open Topology Graph');
          const status = graphFrame(page).locator('#status[data-nodes="5"]');
          await status.waitFor({ state: 'visible', timeout: 30_000 });
          const drawn = await graphFrame(page).locator('body').evaluate(() => ({
            labels: window.vsimGraph.labels().map((l) => l.id),
            tunnelDrawn: window.vsimGraph.svg().includes('vxlan 4343'),
            status: document.getElementById('status').innerText,
          }));
          ctx.log(`fabric graph: ${drawn.status.trim()}; labels ${JSON.stringify(drawn.labels)}`);
          for (const id of ['host:vsim-hv1', 'host:vsim-hv3', 'network:ui-fab', 'vm:ui-fab-a', 'vm:ui-fab-b']) {
            if (!drawn.labels.includes(id)) throw new Error(`the graph has no label for ${id}: ${JSON.stringify(drawn.labels)}`);
          }
          if (!drawn.tunnelDrawn) throw new Error('the graph does not show the vxlan 4343 tunnel (network label or host edge)');
          if (!/5 nodes · 2 VMs · 1 networks · 2 hosts · 1 links/.test(drawn.status)) throw new Error(`graph status ${JSON.stringify(drawn.status)}`);
          await ctx.screenshot('lab-fabric-graph');
          await runCommand(page, 'View: Close All Editors').catch(() => {});
        });
      },
    },
    {
      name: 'lab: the Plan view lists the missing VMs, bridge and undeclared domains; Lab: Destroy shows one modal naming every VM and network',
      timeoutMs: 90_000,
      async run(page, ctx) {
        await withWorkspaceFile(page, ctx, FILE, TOPOLOGY, async () => {
          const { row, rowTexts } = await planOf(page, showVsimView, FILE);
          await row('vsim-hv1').waitFor({ state: 'visible', timeout: 30_000 });
          // With the sandbox up: the missing VMs and bridge, and the sandbox's domains dimmed as not in topology.
          const missing = row('ui-check-a: libvirt VM missing');
          await missing.or(row('Not inspectable')).first().waitFor({ state: 'visible', timeout: 30_000 });
          if (await missing.isVisible()) await row('not in topology').waitFor({ state: 'visible', timeout: 10_000 });
          ctx.log(`Plan view rows: ${JSON.stringify(await rowTexts())}`);
          await ctx.screenshot('lab-plan-view');

          await runLabCommand(page, 'vsim: Lab: Destroy', FILE);
          const { box, text } = await modalShown(page);
          ctx.log(`Destroy modal: ${text}`);
          for (const name of ['ui-check-a', 'ui-check-b', 'ui-check-br']) if (!text.includes(name)) throw new Error(`the modal does not name ${name}: ${text}`);
          await ctx.screenshot('lab-destroy-modal');
          await answerModal(box, 'Cancel');
        });
      },
    },
  ];
}
