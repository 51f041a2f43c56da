// Every vsim command id, as a typed union (package.json contributes the same ids).
export type CommandId =
  | 'vsim.validateTopology'
  | 'vsim.newTopology';
