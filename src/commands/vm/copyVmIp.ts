// Copies the VM's IP address(es) to the clipboard.
import * as vscode from 'vscode';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import { Notice } from '../notice';
import { targetCommand } from '../registry';
import { vmTargets } from './pickVms';

export function copyVmIp(labs: WorkspaceLabs) {
  return targetCommand(async (call): Promise<string> => {
    const [t] = await vmTargets(labs, call, { title: 'Copy IP Address' });
    const vm = t && labs.get(t.uri)?.lab?.current.vms?.[t.vm];
    const ips = (vm?.nics ?? []).map((n) => n.ip).filter((x): x is string => !!x);
    const slotIp = vm?.slot ? labs.get(t!.uri)?.lab?.current.slots?.[vm.slot]?.ip : undefined;
    const all = ips.length ? ips : slotIp ? [slotIp] : [];
    if (!all.length) throw new Notice(`${t?.vm} has no IP address in the topology${t?.undeclared ? ' (it is not in the topology)' : ''}: nothing copied.`);
    await vscode.env.clipboard.writeText(all.join(' '));
    void vscode.window.setStatusBarMessage(`vsim: copied ${all.join(' ')}`, 3000);
    return all.join(' ');
  });
}
