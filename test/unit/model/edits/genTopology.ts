// The partial-edit tests' topology of N VMs (scripts/lib/genTopology.mjs, shape 'edits'): flow-style
// NIC lists and a comment line every 50 VMs, spread over hosts and networks.
import { genTopology as generate } from '../../../../scripts/lib/genTopology.mjs';

export function genTopology(vms: number, opts: { hosts?: number; netsPerHost?: number; links?: boolean } = {}): string {
  return generate(vms, { ...opts, shape: 'edits' });
}
