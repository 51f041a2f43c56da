// Language features for *.vsim.yaml (diagnostics are registered separately).
import * as vscode from 'vscode';
import { TOPOLOGY_SELECTOR } from '../common/topologyDocuments';
import { codeActionProvider, completionProvider, definitionProvider, hoverProvider, symbolProvider } from './features';

export function registerLanguageFeatures(): vscode.Disposable {
  const l = vscode.languages;
  return vscode.Disposable.from(
    l.registerCompletionItemProvider(TOPOLOGY_SELECTOR, completionProvider, ':', ' ', '-'),
    l.registerHoverProvider(TOPOLOGY_SELECTOR, hoverProvider),
    l.registerDefinitionProvider(TOPOLOGY_SELECTOR, definitionProvider),
    l.registerDocumentSymbolProvider(TOPOLOGY_SELECTOR, symbolProvider, { label: 'vsim' }),
    l.registerCodeActionsProvider(TOPOLOGY_SELECTOR, codeActionProvider, { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] }),
  );
}
