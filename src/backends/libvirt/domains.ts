// VM key ↔ libvirt domain: a VM is the domain its `domain` names, else the domain of its key. Every
// virsh call of this backend goes through `domainOf`; listings map domains back with `keysByDomain`. Pure.
import { domainName, type Topology } from '../../model/types';

/** The domain of VM `vm` (a name the file does not declare is its own domain). */
export function domainOf(t: Topology, vm: string): string {
  return domainName(vm, t.vms?.[vm]);
}

/** domain → VM key for `vmNames`. */
export function keysByDomain(t: Topology, vmNames: readonly string[]): Map<string, string> {
  return new Map(vmNames.map((n) => [domainOf(t, n), n]));
}

/** Every domain the file declares (any host): a listed domain outside this set is not in the topology. */
export function declaredDomains(t: Topology): Set<string> {
  return new Set(Object.entries(t.vms ?? {}).filter(([, v]) => v?.backend === 'libvirt').map(([n, v]) => domainName(n, v)));
}
