// Colours the topology graph by the live VM states the labs know (the tree's states): every
// change of a host's listing posts that file's VM states to its open graphs (and caches them for
// graphs opened later). A visible graph counts as a viewer for the one refresh policy.
import * as vscode from 'vscode';
import type { VmState } from '../backends/backend';
import type { WorkspaceLabs } from '../workspace/workspaceLabs';
import type { LinkLive, LiveState } from '../../webview/protocol';
import type { Lab } from '../lab/lab';
import type { TopologyEditorProvider } from './topologyEditor';

/** The graph's four colours for the backends' eight states. */
export function toLiveState(s: VmState | undefined): LiveState {
  switch (s) {
    case 'running': return 'running';
    case 'paused': return 'paused';
    case 'stopped':
    case 'crashed': return 'stopped';
    default: return 'unknown';
  }
}

/** The lab's live link impairments and partitions, as the graph draws them. */
export function linkLiveOf(lab: Lab): Record<string, LinkLive> {
  const out: Record<string, LinkLive> = {};
  for (const [name, s] of lab.tc.links()) {
    const inKernel = s.readback.length > 0 && s.readback.every((l) => l.includes(' from '));
    const label = [s.requested && (inKernel ? s.requested : `${s.requested} (not read back)`), s.partitioned ? 'partitioned' : ''].filter(Boolean).join(' · ');
    out[name] = { label, tooltip: [...s.readback, ...(s.partitioned ? ['partitioned: drop filters on both taps'] : [])].join('\n'), impaired: !!s.requested, partitioned: !!s.partitioned };
  }
  return out;
}

export function bridgeLiveState(labs: WorkspaceLabs, p: TopologyEditorProvider): vscode.Disposable {
  const last = new Map<string, string>();
  const lastLinks = new Map<string, string>();
  const post = (uri: vscode.Uri): void => {
    const lab = labs.get(uri)?.lab;
    if (!lab) return;
    const links = linkLiveOf(lab);
    const lf = JSON.stringify(links);
    if (lastLinks.get(uri.toString()) !== lf) {
      lastLinks.set(uri.toString(), lf);
      p.postLinkState(uri, links);
    }
    const states: Record<string, LiveState> = {};
    for (const [name, vm] of Object.entries(lab.current.vms ?? {})) states[name] = toLiveState(lab.host(vm.host).vms[name]?.state);
    const fp = JSON.stringify(states);
    if (last.get(uri.toString()) === fp) return;
    last.set(uri.toString(), fp);
    p.postLiveState(uri, states);
  };
  return vscode.Disposable.from(
    labs.onDidChange((c) => {
      if (c.kind === 'host') post(c.uri);
      else for (const e of labs.all()) post(e.uri);
    }),
    p.onDidChangeAnyVisible((visible) => labs.policy.setViewer('graph', visible)),
    { dispose: () => labs.policy.setViewer('graph', false) },
  );
}
