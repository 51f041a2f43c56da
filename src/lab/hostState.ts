// What vsim knows about one host right now. Pure data.
import type { Backend as BackendKind } from '../model/types';
import type { VmStatus } from '../backends/backend';
import type { HostHealth } from '../health/hostHealth';
import type { HostNetProbe } from '../hostnet/parse';

export type Connection =
  | { kind: 'idle' }
  | { kind: 'connecting' }
  | { kind: 'connected' }
  | { kind: 'untrusted' }
  /** The file says `offline: true`: vsim never connects to its hosts. */
  | { kind: 'offline' }
  /** The user disconnected it: nothing remote runs for it until the user connects it again. */
  | { kind: 'disconnected' }
  | { kind: 'missing-tool'; tool: string; message: string }
  | { kind: 'error'; message: string };

export interface HostLive {
  connection: Connection;
  vms: Record<string, VmStatus>;
  undeclared: { name: string; backend: BackendKind; status: VmStatus }[];
  refreshedAt?: number;
  /** The host's Services (and ZFS pools), from the health probe of the last refresh (src/health). */
  health?: HostHealth;
  /** The host's networks as the last refresh probed them (src/hostnet), or why it could not. */
  net?: HostNetProbe;
}

/** Why a host could not be listed: its connection failed, its backend's tool is missing, or the user disconnected it. */
export type Unreachable = Extract<Connection, { kind: 'error' } | { kind: 'missing-tool' } | { kind: 'disconnected' }>;

/**
 * The host after a failed refresh (or a disconnect): what was listed before is no longer known. Every
 * VM becomes `unknown` with its last known state and when it was seen (kept from the first failure on).
 */
export function unreachable(h: HostLive, connection: Unreachable): HostLive {
  const why = connection.kind === 'disconnected' ? 'disconnected' : 'unreachable';
  const stale = (s: VmStatus): VmStatus => {
    const last = s.lastKnown ?? (s.state === 'unknown' || h.refreshedAt === undefined ? undefined : { state: s.state, at: h.refreshedAt });
    if (!last) return { state: 'unknown', detail: `not known: the host is ${why}` };
    return { state: 'unknown', detail: `last known ${last.state} at ${new Date(last.at).toLocaleTimeString()}${why === 'disconnected' ? ' (disconnected)' : ''}`, lastKnown: last };
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
  const net = h.net ? ('facts' in h.net ? h.net.facts : h.net.error) : undefined;
  return JSON.stringify([h.connection, h.vms, h.undeclared, h.health && { ...h.health, at: 0 }, net]);
}

export type UndeclaredVm = HostLive['undeclared'][number];

/** A name as natural-order chunks: lower-cased text and numbers alternating (`VM-10` → ['vm-', 10, '']). */
function naturalKey(s: string): (string | number)[] {
  return s.toLowerCase().split(/(\d+)/).map((p, i) => (i % 2 ? Number(p) : p));
}

function compareKeys(a: (string | number)[], b: (string | number)[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x !== y) return x < y ? -1 : 1;
  }
  return a.length - b.length;
}

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Natural order (`vm-2` before `vm-10`, case folded), ties broken by code points so the order is total. */
export const naturalCompare = (a: string, b: string): number => compareKeys(naturalKey(a), naturalKey(b)) || byCodePoint(a, b);

const sorted = new WeakMap<HostLive['undeclared'], { rows: UndeclaredVm[]; byName: Map<string, UndeclaredVm> }>();

/**
 * A host's undeclared VMs in natural order by name, and by name: computed once per listing (the
 * tree asks for every row; a listing is replaced, never changed in place).
 */
export function undeclaredIndex(h: HostLive): { rows: UndeclaredVm[]; byName: Map<string, UndeclaredVm> } {
  let s = sorted.get(h.undeclared);
  if (!s) {
    // Each name's key once, not once per comparison.
    const keyed = h.undeclared.map((u) => ({ u, key: naturalKey(u.name) }));
    keyed.sort((a, b) => compareKeys(a.key, b.key) || byCodePoint(a.u.name, b.u.name));
    const rows = keyed.map((k) => k.u);
    s = { rows, byName: new Map(rows.map((u) => [u.name, u])) };
    sorted.set(h.undeclared, s);
  }
  return s;
}
