// What vsim knows about one host right now. Pure data.
import type { Backend as BackendKind } from '../model/types';
import type { VmStatus } from '../backends/backend';

export type Connection =
  | { kind: 'idle' }
  | { kind: 'connecting' }
  | { kind: 'connected' }
  | { kind: 'untrusted' }
  | { kind: 'missing-tool'; tool: string; message: string }
  | { kind: 'error'; message: string };

export interface HostLive {
  connection: Connection;
  vms: Record<string, VmStatus>;
  undeclared: { name: string; backend: BackendKind; status: VmStatus }[];
  refreshedAt?: number;
}

export function emptyHost(): HostLive {
  return { connection: { kind: 'idle' }, vms: {}, undeclared: [] };
}

/** Stable text form used to fire change events only when something changed. */
export function fingerprint(h: HostLive): string {
  return JSON.stringify([h.connection, h.vms, h.undeclared]);
}
