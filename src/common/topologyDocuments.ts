// The one place that analyses topology documents: cached per document version, so diagnostics,
// completion, hover, the tree and the graph share one parse.
import * as vscode from 'vscode';
import type { Analysis } from '../model/analyze';
import { model } from './model';
import { TOPOLOGY_GLOB } from './topologyFiles';

export { isTopologyDocument, TOPOLOGY_GLOB } from './topologyFiles';
export const TOPOLOGY_SELECTOR: vscode.DocumentSelector = [
  { language: 'yaml', pattern: TOPOLOGY_GLOB },
  { scheme: 'untitled', language: 'yaml', pattern: TOPOLOGY_GLOB },
];

const cache = new WeakMap<vscode.TextDocument, { version: number; analysis: Analysis }>();

export function analysisOf(doc: vscode.TextDocument): Analysis {
  const hit = cache.get(doc);
  if (hit && hit.version === doc.version) return hit.analysis;
  const analysis = model().analyze(doc.getText());
  cache.set(doc, { version: doc.version, analysis });
  return analysis;
}

export function toRange(doc: vscode.TextDocument, start: number, end: number): vscode.Range {
  return new vscode.Range(doc.positionAt(start), doc.positionAt(Math.max(start, end)));
}
