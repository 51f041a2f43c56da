// Which host-side interfaces a profile applies to, from the topology. Pure.
import type { Topology } from '../model/types';
import type { TcTarget } from './renderProfile';

export interface ResolvedTarget extends TcTarget {
  host: string;
  vm: string;
  names: string[];
}

function vmTaps(topology: Topology, vm: string, extraNames: string[]): ResolvedTarget[] {
  const v = topology.vms?.[vm];
  if (!v) return [];
  return (v.nics ?? []).filter((n) => n.tap).map((n) => ({ host: v.host, vm, iface: n.tap as string, names: [...extraNames, vm] }));
}

/**
 * The targets of profile `name`: its `targets` (VMs: their taps; links: the taps of both ends,
 * the link's override winning over the VM's), else every VM NIC with a tap. Duplicate taps on a
 * host are kept once (first wins). Order: `targets` order, else the VMs' order in the file.
 */
export function profileTargets(topology: Topology, name: string): ResolvedTarget[] {
  const p = topology.profiles?.[name];
  if (!p) throw new Error(`No profile ${JSON.stringify(name)} in the topology`);
  const list: ResolvedTarget[] = [];
  if (p.targets?.length) {
    for (const t of p.targets) {
      const link = topology.links?.[t];
      if (link) for (const vm of link.endpoints) list.push(...vmTaps(topology, vm, [t]));
      else list.push(...vmTaps(topology, t, []));
    }
  } else {
    for (const vm of Object.keys(topology.vms ?? {})) list.push(...vmTaps(topology, vm, []));
  }
  const seen = new Set<string>();
  return list.filter((t) => {
    const key = `${t.host}\0${t.iface}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
