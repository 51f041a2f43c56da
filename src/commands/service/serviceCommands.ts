// The Services rows' commands: Restart (confirmed, naming the unit and the host), Show Log (the
// unit's journal followed in a read-only terminal), Copy Status (one line to the clipboard).
import * as vscode from 'vscode';
import { stateText, statusLine, type ServiceStatus } from '../../health/hostHealth';
import { DEFAULT_LINES, journalArgv, MAX_LINES } from '../../health/journal';
import { assertUnit } from '../../model/services';
import { serviceStatus } from '../../tree/services';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import { askConfirmation } from '../confirm';
import { Notice } from '../notice';
import { registerCommand, targetCommand } from '../registry';
import { serviceTarget, type ServiceTarget } from './serviceTarget';
import { ServiceLogs, type ServiceLogTerminal } from './serviceLog';

/** A row that names a unit the host does not have, or a host without systemd: nothing to act on. */
function mustExist(t: ServiceTarget): void {
  const s = t.lab.host(t.node.host).health?.services;
  if (s?.kind === 'absent') throw new Notice(`Services are not on ${t.node.host}: ${s.reason}`);
  if (t.status?.load === 'not-found') throw new Notice(`${t.node.unit} does not exist on ${t.node.host} (systemd does not know it).`);
}

export function restartService(labs: WorkspaceLabs) {
  return targetCommand(async (call): Promise<ServiceStatus | undefined> => {
    const t = await serviceTarget(labs, call, 'Restart Service');
    mustExist(t);
    const { unit, host } = t.node;
    assertUnit(unit);
    const lines = [`systemctl restart ${unit} on ${host}`, `now: ${t.status ? stateText(t.status) : 'not listed yet'}`];
    if (t.status?.origin === 'microvm') lines.push('The microvm VM of this unit restarts with it.');
    const ok = await askConfirmation(call.options, { message: `Restart ${unit} on ${host}?`, lines, button: 'Restart' });
    if (!ok) throw new vscode.CancellationError();
    const ctx = await t.lab.context(host);
    const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `vsim: restarting ${unit} on ${host}` },
      () => ctx.run.exec(['systemctl', 'restart', unit], { timeoutMs: 180_000, channel: true }));
    if (r.code !== 0) {
      const log = await ctx.run.exec(['journalctl', '-u', unit, '-n', '8', '--no-pager', '-o', 'cat']).catch(() => undefined);
      const tail = log?.code === 0 && log.stdout.trim() ? `\nLast lines of journalctl -u ${unit}:\n${log.stdout.trim()}` : '';
      throw new Error(`systemctl restart ${unit} on ${host} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}${tail}`);
    }
    await t.lab.refresh(host);
    const after = serviceStatus(t.lab.host(host), unit);
    if (after?.active === 'failed') throw new Error(`${unit} on ${host} failed again after the restart (${stateText(after)}): see Show Log.`);
    if (call.fromUi) void vscode.window.showInformationMessage(`vsim: restarted ${unit} on ${host}${after ? `: ${stateText(after)}` : ''}.`);
    return after;
  });
}

export function showServiceLog(labs: WorkspaceLabs, logs: ServiceLogs) {
  return targetCommand(async (call): Promise<ServiceLogTerminal> => {
    const t = await serviceTarget(labs, call, 'Show Service Log');
    mustExist(t);
    const { unit, host, uri } = t.node;
    const given = call.values[0];
    const n = given === undefined ? DEFAULT_LINES : Number(given);
    if (!Number.isInteger(n) || n < 0 || n > MAX_LINES) throw new Error(`Invalid number of journal lines ${JSON.stringify(given)}: 0 to ${MAX_LINES}.`);
    const argv = journalArgv(unit, n);
    return logs.show(`${uri.toString()}#${host}/${unit}`, {
      unit, host, argv,
      runner: async () => (await t.lab.context(host)).run,
    }, call.options.preserveFocus === true);
  });
}

export function copyServiceStatus(labs: WorkspaceLabs) {
  return targetCommand(async (call): Promise<string> => {
    const t = await serviceTarget(labs, call, 'Copy Service Status');
    if (!t.status) throw new Notice(`${t.node.unit} on ${t.node.host} has not been listed yet: refresh the host first.`);
    const line = statusLine(t.node.host, t.status);
    await vscode.env.clipboard.writeText(line);
    void vscode.window.setStatusBarMessage(`vsim: copied the status of ${t.node.unit}`, 3000);
    return line;
  });
}

export function registerServiceCommands(labs: WorkspaceLabs): vscode.Disposable {
  const logs = new ServiceLogs();
  return vscode.Disposable.from(
    registerCommand('vsim.restartService', restartService(labs)),
    registerCommand('vsim.showServiceLog', showServiceLog(labs, logs)),
    registerCommand('vsim.copyServiceStatus', copyServiceStatus(labs)),
    logs,
  );
}
