// Deploy and export: the topology as the hypervisor's NixOS configuration (nix/).
// - vsim.exportNixos (file | any node of the file | topology path?, output path?): `vsim export --json`
//   of a topology, written next to it (NAME.json) or to a chosen path; returns { path, bytes }.
// - vsim.deploySlot (slot node | VM node | 'slotN' | 'vm'): seed 002's slot deploy run ON the
//   hypervisor: `nixos-rebuild switch --flake <host flake>#<VM> --target-host root@<slot IP>`.
// - vsim.deployHost (host node | 'host'): `nixos-rebuild switch --flake <host flake>#<host>` run on
//   the host itself over its SSH connection. Both with the build progress UI and Cancel; when
//   nixos-rebuild is missing on the host: "nixos-rebuild not found on HOST".
// - vsim.deployLab (file | host node): seed 002's `nixos-rebuild switch --flake <checkout>#<host>
//   --target-host root@<host>` for every host of the lab, run on this machine from the local
//   checkout (src/build/deployLab.ts), all hosts at once, progress per host, one Cancel.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { deployLab, describeDeploy, type HostDeployResult } from '../../build/deployLab';
import { localOpener } from '../../build/localStream';
import { hostDeployPlan, labDeployPlans, nixEnv, slotDeployPlan, type BuildPlan } from '../../build/plan';
import { log } from '../../common/log';
import { model } from '../../common/model';
import type { Lab } from '../../lab/lab';
import { buildCommand } from '../../remote/quote';
import type { Connections } from '../../workspace/connections';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import { askConfirmation } from '../confirm';
import { labName, labTarget, requireTrust } from '../lab/labTarget';
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

// ---- deploy lab --------------------------------------------------------------------------------

/** The local checkout holding the lab's flake: the nearest folder with a flake.nix from the topology up to its workspace folder. */
async function checkoutOf(topology: vscode.Uri): Promise<vscode.Uri> {
  const root = vscode.workspace.getWorkspaceFolder(topology)?.uri;
  let dir = vscode.Uri.joinPath(topology, '..');
  for (;;) {
    try {
      await vscode.workspace.fs.stat(vscode.Uri.joinPath(dir, 'flake.nix'));
      return dir;
    } catch {
      // not here: one folder up
    }
    const up = vscode.Uri.joinPath(dir, '..');
    if (!root || dir.toString() === root.toString() || up.toString() === dir.toString()) break;
    dir = up;
  }
  throw new Error(`No flake.nix next to ${vscode.workspace.asRelativePath(topology)} or above it in its workspace folder: Deploy Lab runs nixos-rebuild --flake <checkout>#<host> from the checkout that holds nixosConfigurations.<host>.`);
}

/**
 * vsim.deployLab (file | host node | topology path?): the seed 002 deploy for every host of the
 * lab (a host node: that host), from the local checkout, on this machine: one modal with each
 * command, one notification with every host's progress and Cancel, a summary naming each host.
 */
export function deployLabCommand(labs: WorkspaceLabs) {
  return targetCommand(async (call): Promise<HostDeployResult[] | undefined> => {
    requireTrust();
    const t = await labTarget(labs, call.target, 'Deploy Lab (nixos-rebuild switch --target-host, every host)');
    const dir = await checkoutOf(t.entry.uri);
    const plans = labDeployPlans(t.lab.current, dir.fsPath, t.hosts ?? call.options.hosts);
    const ok = await askConfirmation(call.options, {
      message: `Deploy ${labName(t)}: nixos-rebuild switch on ${plans.length} host${plans.length === 1 ? '' : 's'} from ${vscode.workspace.asRelativePath(dir)}?`,
      lines: plans.map((p) => `${p.host}: ${buildCommand(p.argv)}`),
      button: 'Deploy',
    });
    if (!ok) return undefined;
    const state = new Map(plans.map((p) => [p.host, 'starting']));
    const results = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `vsim: Deploying ${labName(t)}`, cancellable: true },
      async (progress, token) => {
        const abort = new AbortController();
        const sub = token.onCancellationRequested(() => abort.abort());
        const show = (): void => progress.report({ message: [...state].map(([h, s]) => `${h}: ${s}`).join(' · ') });
        show();
        try {
          return await deployLab(plans, localOpener({ ...process.env, ...nixEnv(nixSettings()) }, dir.fsPath), {
            signal: abort.signal,
            onProgress: (h, text) => { state.set(h, text); show(); },
            onLine: (h, l) => log().info(`[deploy ${h}] ${l}`),
            onDone: (r) => { state.set(r.host, r.status === 'succeeded' ? 'deployed' : r.status); show(); },
          });
        } finally {
          sub.dispose();
        }
      },
    );
    for (const r of results) log().info(`[deploy ${r.host}] ${r.status} in ${r.durationMs} ms: ${r.command}`);
    const failed = results.filter((r) => r.status === 'failed');
    for (const r of failed) log().error(`[deploy ${r.host}] ${r.message ?? ''}\n${r.lastLines.join('\n')}`);
    const summary = `vsim: Deploy ${labName(t)}: ${describeDeploy(results)}`;
    if (failed.length) {
      void vscode.window.showErrorMessage(`${summary} — ${failed.map((r) => r.message).join('; ')}`, 'Show Log').then((c) => { if (c === 'Show Log') log().show(true); });
    } else void vscode.window.showInformationMessage(summary);
    return results;
  });
}
