// IntelliSense for *.vsim.yaml, pure (no vscode): the language layer adapts these.
export { cursorContext, type CursorContext } from './cursor';
export { complete, type CompletionItem } from './complete';
export { hover, definition, symbols, type HoverResult, type OutlineSymbol } from './navigate';
export { quickFixes, nextFreeIpIn, generateMac, type QuickFix, type TextEdit, type FixOptions } from './quickFixes';
export { schemaAt, view, resolve } from './schemaNav';
