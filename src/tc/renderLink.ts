// Shaping per link (`links.<name>.profile`, or ad-hoc values on a link): only the traffic between
// the link's two VMs, on each VM's tap. Pure. The egress of a tap carries what reaches its VM, so
// on VM A's tap the packets *from* peer B (u32 `match ip src B/32`) go to a class of their own:
//   root 1: htb (no default class: everything unclassified leaves unshaped, by htb's direct queue)
//     class 1:<0x10+k> htb rate R ceil R (R: the link's rate, else 10gbit = no limit in practice)
//       leaf <0x10+k>: netem delay/jitter/loss/corrupt/duplicate (when the link has any)
//   filter parent 1: prio 100+k u32 match ip src PEER/32 flowid 1:<0x10+k>
// Both taps carry the link's values, so the round trip sees the link's delay twice, as with a
// whole-VM profile on both VMs. Partitions live on the tap's ingress qdisc and are left alone.
import { parseIp } from '../model/ipv4';
import { assertIfname } from '../model/names';
import type { Shaping } from '../model/types';
import { netemArgs, needsNetem, type ShapingOptions } from './renderProfile';
import { must, NOTHING_TO_DELETE, type TcStep } from './steps';

/** One link's shaping as seen from one end: the peer's address and the values. */
export interface LinkShapingSpec {
  link: string;
  peerIp: string;
  shaping: Shaping;
}

/** "No limit" for a class whose link has no rate (htb needs one). */
export const UNLIMITED_RATE = '10gbit';
export const LINK_FILTER_PREF = 100;

/** Class minor (and leaf major) of the k-th link of a tap, in hex as tc prints it. */
export function linkClassHex(k: number): string {
  if (!Number.isInteger(k) || k < 0 || k > 0xffe0) throw new Error(`Too many links on one tap (${k})`);
  return (0x10 + k).toString(16);
}

function checkIp(ip: string): string {
  if (parseIp(ip) === undefined) throw new Error(`Invalid IPv4 address ${JSON.stringify(ip)}`);
  return ip;
}

/** Removes the tap's root qdisc only (its ingress side, where partitions are, stays). */
export function renderClearRoot(iface: string): TcStep[] {
  return [{ argv: ['tc', 'qdisc', 'del', 'dev', assertIfname(iface), 'root'], tolerate: NOTHING_TO_DELETE }];
}

/**
 * The steps that rebuild the per-link shaping of one tap: clear the root, then one class, leaf and
 * filter per link (in the given order). No links: only the clear.
 */
export function renderLinkShaping(iface: string, specs: readonly LinkShapingSpec[], options: ShapingOptions = {}): TcStep[] {
  const dev = assertIfname(iface);
  const steps = renderClearRoot(dev);
  const live = specs.filter((s) => s.shaping.rate || (needsNetem(s.shaping) && options.netem !== false));
  if (!live.length) return steps;
  steps.push(must(['tc', 'qdisc', 'add', 'dev', dev, 'root', 'handle', '1:', 'htb']));
  live.forEach((s, k) => {
    const hex = linkClassHex(k);
    const rate = s.shaping.rate ?? UNLIMITED_RATE;
    steps.push(must(['tc', 'class', 'add', 'dev', dev, 'parent', '1:', 'classid', `1:${hex}`, 'htb', 'rate', rate, 'ceil', rate]));
    if (needsNetem(s.shaping) && options.netem !== false) {
      steps.push(must(['tc', 'qdisc', 'add', 'dev', dev, 'parent', `1:${hex}`, 'handle', `${hex}:`, 'netem', ...netemArgs(s.shaping)]));
    }
    steps.push(must(['tc', 'filter', 'add', 'dev', dev, 'parent', '1:', 'protocol', 'ip', 'prio', String(LINK_FILTER_PREF + k),
      'u32', 'match', 'ip', 'src', `${checkIp(s.peerIp)}/32`, 'flowid', `1:${hex}`]));
  });
  return steps;
}
