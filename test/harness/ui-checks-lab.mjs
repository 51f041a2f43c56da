// UI checks of the lab bring-up (spread into uiChecks by ui-checks.mjs): the Plan view in the vsim
// sidebar, and the one confirmation modal of Lab: Destroy naming every VM and network of the file.
// The file declares its own ui-check- VMs and bridge on the sandbox's vsim-hv1 (unreachable when the
// sandbox is not up: the Plan view then shows the host's error); the modal is cancelled, and even a
// wrong click could only touch what this file declares, which is never created.
import fs from 'node:fs';
import path from 'node:path';
import { hostRow, labsPane, setOpen, treeQuiet } from './ui-menu.mjs';
import { answerModal, modalShown, toastMatching } from './ui-notify.mjs';
import { whenSandboxUp } from './ui-sandbox.mjs';

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
// hv3 has no libvirtd: both guests are qemu VMs started from the sandbox's launcher in their host's
// network namespace (as test/sandbox-tests/fabricLab.ts declares them), so Lab: Up runs them for real.
const FABRIC_FILE = 'ui-fabric.vsim.yaml';
const FABRIC_BRIDGE = 'uifabbr';
const FABRIC_PORT = 'vx4343';
const FABRIC_GUESTS = [
  { name: 'ui-fab-a', host: 'vsim-hv1', netns: 'vsim-hv1', mac: '52:54:00:00:17:0a', ip: '10.80.0.10', tap: 'tap-uifaba' },
  { name: 'ui-fab-b', host: 'vsim-hv3', netns: 'vsim-hv3', mac: '52:54:00:00:17:0b', ip: '10.80.0.11', tap: 'tap-uifabb' },
];
const fabricGuest = (g) => `  ${g.name}:
    host: ${g.host}
    backend: qemu
    accel: tcg
    memory: 256
    nics: [{ network: ui-fab, mac: "${g.mac}", ip: ${g.ip}, tap: ${g.tap} }]
    sockets: { qmp: /run/vsim-sandbox/qemu/${g.name}/qmp.sock, serial: /run/vsim-sandbox/qemu/${g.name}/serial.sock }
    start: { argv: [env, VSIM_HV1_NETNS=${g.netns}, VSIM_QEMU_BRIDGE=${FABRIC_BRIDGE}, VSIM_QEMU_WAIT_READY=0, /run/vsim-sandbox/bin/vsim-sandbox-qemu-up, ${g.name}, "${g.mac}", ${g.ip}/24, ${g.tap}] }
`;
const FABRIC = `version: 1
name: ui-fabric
hosts:
  vsim-hv1: { sshConfigHost: vsim-hv1, kvm: false, underlay: 10.78.0.1 }
  vsim-hv3: { sshConfigHost: vsim-hv3, kvm: false, underlay: 10.78.0.3 }
networks:
  ui-fab: { hosts: [vsim-hv1, vsim-hv3], bridge: ${FABRIC_BRIDGE}, tunnel: { kind: vxlan, vni: 4343 }, mtu: 1450, subnet: 10.80.0.0/24, gateway: 10.80.0.1 }
vms:
${FABRIC_GUESTS.map(fabricGuest).join('')}links:
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

/** The vxlan ports on a sandbox host, over OpenSSH. */
const vxlanPorts = (ssh, host) => JSON.parse(ssh.run(host, 'ip', '-j', 'link', 'show', 'type', 'vxlan') || '[]').map((l) => l.ifname);

/** Whether `dev` exists on the host (`ip link show` exits non-zero for a missing device: execFileSync throws). */
function linkExists(ssh, host, dev) {
  try {
    ssh.run(host, 'ip', 'link', 'show', 'dev', dev);
    return true;
  } catch {
    return false;
  }
}

/** Leaves both hosts without the fabric lab: its guests stopped the sandbox's way (test/sandbox/qemu/down.sh), its port and bridge removed. */
function fabricCleanUp(ssh, ctx) {
  for (const g of FABRIC_GUESTS) {
    try { ssh.run(g.host, 'env', `VSIM_SANDBOX_DIR=${path.join(ctx.repo, '.sandbox')}`, path.join(ctx.repo, 'test/sandbox/qemu/down.sh'), g.name); } catch (err) { ctx.log(`down.sh ${g.name}: ${err.message}`); }
  }
  // Plain words only: ssh joins them for the remote shell (no sh -c script survives that unquoted).
  for (const h of ['vsim-hv1', 'vsim-hv3']) {
    for (const dev of [FABRIC_PORT, FABRIC_BRIDGE]) if (linkExists(ssh, h, dev)) ssh.run(h, 'ip', 'link', 'del', 'dev', dev);
  }
}

/**
 * Folds every file row of the Labs pane but `labName`'s, one click at a time and looking again after
 * each (a fold moves the rows below it: the view renders only the rows that fit), so that its rows fit.
 */
async function onlyFileOpen(labs, labName) {
  for (let pass = 0; pass < 20; pass++) {
    let clicked = false;
    for (const row of await labs.locator('.monaco-list-row[aria-level="1"]').all()) {
      const open = (await row.innerText().catch(() => '')).trim().startsWith(labName);
      if (((await row.getAttribute('aria-expanded')) === 'true') === open) continue;
      await row.click();
      clicked = true;
      break;
    }
    if (!clicked) return;
  }
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
      name: 'lab across two hosts: Lab: Up from the palette (its modal names the vxlan port on each host) starts both guests, the Labs tree shows them running under hv1 and hv3; Lab: Destroy, confirmed, leaves no tunnel port (OpenSSH)',
      timeoutMs: 300_000,
      run: whenSandboxUp('the lab has no hosts to come up on', async (page, ctx, ssh) => {
        fabricCleanUp(ssh, ctx);
        const seen = new Set(await page.locator('.notification-toast .notification-list-item-message').allInnerTexts());
        try {
          await withWorkspaceFile(page, ctx, FABRIC_FILE, FABRIC, async () => {
            await runLabCommand(page, 'vsim: Lab: Up', FABRIC_FILE);
            const up = await modalShown(page, 60_000);
            ctx.log(`Up modal: ${up.text}`);
            for (const host of ['vsim-hv1', 'vsim-hv3']) if (!new RegExp(`tunnel ${FABRIC_PORT} [^]*missing on ${host}`).test(up.text)) throw new Error(`the Up modal does not name ${FABRIC_PORT} on ${host}: ${up.text}`);
            for (const g of FABRIC_GUESTS) if (!up.text.includes(`start ${g.name}`)) throw new Error(`the Up modal does not start ${g.name}: ${up.text}`);
            await ctx.screenshot('lab-fabric-up-modal');
            await answerModal(up.box, 'Up');
            const done = await toastMatching(page, /^vsim: Up ui-fabric: \d+ done/, { seen, timeout: 180_000 });
            ctx.log(`Up: ${done.severity}: ${done.text}`);
            if (done.severity !== 'info') throw new Error(`Up failed: ${done.text}`);
            for (const host of ['vsim-hv1', 'vsim-hv3']) {
              const d = JSON.parse(ssh.run(host, 'ip', '-j', '-d', 'link', 'show', 'dev', FABRIC_PORT))[0];
              if (d?.master !== FABRIC_BRIDGE || d?.linkinfo?.info_data?.id !== 4343) throw new Error(`${FABRIC_PORT} on ${host}: ${JSON.stringify(d)}`);
            }
            const labs = await labsPane(page, showVsimView);
            await onlyFileOpen(labs, 'ui-fabric');
            for (const g of FABRIC_GUESTS) {
              const host = hostRow(labs, g.host); // its label runs into "1 VM": no word boundary after the name
              await host.waitFor({ state: 'visible', timeout: 30_000 });
              await setOpen(host, true);
              await labs.locator('.monaco-list-row', { hasText: new RegExp(`${g.name}\\s*running\\b.*qemu`) }).first().waitFor({ state: 'visible', timeout: 60_000 });
            }
            await treeQuiet(page);
            ctx.log(`Labs tree: ${JSON.stringify((await labs.locator('.monaco-list-row').allInnerTexts()).map((t) => t.replace(/\s+/g, ' ')))}`);
            await ctx.screenshot('lab-fabric-up-tree');

            await runLabCommand(page, 'vsim: Lab: Destroy', FABRIC_FILE);
            const destroy = await modalShown(page, 60_000);
            ctx.log(`Destroy modal: ${destroy.text}`);
            for (const host of ['vsim-hv1', 'vsim-hv3']) if (!destroy.text.includes(`remove tunnel port ${FABRIC_PORT} (network ui-fab) on ${host}`)) throw new Error(`the Destroy modal does not name ${FABRIC_PORT} on ${host}: ${destroy.text}`);
            await answerModal(destroy.box, 'Destroy');
            const gone = await toastMatching(page, /^vsim: Destroy ui-fabric: \d+ removed/, { seen, timeout: 120_000 });
            ctx.log(`Destroy: ${gone.severity}: ${gone.text}`);
            if (gone.severity !== 'info') throw new Error(`Destroy failed: ${gone.text}`);
            for (const host of ['vsim-hv1', 'vsim-hv3']) {
              const ports = vxlanPorts(ssh, host);
              if (ports.includes(FABRIC_PORT)) throw new Error(`${host} still has ${FABRIC_PORT} after Destroy: ${JSON.stringify(ports)}`);
              if (linkExists(ssh, host, FABRIC_BRIDGE)) throw new Error(`${host} still has ${FABRIC_BRIDGE} after Destroy`);
              ctx.log(`${host} after Destroy: vxlan ports ${JSON.stringify(ports)}, no ${FABRIC_BRIDGE}`);
            }
            // A qemu VM without its QEMU reads as its monitor says ("no QMP socket …"), not the word "stopped".
            for (const g of FABRIC_GUESTS) await labs.locator('.monaco-list-row', { hasText: new RegExp(`^\\s*${g.name}(?!\\s*running)\\S`) }).first().waitFor({ state: 'visible', timeout: 60_000 });
            // Their boot watches (started by Up) end once the refresh lists them stopped: no notification lingers.
            await page.locator('.notification-toast', { hasText: /booting ui-fab-/ }).first().waitFor({ state: 'hidden', timeout: 30_000 });
            await ctx.screenshot('lab-fabric-destroyed-tree');
          });
        } finally {
          fabricCleanUp(ssh, ctx);
          // The later checks find the sandbox lab's rows as the run left them: its file open, the others folded.
          await onlyFileOpen(await labsPane(page, showVsimView), 'sandbox').catch((err) => ctx.log(`could not unfold the sandbox lab again: ${err.message}`));
        }
      }),
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
