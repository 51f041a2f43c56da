// One lab across two sandbox hosts in the real VS Code: vsim-hv1 and vsim-hv3 (test/sandbox/sandbox.sh;
// hv3 is reached through hv1 and has no libvirtd, so both guests are qemu-backend VMs started from
// the sandbox's launcher in their host's network namespace, their taps on that host's end of the
// network). Lab: Plan names the bridge and the vxlan port missing on each host (also as Plan view
// rows); Lab: Up (its one confirmation) creates them on both hosts and starts both guests, the
// Labs tree shows each running under its host; Lab: Destroy (confirmed) removes them, and OpenSSH
// (not vsim's pool) finds no tunnel port and no bridge left on either host.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as vscode from 'vscode';
import type { LabRun } from '../../src/commands/lab/labCommands';
import type { VsimApi } from '../../src/extension';
import type { Lab } from '../../src/lab/lab';
import { describeChange, driftCount, type Plan } from '../../src/plan';
import type { PlanNode } from '../../src/tree/planTree';
import { sandboxApi, sandboxSsh, waitFor, writeLab } from './util';

const HOSTS = ['vsim-hv1', 'vsim-hv3'] as const;
const FILE = 'it-fabric.vsim.yaml';
const BRIDGE = 'itfabbr';
const VNI = 4444;
const PORT = `vx${VNI}`;
type Hv3 = { underlay: string; hv1Underlay: string; netns: string };
const GUESTS = [
  { name: 'itfab1', host: 'vsim-hv1', mac: '52:54:00:0f:ac:01', ip: '10.82.0.11', tap: 'tap-itfab1' },
  { name: 'itfab3', host: 'vsim-hv3', mac: '52:54:00:0f:ac:03', ip: '10.82.0.13', tap: 'tap-itfab3' },
] as const;

/** The file: one network spanning both hosts over vxlan, a qemu guest on each, the link between them. */
function topology(hv3: Hv3): string {
  const netns: Record<string, string> = { 'vsim-hv1': 'vsim-hv1', 'vsim-hv3': hv3.netns };
  const vm = (g: typeof GUESTS[number]): string => `  ${g.name}:
    host: ${g.host}
    backend: qemu
    accel: tcg
    memory: 256
    nics: [{ network: it-fab, mac: "${g.mac}", ip: ${g.ip}, tap: ${g.tap} }]
    sockets: { qmp: /run/vsim-sandbox/qemu/${g.name}/qmp.sock, serial: /run/vsim-sandbox/qemu/${g.name}/serial.sock }
    start: { argv: [env, VSIM_HV1_NETNS=${netns[g.host]}, VSIM_QEMU_BRIDGE=${BRIDGE}, VSIM_QEMU_WAIT_READY=0, /run/vsim-sandbox/bin/vsim-sandbox-qemu-up, ${g.name}, "${g.mac}", ${g.ip}/24, ${g.tap}] }
`;
  return `# The VS Code suite's lab across two sandbox hosts (test/integration/fabric.test.ts).
version: 1
name: it-fabric
hosts:
  vsim-hv1: { sshConfigHost: vsim-hv1, kvm: false, underlay: ${hv3.hv1Underlay} }
  vsim-hv3: { sshConfigHost: vsim-hv3, kvm: false, underlay: ${hv3.underlay} }
networks:
  it-fab: { hosts: [vsim-hv1, vsim-hv3], bridge: ${BRIDGE}, tunnel: { kind: vxlan, vni: ${VNI} }, mtu: 1450, subnet: 10.82.0.0/24, gateway: 10.82.0.1 }
vms:
${GUESTS.map(vm).join('')}links:
  itfab-13: { endpoints: [itfab1, itfab3] }
`;
}

(vscode.workspace.isTrusted ? describe : describe.skip)('lab across hosts: a network spanning vsim-hv1 and vsim-hv3 over vxlan (Plan, Up, Destroy)', function () {
  this.timeout(300_000);
  let api: VsimApi;
  let lab: Lab;
  let uri: vscode.Uri;
  let sandboxDir: string;
  let hv3: Hv3 | undefined;

  const ssh = sandboxSsh;
  const vxlanPorts = async (host: string): Promise<string[]> =>
    (JSON.parse((await ssh(host, 'ip', '-j', 'link', 'show', 'type', 'vxlan')).stdout || '[]') as { ifname: string }[]).map((l) => l.ifname);
  const bridgeExists = async (host: string): Promise<boolean> => (await ssh(host, 'ip', 'link', 'show', 'dev', BRIDGE)).code === 0;

  /** The sandbox's own stop of a guest (QMP quit, its tap and sockets removed); nothing running is fine. */
  async function guestsDown(): Promise<void> {
    await Promise.all(GUESTS.map((g) => ssh(g.host, 'env', `VSIM_SANDBOX_DIR=${sandboxDir}`, path.resolve(sandboxDir, '..', 'test/sandbox/qemu/down.sh'), g.name)));
    for (const h of HOSTS) {
      if ((await vxlanPorts(h)).includes(PORT)) await ssh(h, 'ip', 'link', 'del', 'dev', PORT);
      if (await bridgeExists(h)) await ssh(h, 'ip', 'link', 'del', 'dev', BRIDGE);
    }
  }

  before(async function () {
    api = await sandboxApi(this);
    sandboxDir = path.resolve(path.dirname(vscode.workspace.getConfiguration('vsim').get<string>('ssh.configFile')!), '..');
    const envFile = path.join(sandboxDir, 'env.json');
    hv3 = existsSync(envFile) ? (JSON.parse(readFileSync(envFile, 'utf8')) as { fabricHosts?: Record<string, Hv3> }).fabricHosts?.['vsim-hv3'] : undefined;
    if (!hv3) {
      console.log('      skipped: the sandbox has no third host (env.json fabricHosts.vsim-hv3): restart it with this test/sandbox/sandbox.sh');
      this.skip();
    }
    await guestsDown();
    ({ uri, lab } = await writeLab(api, FILE, topology(hv3)));
  });

  after(async () => {
    if (!hv3) return;
    await guestsDown();
    if (uri) await vscode.workspace.fs.delete(uri).then(undefined, () => undefined);
  });

  /** The Plan view's rows under `host` (label and description). */
  async function planRows(host: string): Promise<string[]> {
    const file = (await api.plans.tree.getChildren()).find((n) => n.kind === 'plan-file' && n.uri.toString() === uri.toString());
    assert.ok(file, 'the Plan view lists the file');
    const h = (await api.plans.tree.getChildren(file)).find((n): n is Extract<PlanNode, { kind: 'plan-host' }> => n.kind === 'plan-host' && n.host === host);
    assert.ok(h, `the Plan view lists ${host}`);
    return (await api.plans.tree.getChildren(h)).map((n) => {
      const item = api.plans.tree.getTreeItem(n);
      return `${String(item.label)} ${String(item.description ?? '')}`.trim();
    });
  }

  /** The Labs tree's VM rows under `host` of this file: name → description. */
  async function treeVms(host: string): Promise<Record<string, string>> {
    const fileNode = (await api.tree.getChildren()).find((n) => n.kind === 'file' && n.uri.toString() === uri.toString());
    assert.ok(fileNode, 'the Labs tree lists the file');
    const hostNode = (await api.tree.getChildren(fileNode)).find((n) => n.kind === 'host' && n.host === host);
    assert.ok(hostNode, `the Labs tree lists ${host}`);
    const vms = (await api.tree.getChildren(hostNode)).filter((n) => n.kind === 'vm');
    return Object.fromEntries(vms.map((n) => [n.kind === 'vm' ? n.vm : '', String(api.tree.getTreeItem(n).description ?? '')]));
  }

  it('Lab: Plan names, per host, the bridge and the vxlan port towards the other host as missing (also in the Plan view)', async () => {
    const plan = (await vscode.commands.executeCommand('vsim.planLab', uri)) as Plan;
    assert.deepEqual(plan.hosts.map((h) => [h.host, h.error ?? '']), HOSTS.map((h) => [h, '']));
    const peer: Record<string, string> = { 'vsim-hv1': hv3!.underlay, 'vsim-hv3': hv3!.hv1Underlay };
    for (const h of plan.hosts) {
      const lines = h.changes.filter((c) => c.kind !== 'vm-undeclared').map(describeChange);
      console.log('      plan of %s: %s', h.host, JSON.stringify(lines));
      assert.ok(lines.includes(`+ network it-fab: bridge ${BRIDGE} missing on ${h.host}, will be created`), `${h.host}: bridge ${BRIDGE} missing: ${JSON.stringify(lines)}`);
      assert.ok(lines.includes(`+ tunnel ${PORT} (network it-fab, vxlan ${VNI} to ${peer[h.host]}): missing on ${h.host}, will be added to ${BRIDGE}`), `${h.host}: ${PORT} to ${peer[h.host]} missing: ${JSON.stringify(lines)}`);
      const rows = await planRows(h.host);
      assert.ok(rows.some((r) => r.includes(`tunnel ${PORT} (network it-fab, vxlan ${VNI} to ${peer[h.host]})`) && r.includes(`missing on ${h.host}`)), `a Plan view row for ${PORT} on ${h.host}: ${JSON.stringify(rows)}`);
    }
  });

  it('Lab: Up (one confirmation) creates bridge and tunnel on both hosts and starts both guests; the Labs tree shows each running under its host', async () => {
    let asked: { message: string; lines: string[] } | undefined;
    const t0 = Date.now();
    const r = (await vscode.commands.executeCommand('vsim.labUp', { kind: 'file', uri }, undefined, {
      confirm: (c: { message: string; lines: string[] }) => { asked = c; return true; },
    })) as LabRun;
    console.log('      Up confirmation: %s\n        %s', asked?.message, asked?.lines.join('\n        '));
    console.log('      Up: %s in %d ms', r.summary, Date.now() - t0);
    assert.ok(asked, 'Up asked once');
    for (const h of HOSTS) assert.ok(asked.lines.some((l) => l.includes(`tunnel ${PORT}`) && l.includes(`on ${h}`)), `the confirmation names ${PORT} on ${h}`);
    for (const g of GUESTS) assert.ok(asked.lines.some((l) => l.startsWith(`start ${g.name} `)), `the confirmation starts ${g.name}`);
    assert.deepEqual(r.result.failed, [], r.summary);
    assert.deepEqual(r.result.done.filter((id) => /\/(tunnel|start)\//.test(id)).sort(),
      ['vsim-hv1/start/itfab1', `vsim-hv1/tunnel/${PORT}`, 'vsim-hv3/start/itfab3', `vsim-hv3/tunnel/${PORT}`]);
    for (const h of HOSTS) {
      const d = await ssh(h, 'ip', '-j', '-d', 'link', 'show', 'dev', PORT);
      const info = (JSON.parse(d.stdout || '[]') as { master?: string; linkinfo?: { info_data?: { id?: number } } }[])[0];
      assert.deepEqual([info?.master, info?.linkinfo?.info_data?.id], [BRIDGE, VNI], `${PORT} on ${h} over OpenSSH: ${d.stdout}${d.stderr}`);
    }
    for (const g of GUESTS) {
      const tap = await ssh(g.host, 'ip', '-j', 'link', 'show', 'dev', g.tap);
      assert.equal((JSON.parse(tap.stdout || '[]') as { master?: string }[])[0]?.master, BRIDGE, `${g.tap} on ${g.host} is a port of ${BRIDGE}`);
      await waitFor(`${g.name} running on ${g.host} in the Lab`, () => (lab.host(g.host).vms[g.name]?.state === 'running' ? true : undefined), 60_000, 200);
      const rows = await treeVms(g.host);
      console.log('      Labs tree under %s: %s', g.host, JSON.stringify(rows));
      assert.match(rows[g.name] ?? '', /^running\b.* · qemu · /, `the tree shows ${g.name} running under ${g.host}: ${JSON.stringify(rows)}`);
    }
    assert.ok(r.plan, 'planned again after Up');
    assert.equal(driftCount(r.plan), 0, `in sync after Up: ${JSON.stringify(r.plan.hosts.map((h) => h.changes.filter((c) => c.kind !== 'vm-undeclared').map(describeChange)))}`);
  });

  it('Lab: Destroy (confirmed, naming the tunnel port on each host) stops both guests and leaves no tunnel port and no bridge on either host (OpenSSH)', async () => {
    const otherPorts = Object.fromEntries(await Promise.all(HOSTS.map(async (h) => [h, (await vxlanPorts(h)).filter((p) => p !== PORT)] as const)));
    let asked: { message: string; lines: string[] } | undefined;
    const r = (await vscode.commands.executeCommand('vsim.labDestroy', { kind: 'file', uri }, undefined, {
      confirm: (c: { message: string; lines: string[] }) => { asked = c; return true; },
    })) as LabRun;
    console.log('      Destroy confirmation: %s\n        %s', asked?.message, asked?.lines.join('\n        '));
    assert.ok(asked);
    for (const h of HOSTS) assert.ok(asked.lines.includes(`remove tunnel port ${PORT} (network it-fab) on ${h}`), `names ${PORT} on ${h}`);
    assert.deepEqual(r.result.failed, [], r.summary);
    for (const h of HOSTS) {
      const ports = await vxlanPorts(h);
      assert.ok(!ports.includes(PORT), `${h} has no ${PORT}: ${JSON.stringify(ports)}`);
      assert.deepEqual(ports, otherPorts[h], `${h}: no other vxlan port touched`);
      assert.ok(!(await bridgeExists(h)), `${h} has no ${BRIDGE}`);
    }
    for (const g of GUESTS) {
      await waitFor(`${g.name} stopped in the Lab`, () => (lab.host(g.host).vms[g.name]?.state === 'stopped' ? true : undefined), 60_000, 200);
      const pid = await ssh(g.host, 'sh', '-c', `pgrep -f 'process=qemu-${g.name}( |$)' || true`);
      assert.equal(pid.stdout.trim(), '', `${g.name}'s QEMU is gone from ${g.host}`);
    }
  });
});
