// "Show Boot Log": the serial output of the VM's last boot as its host keeps it (libvirt <log file>,
// the QEMU chardev logfile=, the microvm runner's console.log or the unit's journal), from its first
// line, in a read-only editor `vsim-boot-log:/HOST/VM.log` — also for a VM whose console was never
// opened. An appended log is cut to its last boot (console/bootPhases.ts lastBoot).
import * as vscode from 'vscode';
import type { Consoles } from '../../console/consoles';
import { lastBoot } from '../../console/bootPhases';
import type { VmNode } from '../../tree/nodes';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import { targetCommand } from '../registry';
import { vmTargets } from '../vm/pickVms';

export const BOOT_LOG_SCHEME = 'vsim-boot-log';

/** Serves the boot logs read last, by document URI; `refresh` re-reads one when it is opened again. */
export class BootLogDocuments implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  set(uri: vscode.Uri, text: string): void {
    this.texts.set(uri.toString(), text);
    this.changed.fire(uri);
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  dispose(): void {
    this.changed.dispose();
  }
}

/** The boot log text of a VM with a header naming where it came from. Throws with the host's reason. */
export async function readBootLog(consoles: Consoles, t: VmNode): Promise<string> {
  const { source, run } = await consoles.bootLog(t);
  const r = await run.exec(source.read, { timeoutMs: 60_000, channel: true });
  if (r.code !== 0) throw new Error(`cannot read the boot log of ${t.vm} on ${t.host}: ${(r.stderr || r.stdout).trim() || `exit code ${r.code}`}`);
  const body = lastBoot(r.stdout.replace(/\r/g, ''));
  return `# vsim: boot log of ${t.vm} on ${t.host}, ${source.where}\n${body}`;
}

export function showBootLog(labs: WorkspaceLabs, consoles: Consoles, docs: BootLogDocuments) {
  return targetCommand(async (call): Promise<vscode.TextDocument[]> => {
    const targets = await vmTargets(labs, call, { title: 'Show Boot Log', many: true, undeclared: true });
    const shown: vscode.TextDocument[] = [];
    for (const t of targets) {
      const uri = vscode.Uri.from({ scheme: BOOT_LOG_SCHEME, path: `/${t.host}/${t.vm}.log` });
      docs.set(uri, await readBootLog(consoles, t));
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { preview: false, preserveFocus: call.options.preserveFocus === true });
      shown.push(doc);
    }
    return shown;
  });
}
