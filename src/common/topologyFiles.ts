// Which files are topology files: the glob and the test, light enough for activation (no model).
import type * as vscode from 'vscode';

export const TOPOLOGY_GLOB = '**/*.vsim.{yaml,yml}';

export function isTopologyDocument(doc: vscode.TextDocument): boolean {
  return /\.vsim\.ya?ml$/i.test(doc.uri.path);
}
