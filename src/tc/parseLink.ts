// Reads per-link shaping back from the kernel (src/tc/renderLink.ts's layout): the u32 filters of
// the tap's root htb (`tc -j filter show dev X parent 1:`: peer address → class), the classes
// (`tc class show dev X`: text, because iproute2 6.1 prints htb classes as text even with -j) and
// the leaf qdiscs (`tc -s -j qdisc show`: netem under the class). Pure. Nothing is guessed: a
// link whose filter is not in the kernel is not reported.
import { formatIp } from '../model/ipv4';
import { activeShaping, type ActiveShaping, type Qdisc } from './parseQdisc';
import { rateBits as profileRateBits } from './units';
import { UNLIMITED_RATE } from './renderLink';

const UNLIMITED = profileRateBits(UNLIMITED_RATE);
const TC_RATE_UNITS: Record<string, number> = { '': 1, K: 1e3, M: 1e6, G: 1e9, T: 1e12 };

/** A rate as `tc class show` prints it ("20Mbit", "10Gbit", "800bit") in bit/s. */
export function tcPrintedRate(s: string): number | undefined {
  const m = /^([0-9]+(?:\.[0-9]+)?)([KMGT]?)bit$/.exec(s);
  return m ? Math.round(Number(m[1]) * (TC_RATE_UNITS[m[2] as string] as number)) : undefined;
}

export interface LinkReadback {
  /** The peer whose packets the filter selects. */
  peerIp: string;
  classid: string;
  /** The class's rate (undefined when it is the "no limit" rate) and the leaf's netem values. */
  shaping: ActiveShaping;
}

interface U32Row {
  pref?: number;
  options?: { flowid?: string; match?: { value?: string; mask?: string; off?: number } };
}

/** Filter rows → peer address per class (only `match ip src A/32`: offset 12, full mask). */
export function parseLinkFilters(text: string): { peerIp: string; classid: string; pref: number }[] {
  let data: unknown;
  try {
    data = JSON.parse(text.trim() || '[]');
  } catch (err) {
    throw new Error(`tc did not print JSON (${(err as Error).message}): ${text.slice(0, 200)}`);
  }
  if (!Array.isArray(data)) return [];
  const out: { peerIp: string; classid: string; pref: number }[] = [];
  for (const row of data as U32Row[]) {
    const o = row?.options;
    const m = o?.match;
    if (!o?.flowid || !m || m.off !== 12 || m.mask !== 'ffffffff' || !m.value) continue;
    const n = Number.parseInt(m.value, 16);
    if (!Number.isFinite(n)) continue;
    out.push({ peerIp: formatIp(n >>> 0), classid: o.flowid, pref: Number(row.pref) });
  }
  return out;
}

/** `class htb 1:10 root leaf 10: prio 0 rate 20Mbit ceil 20Mbit burst 1600b cburst 1600b` → classid → rate (bit/s). */
export function parseHtbClasses(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^class htb (\S+) .*?\brate (\S+)/.exec(line.trim());
    if (!m) continue;
    const bits = tcPrintedRate(m[2] as string);
    if (bits !== undefined) out.set(m[1] as string, bits);
  }
  return out;
}

/** The links of one tap: filter → class → leaf. Requires the root to be vsim's htb. */
export function readLinks(qdiscs: Qdisc[], classText: string, filterJson: string): LinkReadback[] {
  const root = qdiscs.find((q) => q.parent === 'root');
  if (root?.kind !== 'htb' || root.handle !== '1:') return [];
  const rates = parseHtbClasses(classText);
  return parseLinkFilters(filterJson).map((f) => {
    const leaf = qdiscs.filter((q) => q.parent === f.classid).map((q) => ({ ...q, parent: 'root' }));
    const shaping = activeShaping(leaf);
    const bits = rates.get(f.classid);
    if (bits !== undefined && bits < UNLIMITED) shaping.rateBits = bits;
    if (shaping.none && shaping.rateBits !== undefined) {
      shaping.none = false;
      shaping.kinds = ['htb'];
    } else if (!shaping.none) shaping.kinds = ['htb', ...shaping.kinds];
    return { peerIp: f.peerIp, classid: f.classid, shaping };
  });
}
