// What vsim knows about one host right now. Pure data.
import type { Backend as BackendKind } from '../model/types';
import type { VmStatus } from '../backends/backend';

export type Connection =
  | { kind: 'idle' }
  | { kind: 'connecting' }
  | { kind: 'connected' }
  | { kind: 'untrusted' }
  /** The file says `offline: true`: vsim never connects to its hosts. */
  | { kind: 'offline' }
  | { kind: 'missing-tool'; tool: string; message: string }
  | { kind: 'error'; message: string };

export interface HostLive {
  connection: Connection;
  vms: Record<string, VmStatus>;
  undeclared: { name: string; backend: BackendKind; status: VmStatus }[];
  refreshedAt?: number;
}

/** Why a host could not be listed: its connection failed, or its backend's tool is missing. */
export type Unreachable = Extract<Connection, { kind: 'error' } | { kind: 'missing-tool' }>;

/**
 * The host after a failed refresh: what was listed before is no longer known. Every VM becomes
 * `unknown` with its last known state and when it was seen (kept from the first failure on).
 */
export function unreachable(h: HostLive, connection: Unreachable): HostLive {
  const stale = (s: VmStatus): VmStatus => {
    const last = s.lastKnown ?? (s.state === 'unknown' || h.refreshedAt === undefined ? undefined : { state: s.state, at: h.refreshedAt });
    if (!last) return { state: 'unknown', detail: 'not known: the host is unreachable' };
    return { state: 'unknown', detail: `last known ${last.state} at ${new Date(last.at).toLocaleTimeString()}`, lastKnown: last };
  };
  const vms: HostLive['vms'] = {};
  for (const [n, s] of Object.entries(h.vms)) vms[n] = stale(s);
  return { ...h, connection, vms, undeclared: h.undeclared.map((u) => ({ ...u, status: stale(u.status) })) };
}

export function emptyHost(): HostLive {
  return { connection: { kind: 'idle' }, vms: {}, undeclared: [] };
}

/** Stable text form used to fire change events only when something changed. */
export function fingerprint(h: HostLive): string {
  return JSON.stringify([h.connection, h.vms, h.undeclared]);
}
