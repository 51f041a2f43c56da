// Removing vsim's shaping from an interface, tolerant of "nothing there". Pure.
import { assertIfname } from '../model/names';
import type { Profile } from '../model/types';
import { ifbName } from './ifbName';
import { renderProfile, type ShapingOptions, type TcTarget } from './renderProfile';
import { must, NOTHING_TO_DELETE, type TcStep } from './steps';

/** Deletes the root qdisc, the ingress qdisc and the ifb device of `iface`; each may be absent. */
export function renderClear(iface: string): TcStep[] {
  assertIfname(iface);
  return [
    { argv: ['tc', 'qdisc', 'del', 'dev', iface, 'root'], tolerate: NOTHING_TO_DELETE },
    { argv: ['tc', 'qdisc', 'del', 'dev', iface, 'ingress'], tolerate: NOTHING_TO_DELETE },
    { argv: ['ip', 'link', 'del', 'dev', ifbName(iface)], tolerate: NOTHING_TO_DELETE },
  ];
}

/** Clear, then apply: the whole sequence for one interface (idempotent). */
export function renderApply(profile: Profile, target: TcTarget, options: ShapingOptions = {}): TcStep[] {
  return [...renderClear(target.iface), ...renderProfile(profile, target, options).map(must)];
}

/** Reads back what the kernel has on an interface (and its ifb, if any): parse with parseQdiscJson. */
export function renderShow(iface: string): string[] {
  return ['tc', '-s', '-j', 'qdisc', 'show', 'dev', assertIfname(iface)];
}
