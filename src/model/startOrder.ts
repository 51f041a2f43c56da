// The start order of a lab's VMs (`after:`), without the parser: Up and the checks both use it.
// Pure.
import type { Topology } from './types';

/**
 * Loops of `after` edges (VM → a VM it waits for) as a depth-first walk meets them (at least one
 * per looping group), each once, starting at its alphabetically first member. Only edges between
 * defined VMs count.
 */
export function afterCycles(t: Topology): string[][] {
  const vms = t.vms ?? {};
  const deps = (n: string): string[] => (Array.isArray(vms[n]?.after) ? (vms[n]?.after ?? []) : []).filter((d) => d in vms);
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found = new Map<string, string[]>();
  const visit = (n: string): void => {
    state.set(n, 'open');
    stack.push(n);
    for (const d of deps(n)) {
      if (state.get(d) === 'open') {
        const loop = stack.slice(stack.indexOf(d));
        const min = [...loop].sort()[0] as string;
        const k = loop.indexOf(min);
        const canon = [...loop.slice(k), ...loop.slice(0, k)];
        found.set(canon.join('\u0000'), canon);
      } else if (!state.has(d)) visit(d);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of Object.keys(vms).sort()) if (!state.has(n)) visit(n);
  return [...found.values()];
}

/**
 * The VMs of one host in start order: the file's order, except that a VM comes after the VMs of
 * its `after` list (a stable topological sort; VMs of other hosts and loops are ignored).
 */
export function startOrder(t: Topology, vmNames: readonly string[]): string[] {
  const wanted = new Set(vmNames);
  const out: string[] = [];
  const seen = new Set<string>();
  const place = (n: string, path: Set<string>): void => {
    if (seen.has(n) || path.has(n)) return;
    path.add(n);
    for (const d of t.vms?.[n]?.after ?? []) if (wanted.has(d)) place(d, path);
    path.delete(n);
    seen.add(n);
    out.push(n);
  };
  for (const n of vmNames) place(n, new Set());
  return out;
}
