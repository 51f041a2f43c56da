// libvirt live facts of one domain in ONE round trip: `virsh dominfo`, `domiflist`, `domblklist
// --details`, `domstats` (CPU time, vCPUs, balloon, interface counters) and `domifaddr --source
// agent`, as a constant script with the URI and the domain as "$1" "$2". Pure but for `read`.
import { RemoteCommandError, type BackendContext, type LiveFacts, type VmLiveFacts } from '../backend';
import { shScript, splitSections } from '../script';
import { domainOf } from './domains';
import { parseDomstats } from './parseDomstats';
import { parseDomiflist } from './parseSnapshots';
import { assertDomainName } from '../../model/names';

export const LIVE_FACTS_SCRIPT = [
  'u=$1; d=$2',
  "printf '@@vsim dominfo\\n'; virsh -c \"$u\" dominfo --domain \"$d\" 2>&1; printf '@@vsim dominfo-rc %s\\n' $?",
  "printf '@@vsim domiflist\\n'; virsh -c \"$u\" domiflist --domain \"$d\" 2>&1",
  "printf '@@vsim domblklist\\n'; virsh -c \"$u\" domblklist --details --domain \"$d\" 2>&1",
  "printf '@@vsim domstats\\n'; virsh -c \"$u\" domstats --cpu-total --vcpu --balloon --interface \"$d\" 2>&1",
  "printf '@@vsim agent\\n'; virsh -c \"$u\" domifaddr --source agent --domain \"$d\" 2>&1",
  'exit 0',
].join('\n');

/** `virsh dominfo`: `Key:   value` lines. */
export function parseDominfo(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z][A-Za-z ()]*):\s+(.*)$/.exec(line.trim());
    if (m) out[m[1]!] = m[2]!.trim();
  }
  return out;
}

/** `virsh domblklist --details`: Type Device Target Source (Source `-`: none, e.g. an empty cdrom). */
export function parseDomblklist(text: string): VmLiveFacts['disks'] {
  const out: VmLiveFacts['disks'] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || /^-+$/.test(line)) continue;
    const cols = line.split(/\s+/);
    if (cols[0] === 'Type' && cols[1] === 'Device') continue;
    if (cols.length < 4) continue;
    const [type, device, target] = cols as [string, string, string];
    const source = cols.slice(3).join(' ');
    out.push({ type, device, target, ...(source !== '-' ? { source } : {}) });
  }
  return out;
}

/** `virsh domifaddr --source agent`: IPv4 addresses but loopback; or the error line as the note. */
export function parseAgentAddrs(text: string): { ips: string[] } | { note: string } {
  const err = text.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('error:')).pop();
  if (err) return { note: err.replace(/^error:\s*/, '') };
  const ips: string[] = [];
  for (const raw of text.split('\n')) {
    const cols = raw.trim().split(/\s+/);
    const i = cols.indexOf('ipv4');
    const addr = i >= 0 ? cols[i + 1]?.split('/')[0] : undefined;
    if (addr && !addr.startsWith('127.')) ips.push(addr);
  }
  return { ips };
}

const CPU_TIME = /^([\d.]+)s$/;
const KIB = /^(\d+) KiB$/;

/** `virsh domstats` fields of the domain (`cpu.time`, `vcpu.current`, `net.N.…`). */
type Stats = Record<string, string>;

export function parseLiveFacts(stdout: string, what: string): VmLiveFacts {
  const s = new Map(splitSections(stdout).map((x) => [x.kind, x]));
  const rc = s.get('dominfo-rc')?.arg;
  const info = s.get('dominfo')?.body ?? '';
  if (rc !== undefined && rc !== '0') throw new Error(`virsh dominfo ${what}: ${info.trim().split('\n').filter(Boolean).pop() ?? `exit ${rc}`}`);
  const stats: Stats = parseDomstats(s.get('domstats')?.body ?? '')[0]?.fields ?? {};
  const facts: VmLiveFacts = {
    ...dominfoFacts(parseDominfo(info), stats),
    interfaces: interfaceFacts(parseDomiflist(s.get('domiflist')?.body ?? ''), stats),
    disks: parseDomblklist(s.get('domblklist')?.body ?? ''),
  };
  const agent = parseAgentAddrs(s.get('agent')?.body ?? '');
  if ('ips' in agent) facts.agentIps = agent.ips;
  else facts.agentNote = agent.note;
  return facts;
}

/** State, vCPUs, memory and CPU time: dominfo's, where domstats has a value its. */
function dominfoFacts(d: Record<string, string>, stats: Stats): Pick<VmLiveFacts, 'state' | 'vcpus' | 'memoryKiB' | 'maxMemoryKiB' | 'cpuTimeNs'> {
  const out: ReturnType<typeof dominfoFacts> = {};
  if (d.State) out.state = d.State;
  const vcpus = stats['vcpu.current'] || d['CPU(s)'];
  if (vcpus) out.vcpus = Number(vcpus);
  const used = stats['balloon.current'] || KIB.exec(d['Used memory'] ?? '')?.[1];
  const max = KIB.exec(d['Max memory'] ?? '')?.[1];
  if (used) out.memoryKiB = Number(used);
  if (max) out.maxMemoryKiB = Number(max);
  const seconds = CPU_TIME.exec(d['CPU time'] ?? '')?.[1];
  const cpu = stats['cpu.time'] ?? (seconds ? String(Math.round(Number(seconds) * 1e9)) : undefined);
  if (cpu !== undefined) out.cpuTimeNs = Number(cpu);
  return out;
}

/** domiflist's MAC, bridge and model per interface, with domstats' counters by tap name (`net.N.name`). */
function interfaceFacts(ifaces: ReturnType<typeof parseDomiflist>, stats: Stats): VmLiveFacts['interfaces'] {
  const counters = new Map<string, Record<string, number>>();
  for (let i = 0; i < Number(stats['net.count'] ?? 0); i++) {
    const name = stats[`net.${i}.name`];
    if (!name) continue;
    const n = (k: string): number => Number(stats[`net.${i}.${k}`] ?? 0);
    counters.set(name, { rxBytes: n('rx.bytes'), txBytes: n('tx.bytes'), rxDrop: n('rx.drop'), txDrop: n('tx.drop') });
  }
  return ifaces.map((i) => {
    const c = i.iface ? counters.get(i.iface) : undefined;
    return { mac: i.mac, ...(i.iface ? { tap: i.iface } : {}), ...(i.source ? { source: i.source } : {}), ...(i.model ? { model: i.model } : {}), ...(c ?? {}) };
  });
}

export function libvirtLiveFacts(uri: (ctx: BackendContext) => string): LiveFacts {
  return {
    async read(ctx, vmName) {
      const domain = assertDomainName(domainOf(ctx.topology, vmName));
      const argv = shScript(LIVE_FACTS_SCRIPT, [uri(ctx), domain]);
      const r = await ctx.run.exec(argv, { timeoutMs: 30_000 });
      if (r.code !== 0) throw RemoteCommandError.fromResult(ctx.hostName, ['sh', '-c', '<virsh live facts>', uri(ctx), domain], r);
      return parseLiveFacts(r.stdout, `${domain} on ${ctx.hostName}`);
    },
  };
}
