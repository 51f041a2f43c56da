// The one message protocol between the VM details page (src/vmDetails/panel.ts) and its webview
// (webview/vmDetails/main.ts). Imported by both sides; each side checks what it receives.

/** What the page shows of the VM, as plain data (numbers already made into rates on the extension side). */
export interface VmDetailsFacts {
  vm: string;
  host: string;
  /** The host's word for the state, or the lab's when live facts are not available. */
  state: string;
  vcpus?: number;
  memoryMiB?: number;
  cpuTimeS?: number;
  interfaces: { tap: string; mac: string; source: string; model: string; liveIps: string[]; rxBytes?: number; txBytes?: number; rxDrop?: number; txDrop?: number }[];
  disks: { target: string; source: string }[];
  declaredIps: string[];
  liveIps: { ip: string; source: string }[];
  agentNote?: string;
}

/** One sample per refresh interval while the page is visible. Rates need two reads: absent on the first. */
export interface VmSample {
  at: number;
  cpuPct?: number;
  rxBps?: number;
  txBps?: number;
}

export type ToWebview =
  | { type: 'facts'; facts: VmDetailsFacts; sample: VmSample; intervalMs: number }
  | { type: 'error'; message: string; at: number };

export type FromWebview = { type: 'ready' } | { type: 'refresh' };

export function isToWebview(x: unknown): x is ToWebview {
  if (!x || typeof x !== 'object') return false;
  const m = x as { type?: unknown; facts?: unknown; sample?: unknown; message?: unknown };
  if (m.type === 'facts') return !!m.facts && typeof m.facts === 'object' && !!m.sample && typeof m.sample === 'object';
  return m.type === 'error' && typeof m.message === 'string';
}

export function parseFromWebview(x: unknown): FromWebview | undefined {
  if (!x || typeof x !== 'object') return undefined;
  const t = (x as { type?: unknown }).type;
  return t === 'ready' || t === 'refresh' ? { type: t } : undefined;
}
