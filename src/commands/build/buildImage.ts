// "Build image" (vsim.buildImage): `nix build` of the VM's image.flake on its host, queued on the VM
// (Lab.queue) so it never interleaves with a restart or a snapshot; then offers to (re)start the VM.
// executeCommand('vsim.buildImage', 'vmName') returns the BuildSummary (store paths on success).
// "Cancel build" (vsim.cancelBuild): cancels a running build (by VM/slot/host name, or all).
import * as vscode from 'vscode';
import { imageBuildPlan } from '../../build/plan';
import type { Connections } from '../../workspace/connections';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import { targetCommand } from '../registry';
import { vmTargets } from '../vm/pickVms';
import { cancelBuilds, nixSettings, runningBuilds, runPlanWithUi, streamOpener, type BuildSummary } from './buildUi';

export function buildImage(labs: WorkspaceLabs, connections: Connections) {
  return targetCommand(async (call): Promise<BuildSummary | BuildSummary[]> => {
    const targets = await vmTargets(labs, call, { title: 'Build Image', many: true });
    const out = await Promise.all(targets.map(async (t) => {
      const lab = labs.get(t.uri)?.lab;
      if (!lab) throw new Error(`${vscode.workspace.asRelativePath(t.uri)} has errors; fix them before building.`);
      const settings = nixSettings();
      const plan = imageBuildPlan(lab.current, t.vm, settings);
      const remote = await streamOpener(connections, lab, plan.host);
      const summary = await lab.queue.run(t.vm, 'building image', () => runPlanWithUi(t.vm, plan, remote, { settings }));
      if (summary.status === 'succeeded') {
        const state = lab.host(plan.host).vms[t.vm]?.state;
        const action = state === 'running' ? 'Restart VM' : 'Start VM';
        const msg = `vsim: built ${t.vm} on ${plan.host} (${summary.built}/${summary.total} derivations built, ${(summary.durationMs / 1000).toFixed(1)} s)${summary.outPaths[0] ? `: ${summary.outPaths[0]}` : ''}`;
        // Not awaited: the command returns the result at once (the graph and tests use it).
        void vscode.window.showInformationMessage(msg, action).then((c) => {
          if (c === 'Restart VM') return vscode.commands.executeCommand('vsim.restartVm', t);
          if (c === 'Start VM') return vscode.commands.executeCommand('vsim.startVm', t);
          return undefined;
        });
      }
      return summary;
    }));
    return out.length === 1 ? (out[0] as BuildSummary) : out;
  });
}

export function cancelBuild() {
  return targetCommand(async ({ target }): Promise<string[]> => {
    const key = target?.kind === 'named' ? target.name : target?.kind === 'vm' ? target.vm : undefined;
    if (key !== undefined) return cancelBuilds(key);
    const builds = runningBuilds();
    if (!builds.length) {
      void vscode.window.showInformationMessage('vsim: no build is running.');
      return [];
    }
    if (builds.length === 1) return cancelBuilds(builds[0]?.key);
    const picked = await vscode.window.showQuickPick(builds.map((b) => ({ label: b.key, description: b.progress, detail: b.title })), { title: 'Cancel Build', placeHolder: 'Choose the builds to cancel', canPickMany: true });
    if (!picked) return [];
    return picked.flatMap((p) => cancelBuilds(p.label));
  });
}
