// "Show Console Transcript": the local transcript vsim kept of a VM's console sessions
// (console/transcript.ts, under the extension's global storage), the newest one, or a picker when
// there are several (newest first; the value `newest` opens it without asking).
import * as vscode from 'vscode';
import type { Consoles } from '../../console/consoles';
import type { TranscriptFile } from '../../console/transcript';
import type { VmNode } from '../../tree/nodes';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import { Notice } from '../notice';
import { targetCommand } from '../registry';
import { vmTargets } from '../vm/pickVms';

function size(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KiB` : `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** The transcript to open: the only one, the newest when asked, else the user's pick (undefined: none picked). */
async function pick(files: TranscriptFile[], t: VmNode, newest: boolean): Promise<TranscriptFile | undefined> {
  if (files.length === 1 || newest) return files[0];
  const items = files.map((f, i) => ({ label: f.started.toLocaleString(), description: `${size(f.size)}${i === 0 ? ' · newest' : ''}`, detail: f.name, file: f }));
  const chosen = await vscode.window.showQuickPick(items, { title: `Console transcripts of ${t.vm} on ${t.host}`, placeHolder: 'Newest first' });
  return chosen?.file;
}

/** Opens a transcript of the VM in an editor; a Notice when none is kept. */
export async function openTranscript(consoles: Consoles, t: VmNode, opts: { newest?: boolean; preserveFocus?: boolean } = {}): Promise<vscode.TextDocument | undefined> {
  const files = await consoles.transcripts(t);
  if (!files.length) throw new Notice(`No console transcript of ${t.vm} on ${t.host} yet: one is kept while its console is open (Open Console).`);
  const f = await pick(files, t, opts.newest === true);
  if (!f) return undefined;
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(f.path));
  await vscode.window.showTextDocument(doc, { preview: false, preserveFocus: opts.preserveFocus === true });
  return doc;
}

export function showConsoleTranscript(labs: WorkspaceLabs, consoles: Consoles) {
  return targetCommand(async (call): Promise<vscode.TextDocument | undefined> => {
    const [t] = await vmTargets(labs, call, { title: 'Show Console Transcript', undeclared: true });
    if (!t) return undefined;
    return openTranscript(consoles, t, { newest: call.values.includes('newest'), preserveFocus: call.options.preserveFocus === true });
  });
}
