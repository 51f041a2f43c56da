// Types of scripts/lib/genTopology.mjs, for the tests and benches written in TypeScript.
export interface GenTopologyOptions {
  /** 'full' (default): the benches' mixed lab; 'edits': the partial-edit tests' flow-style NIC lists and comment lines. */
  shape?: 'full' | 'edits';
  /** 'edits' only: the number of hosts (default: one per 100 VMs, 1 to 10). */
  hosts?: number;
  /** 'edits' only: bridges per host (default 2). */
  netsPerHost?: number;
  /** 'edits' only: false for no links section. */
  links?: boolean;
}
export function genTopology(n: number, opts?: GenTopologyOptions): string;
