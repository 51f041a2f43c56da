// Copies the VM's IP address(es) to the clipboard: the live IP (guest agent, DHCP lease or the
// host's neighbour table) beside the file's, and says when they differ. values[0] = 'live' |
// 'declared' picks without asking (tests, keybindings).
import * as vscode from 'vscode';
import type { VmLiveFacts } from '../../backends/backend';
import type { Lab } from '../../lab/lab';
import { ipChoices, vmLiveIps, type IpChoice } from '../../tree/vmLive';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import { Notice } from '../notice';
import { targetCommand } from '../registry';
import { vmTargets } from './pickVms';

/** The backend's live facts when it has them and the VM runs (one round trip); else none. */
async function liveFactsOf(lab: Lab, host: string, vm: string, undeclaredOn?: string): Promise<VmLiveFacts | undefined> {
  const live = lab.backendOf(vm, undeclaredOn)?.liveFacts;
  const state = lab.status(vm, undeclaredOn)?.state;
  if (!live || (state !== 'running' && state !== 'paused')) return undefined;
  try {
    return await live.read(await lab.context(host), vm);
  } catch {
    return undefined; // the lease and neighbour entries still count
  }
}

export function copyVmIp(labs: WorkspaceLabs) {
  return targetCommand(async (call): Promise<string> => {
    const [t] = await vmTargets(labs, call, { title: 'Copy IP Address' });
    const lab = t ? labs.get(t.uri)?.lab : undefined;
    if (!t || !lab) throw new Notice('No VM chosen: nothing copied.');
    const vm = lab.current.vms?.[t.vm];
    const ips = (vm?.nics ?? []).map((n) => n.ip).filter((x): x is string => !!x);
    const slotIp = vm?.slot ? lab.current.slots?.[vm.slot]?.ip : undefined;
    const declared = ips.length ? ips : slotIp ? [slotIp] : [];
    const undeclaredOn = t.undeclared ? t.host : undefined;
    const facts = await liveFactsOf(lab, t.host, t.vm, undeclaredOn);
    const live = vmLiveIps(lab.current, t.vm, facts, lab.host(t.host).net, Date.now());
    const { choices, differs } = ipChoices(declared, live);
    if (!choices.length) throw new Notice(`${t.vm} has no IP address in the topology${t.undeclared ? ' (it is not in the topology)' : ''} and none was seen on ${t.host}: nothing copied.`);
    const wanted = call.values[0];
    let pick: IpChoice | undefined = wanted === 'live' || wanted === 'declared' ? choices.find((c) => c.which === wanted) : choices.length === 1 ? choices[0] : undefined;
    if (!pick) {
      const chosen = await vscode.window.showQuickPick(choices.map((c) => ({ label: c.label, detail: c.detail, choice: c })), {
        title: `Copy IP of ${t.vm}`,
        placeHolder: differs ? `The live IP differs from the file's: which one?` : 'Which address?',
      });
      if (!chosen) return '';
      pick = chosen.choice;
    }
    if (!pick) throw new Notice(`${t.vm} has no ${wanted} IP: nothing copied.`);
    const text = pick.ips.join(' ');
    await vscode.env.clipboard.writeText(text);
    const note = differs ? ` (${pick.which}; the ${pick.which === 'live' ? 'file says' : 'VM has'} ${(choices.find((c) => c !== pick)?.ips ?? []).join(' ')})` : pick.which === 'live' ? ' (live, same as the file)' : '';
    void vscode.window.setStatusBarMessage(`vsim: copied ${text}${note}`, 5000);
    return text;
  });
}
