// The topology model as the extension uses it: parse + checks (yaml, the schema, semantic checks),
// IntelliSense, graph edits and the export. Built as its own bundle (dist/lib/model.js) and required
// by src/common/model.ts on the first topology document, so activation does not evaluate it.
export { analyze } from '../model/analyze';
export { rangeOf } from '../model/parse';
export { complete, definition, hover, quickFixes, symbols } from '../model/intellisense';
export { applyGraphPatch, buildGraph, diffGraph, movePatch, overviewGraph } from '../model/edits/graph';
export { applyIntent, IntentError } from '../model/edits/intents';
export { exportTopology } from '../export/toJson';
export { adoptVms } from '../model/edits/adopt';
