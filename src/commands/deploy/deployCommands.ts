// Deploy and export: the topology as the hypervisor's NixOS configuration (nix/).
// - vsim.exportNixos (file | any node of the file | topology path?, output path?): `vsim export --json`
//   of a topology, written next to it (NAME.json) or to a chosen path; returns { path, bytes }.
// - vsim.deploySlot (slot node | VM node | 'slotN' | 'vm'): seed 002's slot deploy run ON the
//   hypervisor: `nixos-rebuild switch --flake <host flake>#<VM> --target-host root@<slot IP>`.
// - vsim.deployHost (host node | 'host'): `nixos-rebuild switch --flake <host flake>#<host>` run on
//   the host itself over its SSH connection. Both with the build progress UI and Cancel; when
//   nixos-rebuild is missing on the host: "nixos-rebuild not found on HOST".
import * as path from 'node:path';
import * as vscode from 'vscode';
import { hostDeployPlan, slotDeployPlan, type BuildPlan } from '../../build/plan';
import { model } from '../../common/model';
import type { Lab } from '../../lab/lab';
import type { Connections } from '../../workspace/connections';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import { Notice } from '../notice';
import { targetCommand } from '../registry';
import type { Target } from '../targets';
import { nixSettings, runPlanWithUi, streamOpener, type BuildSummary } from '../build/buildUi';

// ---- export ------------------------------------------------------------------------------------

/** The topology a target is of: its file; a bare name is the topology's path. */
function topologyUriOf(t: Target | undefined): vscode.Uri | undefined {
  if (t?.kind === 'named') return t.uri ?? vscode.Uri.file(t.name);
  return t?.uri;
}

export function exportedPathFor(topology: vscode.Uri): vscode.Uri {
  const base = path.posix.basename(topology.path).replace(/\.vsim\.ya?ml$/, '');
  return vscode.Uri.joinPath(topology, '..', `${base}.json`);
}

export function exportNixos(labs: WorkspaceLabs) {
  return targetCommand(async (call): Promise<{ path: string; bytes: number } | undefined> => {
    let uri = topologyUriOf(call.target);
    if (!uri) {
      const active = vscode.window.activeTextEditor?.document.uri;
      if (active && /\.vsim\.ya?ml$/.test(active.path)) uri = active;
    }
    if (!uri) {
      await labs.ready();
      const items = labs.all().map((e) => ({ label: vscode.workspace.asRelativePath(e.uri), uri: e.uri }));
      if (!items.length) throw new Notice('No *.vsim.yaml topology in the workspace to export.');
      const picked = items.length === 1 ? items[0] : await vscode.window.showQuickPick(items, { title: 'Export NixOS Module Input', placeHolder: 'Choose a topology file' });
      if (!picked) return undefined;
      uri = picked.uri;
    }
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
    const r = model().exportTopology(text);
    if (!r.ok) {
      const first = r.problems.find((p) => p.severity === 'error');
      throw new Error(`${vscode.workspace.asRelativePath(uri)} has ${r.problems.filter((p) => p.severity === 'error').length} error(s); fix them before exporting${first ? ` (first: ${first.message})` : ''}.`);
    }
    const [outPath] = call.values;
    let out = outPath !== undefined ? vscode.Uri.file(outPath) : undefined;
    if (!out) {
      const next = exportedPathFor(uri);
      if (call.target) out = next;
      else {
        const choice = await vscode.window.showQuickPick([
          { label: `Next to the topology: ${vscode.workspace.asRelativePath(next)}`, uri: next as vscode.Uri | undefined },
          { label: 'Choose a file…', uri: undefined },
        ], { title: 'Export the NixOS module input (vsim export --json)' });
        if (!choice) return undefined;
        out = choice.uri ?? await vscode.window.showSaveDialog({ defaultUri: next, filters: { JSON: ['json'] }, title: 'Export topology for nix/' });
        if (!out) return undefined;
      }
    }
    const bytes = new TextEncoder().encode(r.json);
    await vscode.workspace.fs.writeFile(out, bytes);
    void vscode.window.showInformationMessage(`vsim: exported ${vscode.workspace.asRelativePath(uri)} → ${vscode.workspace.asRelativePath(out)}. Use it with nix/'s module: services.vsim = { enable = true; topology = ./${path.posix.basename(out.path)}; host = "…"; }.`);
    return { path: out.fsPath, bytes: bytes.length };
  });
}

// ---- deploy ------------------------------------------------------------------------------------

async function requireProgram(connections: Connections, lab: Lab, hostName: string, program: string): Promise<void> {
  const { run } = await lab.context(hostName);
  const r = await run.exec(['sh', '-c', 'command -v "$1"', 'sh', program]);
  if (r.code !== 0) throw new Error(`${program} not found on ${hostName}: install it there (NixOS has it; elsewhere use nixos-rebuild from nixpkgs) or deploy from a machine that has it.`);
}

async function deploy(connections: Connections, lab: Lab, key: string, plan: BuildPlan): Promise<BuildSummary> {
  await requireProgram(connections, lab, plan.host, 'nixos-rebuild');
  const remote = await streamOpener(connections, lab, plan.host);
  const settings = nixSettings();
  return lab.queue.run(key, 'deploying', () => runPlanWithUi(key, plan, remote, { settings }));
}

function findLab(labs: WorkspaceLabs, uri: vscode.Uri | undefined, has: (lab: Lab) => boolean): Lab | undefined {
  if (uri) return labs.get(uri)?.lab;
  return labs.all().map((e) => e.lab).find((l): l is Lab => !!l && has(l));
}

export function deploySlot(labs: WorkspaceLabs, connections: Connections) {
  return targetCommand(async ({ target: n }): Promise<BuildSummary | undefined> => {
    await labs.ready();
    let name: string | undefined;
    let uri: vscode.Uri | undefined;
    if (n?.kind === 'slot') ({ slot: name, uri } = n);
    else if (n?.kind === 'vm') ({ vm: name, uri } = n);
    else if (n?.kind === 'named') ({ name, uri } = n);
    if (!name) {
      const items = labs.all().flatMap((e) => Object.entries(e.lab?.current.slots ?? {}).map(([s, slot]) => ({ label: s, description: `${slot.ip ?? ''} · ${slot.host}`, uri: e.uri })));
      if (!items.length) throw new Notice('No slots in the workspace\'s topologies.');
      const picked = await vscode.window.showQuickPick(items, { title: 'Deploy Slot (nixos-rebuild switch --target-host)', placeHolder: 'Choose a slot' });
      if (!picked) return undefined;
      ({ label: name, uri } = picked);
    }
    const slotName = name;
    const lab = findLab(labs, uri, (l) => !!l.current.slots?.[slotName] || !!l.current.vms?.[slotName]?.slot);
    if (!lab) throw new Error(`No slot or slot VM named ${slotName} in the workspace's topologies.`);
    const plan = slotDeployPlan(lab.current, slotName);
    return deploy(connections, lab, plan.vm, plan);
  });
}

export function deployHost(labs: WorkspaceLabs, connections: Connections) {
  return targetCommand(async ({ target: n }): Promise<BuildSummary | undefined> => {
    await labs.ready();
    let hostName: string | undefined;
    let uri: vscode.Uri | undefined;
    if (n?.kind === 'host') ({ host: hostName, uri } = n);
    else if (n?.kind === 'named') ({ name: hostName, uri } = n);
    if (!hostName) {
      const items = labs.all().flatMap((e) => Object.entries(e.lab?.current.hosts ?? {}).map(([h, host]) => ({ label: h, description: host.flake ?? 'no flake set', uri: e.uri })));
      const picked = await vscode.window.showQuickPick(items, { title: 'Deploy Host (nixos-rebuild switch --flake <flake>#<host>)', placeHolder: 'Choose a host' });
      if (!picked) return undefined;
      ({ label: hostName, uri } = picked);
    }
    const h = hostName;
    const lab = findLab(labs, uri, (l) => !!l.current.hosts[h]);
    if (!lab) throw new Error(`No host named ${h} in the workspace's topologies.`);
    return deploy(connections, lab, `host:${h}`, hostDeployPlan(lab.current, h));
  });
}
