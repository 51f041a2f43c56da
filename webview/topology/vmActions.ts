// Which actions a VM's context menu in the graph offers, by its live state and backend: the same
// rules as the Labs tree's menu (package.json `view/item/context`, `viewItem =~ /^vm\.STATE\.BACKEND/`),
// so the graph never offers Start on a running VM; test/unit/webview/vmActions.test.ts compares them.
import type { ActionCommand, LiveState } from '../protocol';

export interface VmAction {
  command: ActionCommand;
  label: string;
}

const ALL: { command: ActionCommand; label: string; states?: LiveState[]; backends?: string[] }[] = [
  { command: 'start', label: 'Start', states: ['stopped', 'unknown'] },
  { command: 'stop', label: 'Shut down', states: ['running', 'paused'] },
  { command: 'restart', label: 'Restart', states: ['running'] },
  { command: 'suspend', label: 'Suspend', states: ['running'] },
  { command: 'resume', label: 'Resume', states: ['paused'] },
  { command: 'destroy', label: 'Destroy (force off)…', states: ['running', 'paused', 'unknown'] },
  { command: 'console', label: 'Open console', states: ['running', 'paused'] },
  { command: 'ssh', label: 'SSH into VM', states: ['running'] },
  { command: 'snapshot', label: 'Snapshot…', backends: ['libvirt', 'cloud-hypervisor'] },
  { command: 'build', label: 'Build image', backends: ['libvirt', 'microvm', 'cloud-hypervisor'] },
  { command: 'capture', label: 'Capture traffic…' },
  { command: 'impair', label: 'Impair a link (delay, loss…)…' },
  { command: 'applyProfile', label: 'Apply tc profile…' },
  { command: 'clearProfile', label: 'Clear tc profile' },
];

/** The VM's menu actions, in menu order. */
export function vmActions(state: LiveState, backend: string): VmAction[] {
  return ALL.filter((a) => (!a.states || a.states.includes(state)) && (!a.backends || a.backends.includes(backend))).map(({ command, label }) => ({ command, label }));
}

/** Every action a VM menu can offer (for the test that compares with package.json). */
export const VM_ACTION_COMMANDS: readonly ActionCommand[] = ALL.map((a) => a.command);
