// "Show Boot Log": the serial output of the VM's last boot as its host keeps it (libvirt <log file>,
// the QEMU chardev logfile=, the microvm runner's console.log or the unit's journal), from its first
// line, in a read-only editor `vsim-boot-log:/HOST/VM.log` — also for a VM whose console was never
// opened. An appended log is cut to its last boot (console/bootPhases.ts lastBoot). A host that
// keeps no log for the VM (or cannot be read) is said, with the local console transcript offered
// when vsim kept one.
import * as vscode from 'vscode';
import type { Consoles } from '../../console/consoles';
import { lastBoot } from '../../console/bootPhases';
import type { VmNode } from '../../tree/nodes';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import { targetCommand } from '../registry';
import { vmTargets } from '../vm/pickVms';
import { openTranscript } from './showTranscript';

const SHOW_TRANSCRIPT = 'Show Console Transcript';

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
      let text: string;
      try {
        text = await readBootLog(consoles, t);
      } catch (err) {
        await offerTranscript(consoles, t, err as Error);
        continue;
      }
      docs.set(uri, text);
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { preview: false, preserveFocus: call.options.preserveFocus === true });
      shown.push(doc);
    }
    return shown;
  });
}

/** No boot log: says why, and offers the newest local console transcript (not awaited: the command ends). Throws when there is none either. */
async function offerTranscript(consoles: Consoles, t: VmNode, err: Error): Promise<void> {
  const [newest] = await consoles.transcripts(t);
  if (!newest) throw new Error(`${err.message.replace(/\.?$/, '.')} No console transcript of ${t.vm} is kept here either: one is kept while its console is open.`);
  const msg = `vsim: ${err.message.replace(/\.?$/, '.')} A console transcript from ${newest.started.toLocaleString()} is kept locally.`;
  void vscode.window.showWarningMessage(msg, SHOW_TRANSCRIPT).then((choice) => {
    if (choice === SHOW_TRANSCRIPT) void openTranscript(consoles, t).catch((e: Error) => vscode.window.showErrorMessage(`vsim: ${e.message}`));
  });
}
