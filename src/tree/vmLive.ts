// A VM's live facts as the host reports them (backend liveFacts + the host's network probe), as
// Markdown for its tooltip, and its live IPs with where each comes from. Every value is escaped.
// Pure (no vscode).
import type { VmLiveFacts } from '../backends/backend';
import type { HostNetProbe } from '../hostnet/parse';
import { formatBytes, liveIps } from '../hostnet/view';
import type { Topology } from '../model/types';
import { escapeMarkdown as md } from './planPresent';

export interface VmLiveIp { ip: string; source: 'lease' | 'neighbour' | 'guest agent'; mac?: string }

/** The VM's IPs right now: guest agent first, then DHCP leases and neighbour entries by its MACs. */
export function vmLiveIps(topology: Topology, vm: string, facts: VmLiveFacts | undefined, net: HostNetProbe | undefined, nowMs: number): VmLiveIp[] {
  const out: VmLiveIp[] = (facts?.agentIps ?? []).map((ip) => ({ ip, source: 'guest agent' as const }));
  if (net && 'facts' in net) {
    const macs = (facts?.interfaces ?? []).map((i) => i.mac).filter((m): m is string => !!m);
    for (const x of liveIps(topology, vm, net.facts, nowMs, macs)) if (!out.some((o) => o.ip === x.ip)) out.push({ ip: x.ip, source: x.source, mac: x.mac });
  }
  return out;
}

const mib = (kib: number): string => `${Math.round(kib / 1024)} MiB`;

export function liveFactsMarkdown(f: VmLiveFacts, ips: readonly VmLiveIp[], at: number): string {
  let out = `\n\n**Live** (from the host, ${md(new Date(at).toLocaleTimeString())}):\n\n| | |\n|---|---|\n`;
  const row = (k: string, v: string): void => {
    out += `| ${md(k)} | ${md(v)} |\n`;
  };
  if (f.state) row('state', f.state);
  if (f.vcpus !== undefined) row('vCPUs', String(f.vcpus));
  if (f.memoryKiB !== undefined) row('memory', `${mib(f.memoryKiB)}${f.maxMemoryKiB && f.maxMemoryKiB !== f.memoryKiB ? ` of ${mib(f.maxMemoryKiB)}` : ''}`);
  if (f.cpuTimeNs !== undefined) row('CPU time', `${(f.cpuTimeNs / 1e9).toFixed(1)} s`);
  f.interfaces.forEach((i, k) => {
    const counters = i.rxBytes !== undefined ? ` · RX ${formatBytes(i.rxBytes)} TX ${formatBytes(i.txBytes ?? 0)} drops ${i.rxDrop ?? 0}/${i.txDrop ?? 0}` : '';
    row(`nic ${k}`, `${i.tap ?? '(no tap)'} · ${i.mac ?? '?'} · ${i.source ?? '?'}${i.model ? ` · ${i.model}` : ''}${counters}`);
  });
  for (const d of f.disks) row(`disk ${d.target}`, d.source ?? '(empty)');
  row('live IPs', ips.length ? ips.map((x) => `${x.ip} (${x.source})`).join(', ') : 'none seen (no lease, neighbour entry or guest agent answer)');
  if (f.agentNote) row('guest agent', f.agentNote);
  return out;
}

export interface IpChoice {
  which: 'live' | 'declared';
  ips: string[];
  /** Plain text for the picker and the status message. */
  label: string;
  detail: string;
}

/**
 * What "Copy IP" offers: the live IPs beside the file's. `differs`: they are not the same set
 * (then the user picks; otherwise the one set is copied and the message says it matches).
 */
export function ipChoices(declared: readonly string[], live: readonly VmLiveIp[]): { choices: IpChoice[]; differs: boolean } {
  const liveIps = [...new Set(live.map((l) => l.ip))];
  const same = liveIps.length > 0 && liveIps.length === declared.length && liveIps.every((ip) => declared.includes(ip));
  const choices: IpChoice[] = [];
  if (liveIps.length) {
    choices.push({ which: 'live', ips: liveIps, label: liveIps.join(' '), detail: `live: ${live.map((l) => `${l.ip} (${l.source})`).join(', ')}${same ? ' — same as the file' : declared.length ? ` — the file says ${declared.join(' ')}` : ' — the file names no IP'}` });
  }
  if (declared.length && !same) choices.push({ which: 'declared', ips: [...declared], label: declared.join(' '), detail: `in the file${liveIps.length ? '' : ' (no live IP seen on the host)'}` });
  return { choices, differs: liveIps.length > 0 && declared.length > 0 && !same };
}
