// tc drift: the file's `default` profile (when it has one) against what `tc -j` reads back on the
// taps of the host's running VMs (src/tc: one round trip for the whole host); apply through TcOps.
import type { BackendContext } from '../backends/backend';
import type { Topology } from '../model/types';
import { describeMatchShort, TcOps, vmIfaces, type VmIface } from '../tc/ops';
import { isEmptyShaping, shapingFor } from '../tc/renderProfile';
import type { Change } from './types';

/** The profile a lab's interfaces have when nothing else was applied. */
export const DEFAULT_PROFILE = 'default';

/** The taps of the given VMs (those the default profile covers). */
export function defaultIfaces(topology: Topology, vms: readonly string[]): VmIface[] {
  const profile = topology.profiles?.[DEFAULT_PROFILE];
  if (!profile) return [];
  const targets = profile.targets?.length ? new Set(profile.targets.flatMap((t) => topology.links?.[t]?.endpoints ?? [t])) : undefined;
  return vms.filter((vm) => !targets || targets.has(vm)).flatMap((vm) => vmIfaces(topology, vm, profile));
}

/** tc-differs per VM whose taps do not carry the default profile (taps not on the host are skipped: the VM is not running). */
export async function tcChanges(ctx: BackendContext, runningVms: readonly string[], ops = new TcOps()): Promise<Change[]> {
  const profile = ctx.topology.profiles?.[DEFAULT_PROFILE];
  const ifaces = defaultIfaces(ctx.topology, runningVms);
  if (!profile || !ifaces.length) return [];
  const r = await ops.show(ctx.hostName, ctx.run, ctx.topology, ifaces);
  const byVm = new Map<string, Change & { kind: 'tc-differs' }>();
  for (const i of r.ifaces) {
    if (i.match.kind === 'missing') continue;
    const want = isEmptyShaping(shapingFor(profile, i.names)) ? 'none' : DEFAULT_PROFILE;
    const ok = want === 'none' ? i.match.kind === 'none' || (i.match.kind === 'profile' && i.match.profile === DEFAULT_PROFILE) : i.match.kind === 'profile' && i.match.profile === DEFAULT_PROFILE;
    if (ok) continue;
    const c = byVm.get(i.vm) ?? { id: `${ctx.hostName}/tc/${i.vm}`, host: ctx.hostName, kind: 'tc-differs', vm: i.vm, profile: DEFAULT_PROFILE, fields: [] };
    c.fields.push({ field: `tc.${i.iface}`, want, have: describeMatchShort(i.match) });
    byVm.set(i.vm, c);
  }
  return [...byVm.values()];
}

/** Applies the default profile to a VM's taps (clear first; a profile without values is a clear). */
export async function applyDefaultProfile(ctx: BackendContext, vm: string, ops = new TcOps()): Promise<void> {
  const ifaces = defaultIfaces(ctx.topology, [vm]);
  const r = await ops.apply(ctx.hostName, ctx.run, ctx.topology, DEFAULT_PROFILE, ifaces);
  if (r.errors.length) throw r.errors[0];
}
