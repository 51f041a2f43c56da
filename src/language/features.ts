// Thin VS Code adapters over the pure IntelliSense in src/model/intellisense/.
import * as vscode from 'vscode';
import { analysisOf, toRange } from '../common/topologyDocuments';
import { model } from '../common/model';
import type { CompletionItem, OutlineSymbol } from '../model/intellisense';
import type { Problem } from '../model/problem';
import type { VsimDiagnostic } from './diagnostics';

const COMPLETION_KIND: Record<CompletionItem['kind'], vscode.CompletionItemKind> = {
  key: vscode.CompletionItemKind.Property,
  value: vscode.CompletionItemKind.Value,
  reference: vscode.CompletionItemKind.Reference,
  snippet: vscode.CompletionItemKind.Snippet,
};

export const completionProvider: vscode.CompletionItemProvider = {
  provideCompletionItems(doc, position) {
    const items = model().complete(doc.getText(), doc.offsetAt(position), analysisOf(doc));
    return items.map((i) => {
      const item = new vscode.CompletionItem(i.label, COMPLETION_KIND[i.kind]);
      item.detail = i.detail;
      if (i.documentation) item.documentation = new vscode.MarkdownString(i.documentation);
      item.insertText = i.snippet ? new vscode.SnippetString(i.insertText) : i.insertText;
      item.range = toRange(doc, i.start, i.end);
      if (i.sortText) item.sortText = i.sortText;
      if (i.retrigger) item.command = { command: 'editor.action.triggerSuggest', title: 'Suggest' };
      return item;
    });
  },
};

export const hoverProvider: vscode.HoverProvider = {
  provideHover(doc, position) {
    const h = model().hover(doc.getText(), doc.offsetAt(position), analysisOf(doc));
    return h ? new vscode.Hover(new vscode.MarkdownString(h.markdown), toRange(doc, h.start, h.end)) : undefined;
  },
};

export const definitionProvider: vscode.DefinitionProvider = {
  provideDefinition(doc, position) {
    const d = model().definition(doc.getText(), doc.offsetAt(position), analysisOf(doc));
    return d ? new vscode.Location(doc.uri, toRange(doc, d.start, d.end)) : undefined;
  },
};

const SYMBOL_KIND: Record<OutlineSymbol['kind'], vscode.SymbolKind> = {
  section: vscode.SymbolKind.Namespace,
  property: vscode.SymbolKind.Property,
  hosts: vscode.SymbolKind.Module,
  networks: vscode.SymbolKind.Interface,
  vms: vscode.SymbolKind.Object,
  slots: vscode.SymbolKind.Struct,
  states: vscode.SymbolKind.Package,
  profiles: vscode.SymbolKind.Event,
  links: vscode.SymbolKind.Field,
};

function toSymbol(doc: vscode.TextDocument, s: OutlineSymbol): vscode.DocumentSymbol {
  const sym = new vscode.DocumentSymbol(s.name || '(empty)', s.detail, SYMBOL_KIND[s.kind],
    toRange(doc, s.start, s.end), toRange(doc, s.selectionStart, s.selectionEnd));
  sym.children = s.children.map((c) => toSymbol(doc, c));
  return sym;
}

export const symbolProvider: vscode.DocumentSymbolProvider = {
  provideDocumentSymbols(doc) {
    return model().symbols(doc.getText(), analysisOf(doc)).map((s) => toSymbol(doc, s));
  },
};

/** The Problem behind a diagnostic: carried by VsimDiagnostic, or found again by position and code
 * (VS Code hands code-action providers copies of diagnostics, without the subclass). */
function problemOf(doc: vscode.TextDocument, d: vscode.Diagnostic): Problem | undefined {
  const carried = (d as Partial<VsimDiagnostic>).problem;
  if (carried) return carried;
  if (d.source !== 'vsim') return undefined;
  const start = doc.offsetAt(d.range.start);
  return analysisOf(doc).problems.find((p) => p.start === start && p.code === d.code && p.message === d.message);
}

export const codeActionProvider: vscode.CodeActionProvider = {
  provideCodeActions(doc, _range, context) {
    const actions: vscode.CodeAction[] = [];
    for (const d of context.diagnostics) {
      const problem = problemOf(doc, d);
      if (!problem?.fix) continue;
      for (const fix of model().quickFixes(doc.getText(), problem, { analysis: analysisOf(doc) })) {
        const action = new vscode.CodeAction(fix.title, vscode.CodeActionKind.QuickFix);
        action.diagnostics = [d];
        action.isPreferred = fix.isPreferred;
        action.edit = new vscode.WorkspaceEdit();
        for (const e of fix.edits) action.edit.replace(doc.uri, toRange(doc, e.start, e.end), e.newText);
        actions.push(action);
      }
    }
    return actions;
  },
};
