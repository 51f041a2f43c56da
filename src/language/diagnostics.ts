// Diagnostics for *.vsim.yaml: on open and on change (debounced), cleared on close.
import * as vscode from 'vscode';
import type { Problem } from '../model/problem';
import { analysisOf, isTopologyDocument, toRange } from '../common/topologyDocuments';

const SEVERITY: Record<Problem['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

/** Diagnostics carry their Problem so code actions can read the fix data. */
export class VsimDiagnostic extends vscode.Diagnostic {
  constructor(range: vscode.Range, readonly problem: Problem) {
    super(range, problem.message, SEVERITY[problem.severity]);
    this.source = 'vsim';
    this.code = problem.code;
  }
}

export function toDiagnostics(doc: vscode.TextDocument): VsimDiagnostic[] {
  return analysisOf(doc).problems.map((p) => new VsimDiagnostic(toRange(doc, p.start, p.end), p));
}

export function registerDiagnostics(): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('vsim');
  const timers = new Map<string, NodeJS.Timeout>();
  const refresh = (doc: vscode.TextDocument) => {
    if (!isTopologyDocument(doc)) return;
    try {
      collection.set(doc.uri, toDiagnostics(doc));
    } catch (err) {
      // Never let bad input throw in the extension host.
      collection.set(doc.uri, [new vscode.Diagnostic(new vscode.Range(0, 0, 0, 0), `vsim could not check this file: ${(err as Error).message}`)]);
    }
  };
  const debounced = (doc: vscode.TextDocument) => {
    const key = doc.uri.toString();
    clearTimeout(timers.get(key));
    const ms = vscode.workspace.getConfiguration('vsim').get<number>('diagnostics.debounceMs', 200);
    timers.set(key, setTimeout(() => {
      timers.delete(key);
      refresh(doc);
    }, ms));
  };
  // The first pass runs after activation returns: activation stays instant.
  const first = setImmediate(() => vscode.workspace.textDocuments.forEach(refresh));
  return vscode.Disposable.from(
    collection,
    vscode.workspace.onDidOpenTextDocument(refresh),
    vscode.workspace.onDidChangeTextDocument((e) => debounced(e.document)),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      clearTimeout(timers.get(doc.uri.toString()));
      collection.delete(doc.uri);
    }),
    { dispose: () => { clearImmediate(first); timers.forEach((t) => clearTimeout(t)); } },
  );
}
