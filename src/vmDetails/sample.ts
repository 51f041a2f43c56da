// The VM details page's data from the backend's live facts: the page's facts and one sample (CPU %
// and network bytes/s from two consecutive reads). Pure (no vscode).
import type { VmLiveFacts } from '../backends/backend';
import type { VmLiveIp } from '../tree/vmLive';
import type { VmDetailsFacts, VmSample } from '../../webview/vmDetails/protocol';

export interface Reading { at: number; facts: VmLiveFacts }

const sum = (f: VmLiveFacts, k: 'rxBytes' | 'txBytes'): number | undefined => {
  const xs = f.interfaces.map((i) => i[k]).filter((x): x is number => x !== undefined);
  return xs.length ? xs.reduce((a, b) => a + b, 0) : undefined;
};

/** Rates between two reads; a counter that went back (the VM restarted) gives no rate. */
export function sampleOf(prev: Reading | undefined, cur: Reading): VmSample {
  const s: VmSample = { at: cur.at };
  if (!prev || cur.at <= prev.at) return s;
  const dt = (cur.at - prev.at) / 1000;
  const a = prev.facts;
  const b = cur.facts;
  if (a.cpuTimeNs !== undefined && b.cpuTimeNs !== undefined && b.cpuTimeNs >= a.cpuTimeNs) {
    s.cpuPct = Math.min(100, ((b.cpuTimeNs - a.cpuTimeNs) / 1e9 / dt / Math.max(1, b.vcpus ?? 1)) * 100);
  }
  for (const [k, out] of [['rxBytes', 'rxBps'], ['txBytes', 'txBps']] as const) {
    const x = sum(a, k);
    const y = sum(b, k);
    if (x !== undefined && y !== undefined && y >= x) s[out] = (y - x) / dt;
  }
  return s;
}

export function detailsFacts(vm: string, host: string, state: string, f: VmLiveFacts | undefined, declaredIps: string[], live: VmLiveIp[]): VmDetailsFacts {
  return {
    vm, host, state: f?.state ?? state, declaredIps,
    ...(f?.vcpus !== undefined ? { vcpus: f.vcpus } : {}),
    ...(f?.memoryKiB !== undefined ? { memoryMiB: Math.round(f.memoryKiB / 1024) } : {}),
    ...(f?.cpuTimeNs !== undefined ? { cpuTimeS: f.cpuTimeNs / 1e9 } : {}),
    interfaces: (f?.interfaces ?? []).map((i) => ({
      tap: i.tap ?? '', mac: i.mac ?? '', source: i.source ?? '', model: i.model ?? '',
      liveIps: live.filter((l) => l.mac && l.mac === i.mac).map((l) => l.ip),
      ...(i.rxBytes !== undefined ? { rxBytes: i.rxBytes, txBytes: i.txBytes ?? 0, rxDrop: i.rxDrop ?? 0, txDrop: i.txDrop ?? 0 } : {}),
    })),
    disks: (f?.disks ?? []).map((d) => ({ target: d.target, source: d.source ?? '' })),
    liveIps: live.map((l) => ({ ip: l.ip, source: l.source })),
    ...(f?.agentNote ? { agentNote: f.agentNote } : {}),
  };
}
