// Helpers for integration tests: wait for a condition with a deadline (never a fixed sleep).
import * as vscode from 'vscode';
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { buildCommand } from '../../src/remote/quote';
import type { VsimApi } from '../../src/extension';
import type { Lab } from '../../src/lab/lab';

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 15_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${(last as Error).message})` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function workspaceUri(...parts: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the integration suite needs a workspace folder');
  return vscode.Uri.joinPath(folder.uri, ...parts);
}

export async function writeWorkspaceFile(name: string, text: string): Promise<vscode.Uri> {
  const uri = workspaceUri(name);
  await vscode.workspace.fs.writeFile(uri, Buffer.from(text, 'utf8'));
  return uri;
}

/** The position just after the first occurrence of `marker` in the document. */
export function positionAfter(doc: vscode.TextDocument, marker: string, occurrence = 0): vscode.Position {
  let i = -1;
  for (let k = 0; k <= occurrence; k++) {
    i = doc.getText().indexOf(marker, i + 1);
    if (i < 0) throw new Error(`${marker} not found in ${doc.uri.path}`);
  }
  return doc.positionAt(i + marker.length);
}

/**
 * Records a measured figure for `npm run bench` (bench/vscode.bench.mjs sets VSIM_FIGURES_FILE):
 * one JSON line per figure. Without the variable, nothing is written.
 */
export function figure(name: string, value: number, unit = 'ms'): void {
  const file = process.env.VSIM_FIGURES_FILE;
  if (!file || !Number.isFinite(value)) return;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('node:fs') as typeof import('node:fs')).appendFileSync(file, `${JSON.stringify({ name, value, unit })}\n`);
}

/** The extension's API with its labs loaded, for a suite that needs the sandbox; skips the suite, saying why, when no sandbox is configured. */
export async function sandboxApi(suite: Mocha.Context): Promise<VsimApi> {
  if (!vscode.workspace.getConfiguration('vsim').get<string>('ssh.configFile')) {
    console.log('      skipped: no sandbox hypervisor (vsim.ssh.configFile is not set; run through npm run test:integration)');
    suite.skip();
  }
  const api = (await vscode.extensions.getExtension('vsim.vsim')!.activate()) as VsimApi;
  await api.labs.ready();
  return api;
}

/** Writes a topology file into the workspace and waits for its lab, which must have no errors. */
export async function writeLab(api: VsimApi, name: string, text: string): Promise<{ uri: vscode.Uri; lab: Lab }> {
  const uri = await writeWorkspaceFile(name, text);
  const entry = await waitFor(`${name} loaded`, () => api.labs.get(uri)?.lab && api.labs.get(uri));
  assert.equal(entry.errors, 0, entry.firstError);
  return { uri, lab: entry.lab! };
}

/**
 * A command on a sandbox host over OpenSSH with the sandbox's ssh config (vsim.ssh.configFile), not
 * vsim's pool: one line quoted by the project's quote function (ssh joins its words for the remote
 * shell). Its stdout, exit code and stderr.
 */
export function sandboxSsh(host: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const config = vscode.workspace.getConfiguration('vsim').get<string>('ssh.configFile')!;
  return new Promise((resolve) => {
    execFile('ssh', ['-F', config, '-o', 'BatchMode=yes', host, '--', buildCommand(argv)], { timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 255) : 0, stdout, stderr }));
  });
}
