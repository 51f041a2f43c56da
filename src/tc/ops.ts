// Traffic-control operations over a CommandRunner: apply / show / clear / partition / heal, each
// ONE round trip (src/tc/opsScript.ts) that ends with the kernel's readback. No vscode here.
// "Show" never guesses: what is reported is parsed from `tc -s -j … show`, then named with
// identifyProfile-style matching against the topology's profiles.
import { RemoteCommandError, type CommandRunner } from '../backends/backend';
import type { Profile, Topology } from '../model/types';
import { buildCommand } from '../remote/quote';
import { compareShaping } from './compare';
import { ifbName } from './ifbName';
import { activeShaping, parseQdiscJson, parseTcJson, type ActiveShaping } from './parseQdisc';
import { parseScriptOutput, SCRIPT_ARGV, scriptStdin, libvirtTapMac, type ScriptDevice, type ScriptOutput, type ScriptUnit, type TcScript } from './opsScript';
import { gactProbe, isMissingFeature, netemProbe } from './probe';
import { renderApply, renderClear } from './renderClear';
import { DEFAULT_BLACKHOLE, partitionPref, renderHeal, renderHealSide, renderPartition, renderPartitionSide, type DropMethod } from './renderPartition';
import { isEmptyShaping, needsNetem, shapingFor } from './renderProfile';
import { readLinks, type LinkReadback } from './parseLink';
import { renderLinkShaping, type LinkShapingSpec } from './renderLink';
import { formatDuration, formatRate } from './units';

/** A host-side interface of a VM that vsim shapes. */
export interface VmIface {
  vm: string;
  iface: string;
  /** Where the tap can be found when `iface` does not exist (libvirt names `vnet*` taps itself). */
  hostMac?: string;
  /** Override names, most specific first (links of the profile's targets, then the VM). */
  names: string[];
  ip?: string;
}

/** What a host kernel supports, probed once (side-effect free, in a throwaway netns). */
export interface HostCaps {
  /** undefined: the probe could not tell (e.g. no permission); then netem is tried. */
  netem: boolean | undefined;
  gact: boolean | undefined;
}

export interface TcFilter {
  pref: number;
  kind: string;
  /** e.g. "drop", "mirred redirect vsim-drop". */
  action?: string;
}

export interface IfaceReadback extends VmIface {
  /** Device found on the host ('' when neither the tap nor its MAC exists). */
  dev: string;
  egress: ActiveShaping;
  /** The ifb device's shaping (ingress direction), when the ifb exists. */
  ingress?: ActiveShaping;
  filters: TcFilter[];
  /** Per-link shaping under the root htb (read when the operation asked for it). */
  links?: LinkReadback[];
  /** What the kernel has, named: a profile, per-link shaping, "custom" or "none". */
  match: ProfileMatch;
}

export type ProfileMatch = { kind: 'none' } | { kind: 'profile'; profile: string } | { kind: 'links' } | { kind: 'custom' } | { kind: 'missing' };

/** A tap whose per-link shaping is rebuilt: all the links of its VM that carry values. */
export interface LinkTap extends VmIface {
  specs: LinkShapingSpec[];
}

export interface TcHostResult {
  host: string;
  ifaces: IfaceReadback[];
  /** Failures that were not tolerated, as errors naming host, command and stderr. */
  errors: Error[];
  /** The profile needs netem and the host has none: delay/loss/… left out, rate applied. */
  netemSkipped: boolean;
  /** Time of the operation's round trip (ms), and the number of round trips (probe included). */
  durationMs: number;
  roundTrips: number;
}

export interface PartitionEndRef extends VmIface {
  ip: string;
}

export interface PartitionResult extends TcHostResult {
  /** Both sides' drop filters are present in the kernel. */
  partitioned: boolean;
  method: DropMethod['kind'];
}

/** A script's time limit: a base plus an allowance per device (a slow host with many taps needs more). */
export interface TcTimeouts {
  baseMs: number;
  perDeviceMs: number;
}
const DEFAULT_TIMEOUTS: TcTimeouts = { baseMs: 30_000, perDeviceMs: 1_000 };

/** The tap interfaces of a VM, with the override names that apply for `profile`. */
export function vmIfaces(topology: Topology, vm: string, profile?: Profile): VmIface[] {
  const v = topology.vms?.[vm];
  if (!v) throw new Error(`No VM named ${vm} in this topology.`);
  const links = Object.entries(topology.links ?? {}).filter(([name, l]) => l.endpoints.includes(vm) && profile?.targets?.includes(name)).map(([name]) => name);
  return (v.nics ?? []).filter((n) => n.tap).map((n) => ({
    vm,
    iface: n.tap as string,
    hostMac: v.backend === 'libvirt' && n.mac ? libvirtTapMac(n.mac) : undefined,
    names: [...links, vm],
    ip: n.ip,
  }));
}

function readDevice(out: ScriptOutput, i: number): { dev: string; egress: ActiveShaping; ingress?: ActiveShaping; filters: TcFilter[]; links?: LinkReadback[] } {
  const d = out.devices[i] ?? { dev: '' };
  const qdiscs = d.qdiscJson !== undefined ? parseQdiscJson(d.qdiscJson) : [];
  const egress = activeShaping(qdiscs);
  const ingress = d.ifbJson !== undefined ? activeShaping(parseQdiscJson(d.ifbJson)) : undefined;
  const links = d.linkFilterJson !== undefined ? readLinks(qdiscs, d.classText ?? '', d.linkFilterJson) : undefined;
  return { dev: d.dev, egress, ingress, filters: d.filterJson !== undefined ? parseFilterJson(d.filterJson) : [], ...(links ? { links } : {}) };
}

/** `tc -j filter show dev X parent ffff:` → one entry per filter preference (u32 prints a few rows each). */
export function parseFilterJson(text: string): TcFilter[] {
  const data = parseTcJson(text);
  if (!Array.isArray(data)) return [];
  const byPref = new Map<number, TcFilter>();
  for (const raw of data as Record<string, unknown>[]) {
    const pref = Number(raw?.pref);
    if (!Number.isFinite(pref)) continue;
    const f = byPref.get(pref) ?? { pref, kind: String(raw.kind ?? '') };
    const actions = (raw.options as { actions?: Record<string, unknown>[] } | undefined)?.actions;
    const a = actions?.[0];
    if (a) f.action = a.kind === 'gact' ? String(a.control_action && (a.control_action as { type?: string }).type || 'drop') : [a.kind, a.mirred_action, a.to_dev].filter(Boolean).join(' ');
    byPref.set(pref, f);
  }
  return [...byPref.values()];
}

/** Names what the kernel has on one interface (egress on the tap, ingress on its ifb), per profile direction. */
export function identifyIface(egress: ActiveShaping, ingress: ActiveShaping | undefined, profiles: Record<string, Profile>, names: string[], netem?: boolean): ProfileMatch {
  const inNone = !ingress || ingress.none;
  if (egress.none && inNone) return { kind: 'none' };
  const none = activeShaping([]);
  for (const [name, p] of Object.entries(profiles)) {
    const s = shapingFor(p, names);
    if (isEmptyShaping(s)) continue;
    const dir = p.direction ?? 'egress';
    const opts = { netem };
    const eOk = compareShaping(egress, dir === 'ingress' ? {} : s, opts).matches;
    const iOk = compareShaping(ingress ?? none, dir === 'egress' ? {} : s, opts).matches;
    if (eOk && iOk) return { kind: 'profile', profile: name };
  }
  return { kind: 'custom' };
}

function stepErrors(host: string, out: ScriptOutput, devices: ScriptDevice[]): Error[] {
  const errors: Error[] = out.failures.filter((f) => !f.tolerated)
    .map((f) => RemoteCommandError.fromResult(host, f.step.argv, { stdout: '', stderr: f.stderr, code: f.code, durationMs: 0 }));
  for (const i of out.missing) {
    const d = devices[i];
    if (d) errors.push(new Error(`${d.iface} does not exist on ${host}${d.hostMac ? ` (no device with libvirt's tap MAC ${d.hostMac} either)` : ''}: is the VM running?`));
  }
  return errors;
}

/** One CommandRunner per host; capabilities cached per host name for the life of this object. */
export class TcOps {
  private readonly caps = new Map<string, Promise<HostCaps>>();

  constructor(private readonly onRoundTrip?: (host: string, ms: number) => void, private readonly timeouts: TcTimeouts = DEFAULT_TIMEOUTS) {}

  private async exec(host: string, run: CommandRunner, script: TcScript): Promise<{ out: ScriptOutput; ms: number }> {
    const t0 = Date.now();
    let r;
    try {
      r = await run.exec(SCRIPT_ARGV, { timeoutMs: this.timeouts.baseMs + this.timeouts.perDeviceMs * script.devices.length, stdin: scriptStdin(script) });
    } catch (err) {
      // Connection failures quote the command line: name it as the script.
      const m = (err as Error).message.split(buildCommand(SCRIPT_ARGV)).join('<vsim tc script>');
      throw new Error(m.includes(host) ? m : `${host}: ${m}`);
    }
    const ms = Date.now() - t0;
    this.onRoundTrip?.(host, ms);
    if (r.code !== 0) throw RemoteCommandError.fromResult(host, ['sh', '-s', '<vsim tc script>'], r);
    return { out: parseScriptOutput(script, r.stdout), ms };
  }

  /** Probes netem and the gact action once per host (one round trip; later calls use the cache). */
  capabilities(host: string, run: CommandRunner): Promise<{ caps: HostCaps; roundTrips: number }> {
    const cached = this.caps.get(host);
    if (cached) return cached.then((caps) => ({ caps, roundTrips: 0 }));
    const p = this.exec(host, run, { devices: [], units: [], probes: [{ name: 'netem', argv: netemProbe() }, { name: 'gact', argv: gactProbe() }] })
      .then(({ out }) => {
        const verdict = (name: string): boolean | undefined => {
          const r = out.probes[name];
          if (!r) return undefined;
          if (r.code === 0) return true;
          return isMissingFeature(r.stderr) ? false : undefined;
        };
        return { netem: verdict('netem'), gact: verdict('gact') };
      });
    this.caps.set(host, p);
    p.catch(() => this.caps.delete(host));
    return p.then((caps) => ({ caps, roundTrips: 1 }));
  }

  /** Forget a host's capabilities (reconnect to another machine under the same name). */
  forget(host: string): void {
    this.caps.delete(host);
  }

  private readback(host: string, topology: Topology, ifaces: VmIface[], out: ScriptOutput, netem: boolean | undefined): IfaceReadback[] {
    return ifaces.map((t, i) => {
      const { specs: _specs, ...iface } = t as LinkTap;
      const r = readDevice(out, i);
      const match: ProfileMatch = !r.dev ? { kind: 'missing' }
        : r.links?.length && r.egress.kinds[0] === 'htb' ? { kind: 'links' }
          : identifyIface(r.egress, r.ingress, topology.profiles ?? {}, t.names, netem);
      return { ...iface, ...r, match };
    });
  }

  private devices(ifaces: VmIface[], filters = false, links = false): ScriptDevice[] {
    return ifaces.map((t) => ({ iface: t.iface, hostMac: t.hostMac, qdiscs: { ifb: ifbName(t.iface) }, filters, links }));
  }

  /**
   * Rebuilds the per-link shaping of the given taps (each with ALL its links' values; none: the
   * per-link shaping is removed) and reads back qdiscs, classes and filters. One round trip (plus
   * the netem probe the first time). Partitions (ingress filters) are untouched.
   */
  async applyLinks(host: string, run: CommandRunner, topology: Topology, taps: LinkTap[]): Promise<TcHostResult> {
    const wantsNetem = taps.some((t) => t.specs.some((s) => needsNetem(s.shaping)));
    return this.shape(host, run, topology, taps, wantsNetem, this.devices(taps, true, true),
      (t, i, netem) => ({ devices: [i], steps: renderLinkShaping(t.iface, t.specs, { netem }) }));
  }

  /**
   * One shaping round trip for `ifaces` of a host (plus the netem probe the first time a host meets
   * values that need it): each interface's unit of steps, rendered knowing whether netem is there,
   * then the readback.
   */
  private async shape<T extends VmIface>(host: string, run: CommandRunner, topology: Topology, ifaces: T[], wantsNetem: boolean,
    devices: ScriptDevice[], unit: (t: T, i: number, netem: boolean) => ScriptUnit): Promise<TcHostResult> {
    let roundTrips = 0;
    let netem: boolean | undefined;
    if (wantsNetem) {
      const c = await this.capabilities(host, run);
      roundTrips += c.roundTrips;
      netem = c.caps.netem;
    } else {
      netem = (await this.cachedCaps(host))?.netem;
    }
    const units = ifaces.map((t, i) => unit(t, i, netem !== false));
    const { out, ms } = await this.exec(host, run, { devices, units });
    return {
      host,
      ifaces: this.readback(host, topology, ifaces, out, netem),
      errors: stepErrors(host, out, devices),
      netemSkipped: wantsNetem && netem === false,
      durationMs: ms,
      roundTrips: roundTrips + 1,
    };
  }

  /**
   * Clears, applies `profile` and reads back, for the given interfaces of one host, in one round
   * trip (plus one probe round trip the first time a host meets a profile that needs netem).
   * A profile without values (the seeds' `default`) is a clear.
   */
  async apply(host: string, run: CommandRunner, topology: Topology, profileName: string, ifaces: VmIface[]): Promise<TcHostResult> {
    const profile = topology.profiles?.[profileName];
    if (!profile) throw new Error(`No profile ${JSON.stringify(profileName)} in the topology.`);
    const wantsNetem = ifaces.some((t) => needsNetem(shapingFor(profile, t.names)));
    return this.shape(host, run, topology, ifaces, wantsNetem, this.devices(ifaces),
      (t, i, netem) => ({ devices: [i], steps: renderApply(profile, t, { netem }) }));
  }

  private async cachedCaps(host: string): Promise<HostCaps | undefined> {
    const p = this.caps.get(host);
    return p ? p.catch(() => undefined) : undefined;
  }

  /** Reads what the kernel has on the interfaces (qdiscs, ifb, ingress filters). One round trip. */
  async show(host: string, run: CommandRunner, topology: Topology, ifaces: VmIface[]): Promise<TcHostResult> {
    const devices = this.devices(ifaces, true, true);
    const { out, ms } = await this.exec(host, run, { devices, units: [] });
    const netem = (await this.cachedCaps(host))?.netem;
    return { host, ifaces: this.readback(host, topology, ifaces, out, netem), errors: stepErrors(host, out, devices), netemSkipped: false, durationMs: ms, roundTrips: 1 };
  }

  /** Removes vsim's shaping (root, ingress, ifb) from the interfaces and reads back. One round trip. */
  async clear(host: string, run: CommandRunner, topology: Topology, ifaces: VmIface[]): Promise<TcHostResult> {
    const devices = this.devices(ifaces);
    const units: ScriptUnit[] = ifaces.map((t, i) => ({ devices: [i], steps: renderClear(t.iface) }));
    const { out, ms } = await this.exec(host, run, { devices, units });
    return { host, ifaces: this.readback(host, topology, ifaces, out, undefined), errors: stepErrors(host, out, devices), netemSkipped: false, durationMs: ms, roundTrips: 1 };
  }

  /**
   * Drops IPv4 between two VMs on the same host (on each side's tap) and reads the filters back.
   * Idempotent (heal first). Drop method: gact where the kernel has it, else a down ifb "blackhole".
   */
  async partition(host: string, run: CommandRunner, topology: Topology, a: PartitionEndRef, b: PartitionEndRef): Promise<PartitionResult> {
    const c = await this.capabilities(host, run);
    const method: DropMethod = c.caps.gact === false ? { kind: 'blackhole', dev: DEFAULT_BLACKHOLE } : { kind: 'gact' };
    const devices = this.devices([a, b], true);
    const steps = [...renderHeal(a, b), ...renderPartition(a, b, method)];
    const { out, ms } = await this.exec(host, run, { devices, units: [{ devices: [0, 1], steps }] });
    const ifaces = this.readback(host, topology, [a, b], out, c.caps.netem);
    return {
      host, ifaces, errors: stepErrors(host, out, devices), netemSkipped: false, durationMs: ms, roundTrips: c.roundTrips + 1,
      partitioned: hasDrop(ifaces[0], b.ip) && hasDrop(ifaces[1], a.ip),
      method: method.kind,
    };
  }

  /**
   * One side of a partition between VMs on different hosts (each host drops what its VM sends to
   * the other): `from`'s tap on `host` gets the drop filter towards `to`, read back. Heal first.
   */
  async partitionSide(host: string, run: CommandRunner, topology: Topology, from: PartitionEndRef, to: PartitionEndRef): Promise<PartitionResult> {
    const c = await this.capabilities(host, run);
    const method: DropMethod = c.caps.gact === false ? { kind: 'blackhole', dev: DEFAULT_BLACKHOLE } : { kind: 'gact' };
    const devices = this.devices([from], true);
    const { out, ms } = await this.exec(host, run, { devices, units: [{ devices: [0], steps: [...renderHealSide(from, to), ...renderPartitionSide(from, to, method)] }] });
    const ifaces = this.readback(host, topology, [from], out, c.caps.netem);
    return { host, ifaces, errors: stepErrors(host, out, devices), netemSkipped: false, durationMs: ms, roundTrips: c.roundTrips + 1, partitioned: hasDrop(ifaces[0], to.ip), method: method.kind };
  }

  /**
   * Partition (or heal) two VMs on different hosts: each host's side in parallel. The result names
   * both hosts (`hvA+hvB`), both taps' read-back; `partitioned` when both drops are in place.
   */
  async across(heal: boolean, ha: { host: string; run: CommandRunner }, hb: { host: string; run: CommandRunner }, topology: Topology, a: PartitionEndRef, b: PartitionEndRef): Promise<PartitionResult> {
    const side = (h: { host: string; run: CommandRunner }, from: PartitionEndRef, to: PartitionEndRef) =>
      (heal ? this.healSide(h.host, h.run, topology, from, to) : this.partitionSide(h.host, h.run, topology, from, to));
    const [ra, rb] = await Promise.all([side(ha, a, b), side(hb, b, a)]);
    return {
      host: `${ha.host}+${hb.host}`, ifaces: [...ra.ifaces, ...rb.ifaces], errors: [...ra.errors, ...rb.errors], netemSkipped: false,
      durationMs: Math.max(ra.durationMs, rb.durationMs), roundTrips: ra.roundTrips + rb.roundTrips,
      partitioned: heal ? ra.partitioned || rb.partitioned : ra.partitioned && rb.partitioned, method: ra.method,
    };
  }

  /** Removes one side's drop filter and reads back (`partitioned`: the filter is still there). One round trip. */
  async healSide(host: string, run: CommandRunner, topology: Topology, from: PartitionEndRef, to: PartitionEndRef): Promise<PartitionResult> {
    const devices = this.devices([from], true);
    const { out, ms } = await this.exec(host, run, { devices, units: [{ devices: [0], steps: renderHealSide(from, to) }] });
    const ifaces = this.readback(host, topology, [from], out, (await this.cachedCaps(host))?.netem);
    return { host, ifaces, errors: stepErrors(host, out, devices), netemSkipped: false, durationMs: ms, roundTrips: 1, partitioned: hasDrop(ifaces[0], to.ip), method: 'gact' };
  }

  /** Removes the pair's drop filters and reads back. One round trip. */
  async heal(host: string, run: CommandRunner, topology: Topology, a: PartitionEndRef, b: PartitionEndRef): Promise<PartitionResult> {
    const devices = this.devices([a, b], true);
    const { out, ms } = await this.exec(host, run, { devices, units: [{ devices: [0, 1], steps: renderHeal(a, b) }] });
    const ifaces = this.readback(host, topology, [a, b], out, (await this.cachedCaps(host))?.netem);
    const partitioned = hasDrop(ifaces[0], b.ip) || hasDrop(ifaces[1], a.ip);
    return { host, ifaces, errors: stepErrors(host, out, devices), netemSkipped: false, durationMs: ms, roundTrips: 1, partitioned, method: 'gact' };
  }
}

/** The interface has the partition filter towards `peerIp`. */
export function hasDrop(r: IfaceReadback | undefined, peerIp: string): boolean {
  return !!r?.filters.some((f) => f.pref === partitionPref(peerIp));
}

function formatBytes(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(1)} GB`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)} MB`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} kB`;
  return `${n} B`;
}

/** "tbf rate 10mbit burst 4096b" / "netem delay 50ms ±10ms loss 5%". */
export function describeShaping(a: ActiveShaping): string {
  if (a.none) return 'no shaping';
  const parts = [a.kinds.join('+')];
  if (a.rateBits !== undefined) parts.push(`rate ${formatRate(a.rateBits)}`);
  if (a.burstBytes !== undefined) parts.push(`burst ${a.burstBytes}b`);
  if (a.delayUs !== undefined) parts.push(`delay ${formatDuration(a.delayUs)}${a.jitterUs ? ` ±${formatDuration(a.jitterUs)}` : ''}`);
  if (a.lossPct !== undefined) parts.push(`loss ${a.lossPct}%`);
  if (a.corruptPct !== undefined) parts.push(`corrupt ${a.corruptPct}%`);
  if (a.duplicatePct !== undefined) parts.push(`duplicate ${a.duplicatePct}%`);
  return parts.join(' ');
}

export function describeCounters(a: ActiveShaping): string {
  const c = a.counters;
  return `sent ${formatBytes(c.bytes)} / ${c.packets} pkts, ${c.drops} dropped, ${c.overlimits} overlimits`;
}

export function describeMatchShort(m: ProfileMatch): string {
  return m.kind === 'profile' ? m.profile : m.kind === 'missing' ? 'tap not found' : m.kind === 'links' ? 'per-link' : m.kind;
}

/** "from 10.99.0.11: htb+netem rate 20mbit delay 40ms". */
export function describeLink(l: LinkReadback): string {
  return `from ${l.peerIp}: ${describeShaping(l.shaping)}`;
}

/** "chassis vnet0: constrained (tbf rate 10mbit burst 4096b; sent 1.2 kB / 12 pkts, 0 dropped, 0 overlimits)". */
export function describeIface(r: IfaceReadback): string {
  const dev = r.dev && r.dev !== r.iface ? `${r.iface} (${r.dev})` : r.iface;
  if (r.match.kind === 'missing') return `${r.vm} ${dev}: tap not found on the host`;
  const details: string[] = [];
  if (r.match.kind === 'links') details.push(...(r.links ?? []).map((l) => `link ${describeLink(l)}; ${describeCounters(l.shaping)}`));
  else if (!r.egress.none) details.push(`egress ${describeShaping(r.egress)}; ${describeCounters(r.egress)}`);
  if (r.ingress && !r.ingress.none) details.push(`ingress ${describeShaping(r.ingress)}; ${describeCounters(r.ingress)}`);
  const drops = r.filters.filter((f) => f.pref < 40000);
  if (drops.length) details.push(`${drops.length} partition filter${drops.length > 1 ? 's' : ''}`);
  return `${r.vm} ${dev}: ${describeMatchShort(r.match)}${details.length ? ` (${details.join(' · ')})` : ''}`;
}
