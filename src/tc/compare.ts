// Does what the kernel has match a profile? Pure.
import type { Profile, Shaping } from '../model/types';
import type { ActiveShaping } from './parseQdisc';
import { isEmptyShaping, needsNetem, shapingFor } from './renderProfile';
import { defaultBurstBytes, durationUs, percent, rateBits, sizeBytes } from './units';

export interface ShapingComparison {
  matches: boolean;
  /** Human-readable differences ("rate 10mbit expected, 9.9mbit found"). */
  differences: string[];
}

const close = (a: number, b: number, rel = 0.01, abs = 0): boolean => Math.abs(a - b) <= Math.max(Math.abs(b) * rel, abs);

/**
 * Compares the kernel's shaping with the expected values. Small rounding (tc's ticks and bytes)
 * is tolerated: 1 % on rates, bursts and times (at least 2 µs), 0.001 points on percentages.
 * `netem: false`: the host lacks netem, so delay/loss/… are not expected to be there.
 */
export function compareShaping(active: ActiveShaping, expected: Shaping, options: { netem?: boolean } = {}): ShapingComparison {
  const d: string[] = [];
  const want: Shaping = options.netem === false ? { rate: expected.rate, burst: expected.burst } : expected;
  if (isEmptyShaping(want)) {
    if (!active.none) d.push(`no shaping expected, found ${active.kinds.join('+')}`);
    return { matches: d.length === 0, differences: d };
  }
  if (active.foreign) d.push(`qdiscs vsim does not render: ${active.kinds.join('+')}`);
  if (want.rate) {
    const bits = rateBits(want.rate);
    if (active.rateBits === undefined) d.push(`rate ${want.rate} expected, none found`);
    else if (!close(active.rateBits, bits)) d.push(`rate ${want.rate} expected, ${active.rateBits} bit/s found`);
    const burst = want.burst ? sizeBytes(want.burst) : defaultBurstBytes(bits);
    if (active.burstBytes !== undefined && !close(active.burstBytes, burst, 0.01, 2)) d.push(`burst ${burst} bytes expected, ${active.burstBytes} found`);
  } else if (active.rateBits !== undefined) {
    d.push(`no rate expected, ${active.rateBits} bit/s found`);
  }
  const time = (label: string, v: string | undefined, got: number | undefined): void => {
    if (v) {
      if (got === undefined) d.push(`${label} ${v} expected, none found`);
      else if (!close(got, durationUs(v), 0.01, 2)) d.push(`${label} ${v} expected, ${got} µs found`);
    } else if (got) d.push(`no ${label} expected, ${got} µs found`);
  };
  const pct = (label: string, v: string | undefined, got: number | undefined): void => {
    if (v) {
      if (got === undefined) d.push(`${label} ${v} expected, none found`);
      else if (Math.abs(got - percent(v)) > 0.001) d.push(`${label} ${v} expected, ${got}% found`);
    } else if (got) d.push(`no ${label} expected, ${got}% found`);
  };
  if (needsNetem(want) || active.kinds.includes('netem')) {
    time('delay', want.delay, active.delayUs);
    time('jitter', want.delay ? want.jitter : undefined, active.jitterUs);
    pct('loss', want.loss, active.lossPct);
    pct('corrupt', want.corrupt, active.corruptPct);
    pct('duplicate', want.duplicate, active.duplicatePct);
  }
  return { matches: d.length === 0, differences: d };
}

export type ProfileMatch = { kind: 'none' } | { kind: 'profile'; profile: string } | { kind: 'custom' };

/**
 * Names what the kernel has: "none", the first profile (in file order) whose values for this
 * target match, or "custom". Profiles without values match "none" only.
 */
export function identifyProfile(active: ActiveShaping, profiles: Record<string, Profile>, names: string[] = [], options: { netem?: boolean } = {}): ProfileMatch {
  if (active.none) return { kind: 'none' };
  for (const [name, p] of Object.entries(profiles)) {
    const s = shapingFor(p, names);
    if (isEmptyShaping(s)) continue;
    if (compareShaping(active, s, options).matches) return { kind: 'profile', profile: name };
  }
  return { kind: 'custom' };
}

/** "matches profile constrained" / "custom" / "none" for the tree. */
export function describeMatch(m: ProfileMatch): string {
  return m.kind === 'profile' ? `matches profile ${m.profile}` : m.kind;
}
