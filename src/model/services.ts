// Which systemd units a host's Services node shows: the services a lab on it depends on (the
// seeds' troubleshooting lists), each microvm@VM of the file on that host, and the host's own
// `services:` list. Pure.
import type { Topology } from './types';

/** Watched on every host; shown only where the host has them (a unit systemd does not know is left out). */
export const DEFAULT_UNITS = [
  'libvirtd', 'virtlogd', 'ovs-vswitchd', 'ovsdb-server', 'dnsmasq', 'systemd-networkd', 'comin', 'setup-inner-vms',
] as const;

/** Why a unit is watched: a default (shown only when present), a microvm VM of the file, the host's `services:`. */
export type UnitOrigin = 'default' | 'microvm' | 'topology';

export interface WatchedUnit {
  /** The full unit name passed to systemctl (`libvirtd.service`, `microvm@slot1.service`, `k3s.socket`). */
  unit: string;
  origin: UnitOrigin;
}

/** Unit name characters systemd allows (no `\` escapes), not starting with '-' or '.': one safe argv word. */
export const UNIT_PATTERN = /^[A-Za-z0-9_:@][A-Za-z0-9_:.@-]{0,255}$/;

const SUFFIXES = /\.(service|socket|target|device|mount|automount|swap|timer|path|slice|scope)$/;

/** `libvirtd` → `libvirtd.service`; a name with a unit type suffix stays as it is. */
export function fullUnitName(name: string): string {
  return SUFFIXES.test(name) ? name : `${name}.service`;
}

/** A template without an instance (`foo@`, `foo@.service`): systemctl can show it but it never runs. */
export function isBareTemplate(name: string): boolean {
  return /@(\.[a-z]+)?$/.test(name);
}

/** Throws unless `name` is a unit name vsim passes to systemctl/journalctl. */
export function assertUnit(name: string): string {
  if (!UNIT_PATTERN.test(name)) throw new Error(`Invalid systemd unit name ${JSON.stringify(name)}: letters, digits and ':_.@-', not starting with '-' or '.'.`);
  return name;
}

/** The units of a host in the order shown: the file's own first (microvm@ VMs, then `services:`), then the defaults. */
export function hostUnits(t: Topology, hostName: string): WatchedUnit[] {
  const out: WatchedUnit[] = [];
  const seen = new Set<string>();
  const add = (name: string, origin: UnitOrigin): void => {
    if (!UNIT_PATTERN.test(name) || isBareTemplate(name)) return; // the checks report it at its line
    const unit = fullUnitName(name);
    if (seen.has(unit)) return;
    seen.add(unit);
    out.push({ unit, origin });
  };
  for (const [vm, v] of Object.entries(t.vms ?? {})) if (v?.host === hostName && v.backend === 'microvm') add(`microvm@${vm}`, 'microvm');
  for (const s of t.hosts?.[hostName]?.services ?? []) if (typeof s === 'string') add(s, 'topology');
  for (const d of DEFAULT_UNITS) add(d, 'default');
  return out;
}

/** Whether the host runs microvm.nix VMs of the file (its Services node shows the ZFS pools too). */
export function isMicrovmHost(t: Topology, hostName: string): boolean {
  return Object.values(t.vms ?? {}).some((v) => v?.host === hostName && v.backend === 'microvm');
}
