// The ids of what package.json contributes and activation registers (views, editor, terminal profile).
export const LABS_VIEW_ID = 'vsim.labs';
export const PLAN_VIEW_ID = 'vsim.plan';
export const TOPOLOGY_EDITOR_VIEW_TYPE = 'vsim.topologyEditor';
export const CONSOLE_PROFILE_ID = 'vsim.console';
