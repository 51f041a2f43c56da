// A traffic-control profile → the tc/ip commands (argv) that apply it on one host-side
// interface. Pure. The commands assume a clean interface: apply = renderClear() then these
// (renderApply() gives both as steps).
import { assertIfname } from '../model/names';
import type { Profile, Shaping } from '../model/types';
import { ifbName } from './ifbName';
import { defaultBurstBytes, rateBits } from './units';

/** Where a profile is applied: the host-side interface, and the VM or link it belongs to (for overrides). */
export interface TcTarget {
  iface: string;
  /** VM or link names whose `overrides` apply, most specific first. */
  names?: string[];
}

/** tbf's queue bound, as a latency (tc computes limit = rate × latency + burst). */
export const TBF_LATENCY = '50ms';
/** Filter preference of the ingress → ifb redirect; partitions use lower numbers so they run first. */
export const MIRRED_PREF = 40000;
/** Handle of the tbf under a netem root. */
export const TBF_CHILD_HANDLE = '10:';

const SHAPING_KEYS = ['rate', 'burst', 'delay', 'jitter', 'loss', 'corrupt', 'duplicate'] as const;

/** The profile's values for a target: top level, replaced field by field by the first matching override. */
export function shapingFor(profile: Profile, names: readonly string[] = []): Shaping {
  const out: Shaping = {};
  for (const k of SHAPING_KEYS) if (profile[k] !== undefined) out[k] = profile[k];
  const name = names.find((n) => profile.overrides?.[n]);
  const o = name ? profile.overrides?.[name] : undefined;
  if (o) for (const k of SHAPING_KEYS) if (o[k] !== undefined) out[k] = o[k];
  return out;
}

export function needsNetem(s: Shaping): boolean {
  return !!(s.delay || s.loss || s.corrupt || s.duplicate);
}

export function isEmptyShaping(s: Shaping): boolean {
  return !s.rate && !needsNetem(s);
}

/** `delay D [J] loss L corrupt C duplicate X` (only the given ones). */
export function netemArgs(s: Shaping): string[] {
  const a: string[] = [];
  if (s.delay) a.push('delay', s.delay, ...(s.jitter ? [s.jitter] : []));
  if (s.loss) a.push('loss', s.loss);
  if (s.corrupt) a.push('corrupt', s.corrupt);
  if (s.duplicate) a.push('duplicate', s.duplicate);
  return a;
}

/** `rate R burst B latency 50ms`; burst defaults to max(rate/250 Hz, 1600) bytes. */
export function tbfArgs(s: Shaping & { rate: string }): string[] {
  const burst = s.burst ?? `${defaultBurstBytes(rateBits(s.rate))}b`;
  return ['rate', s.rate, 'burst', burst, 'latency', TBF_LATENCY];
}

export interface ShapingOptions {
  /** false: the host has no netem; delay/loss/jitter/corrupt/duplicate are left out (rate still applied). */
  netem?: boolean;
}

/** Root shaping on one device: tbf alone, netem alone, or netem (1:) with tbf (10:) as its child. */
export function renderShaping(dev: string, s: Shaping, options: ShapingOptions = {}): string[][] {
  assertIfname(dev);
  const netem = options.netem !== false && needsNetem(s);
  const cmds: string[][] = [];
  if (netem) {
    cmds.push(['tc', 'qdisc', 'add', 'dev', dev, 'root', 'handle', '1:', 'netem', ...netemArgs(s)]);
    if (s.rate) cmds.push(['tc', 'qdisc', 'add', 'dev', dev, 'parent', '1:1', 'handle', TBF_CHILD_HANDLE, 'tbf', ...tbfArgs({ ...s, rate: s.rate })]);
  } else if (s.rate) {
    cmds.push(['tc', 'qdisc', 'add', 'dev', dev, 'root', 'handle', '1:', 'tbf', ...tbfArgs({ ...s, rate: s.rate })]);
  }
  return cmds;
}

/** Redirects an interface's ingress to its ifb device (created here, brought up). */
export function renderIngressRedirect(iface: string): string[][] {
  const ifb = ifbName(iface);
  return [
    ['ip', 'link', 'add', 'name', ifb, 'type', 'ifb'],
    ['ip', 'link', 'set', 'dev', ifb, 'up'],
    ['tc', 'qdisc', 'add', 'dev', iface, 'handle', 'ffff:', 'ingress'],
    ['tc', 'filter', 'add', 'dev', iface, 'parent', 'ffff:', 'protocol', 'all', 'prio', String(MIRRED_PREF),
      'u32', 'match', 'u32', '0', '0', 'action', 'mirred', 'egress', 'redirect', 'dev', ifb],
  ];
}

/**
 * The commands that apply `profile` on `target.iface` (clean interface assumed). Egress (towards
 * the VM) = root qdisc of the tap; ingress (from the VM) = the same shaping on its ifb device.
 * A profile without values (the seeds' `default`) renders nothing: applying it is a clear.
 */
export function renderProfile(profile: Profile, target: TcTarget, options: ShapingOptions = {}): string[][] {
  const iface = assertIfname(target.iface);
  const s = shapingFor(profile, target.names);
  if (isEmptyShaping(s) || (options.netem === false && !s.rate)) return [];
  const dir = profile.direction ?? 'egress';
  const cmds: string[][] = [];
  if (dir === 'egress' || dir === 'both') cmds.push(...renderShaping(iface, s, options));
  if (dir === 'ingress' || dir === 'both') {
    cmds.push(...renderIngressRedirect(iface), ...renderShaping(ifbName(iface), s, options));
  }
  return cmds;
}
