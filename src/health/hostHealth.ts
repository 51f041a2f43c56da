// What a host's Services node shows: its units with their state, and (microvm hosts) its ZFS
// pools. Pure data, filled by one round trip per refresh (./probe.ts).
import type { UnitOrigin } from '../model/services';

export interface ServiceStatus {
  /** The unit asked for (`libvirtd.service`); `id` is systemd's name for it (an alias resolves to its unit). */
  unit: string;
  id: string;
  origin: UnitOrigin;
  description: string;
  /** loaded, not-found, masked, bad-setting, error. */
  load: string;
  /** active, failed, inactive, activating, deactivating, reloading. */
  active: string;
  /** running, exited, dead, failed, auto-restart… */
  sub: string;
  /** Why it last stopped or failed (`exit-code`, `signal`, `timeout`), when not `success`. */
  result?: string;
  /** When it entered its current state (ms since the epoch). */
  since?: number;
  mainPid?: number;
}

/** A section the host cannot show, with the reason ("not on this host": no systemd as PID 1, no zpool). */
export interface Absent { kind: 'absent'; reason: string }
export interface Failed { kind: 'error'; message: string }

export type ServicesState =
  | {
    kind: 'ok';
    /** Units to show: every unit the file names, and the defaults the host has. */
    units: ServiceStatus[];
    /** Defaults this host does not have (not shown as rows). */
    notInstalled: string[];
  }
  | Absent
  | Failed;

export type ZfsState = { kind: 'ok'; healthy: boolean; text: string } | Absent | Failed;

export interface HostHealth {
  services: ServicesState;
  /** microvm hosts only: `zpool status -x`. */
  zfs?: ZfsState;
  at: number;
}

/** The state words of a unit: `active/running`, `failed (exit-code)`, `inactive/dead`. */
export function stateText(s: ServiceStatus): string {
  if (s.load === 'not-found') return 'not found';
  if (s.active === 'failed') return `failed${s.result ? ` (${s.result})` : ''}`;
  return `${s.active}/${s.sub}`;
}

/** A unit's state as one line for the clipboard and the log: `dnsmasq.service on hv1: active/running since 2026-12-07 00:49:38 UTC (pid 812)`. */
export function statusLine(host: string, s: ServiceStatus): string {
  if (s.load === 'not-found') return `${s.unit} on ${host}: no such unit (systemd does not know it)`;
  const since = s.since ? ` since ${new Date(s.since).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}` : '';
  return `${s.unit} on ${host}: ${stateText(s)}${since}${s.mainPid ? ` (pid ${s.mainPid})` : ''}${s.description ? ` — ${s.description}` : ''}`;
}
