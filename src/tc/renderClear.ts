// Removing vsim's shaping from an interface, tolerant of "nothing there". Pure.
import { assertIfname } from '../model/names';
import type { Profile } from '../model/types';
import { ifbName } from './ifbName';
import { MIRRED_PREF, renderProfile, type ShapingOptions, type TcTarget } from './renderProfile';
import { ALREADY_EXISTS, must, NOTHING_TO_DELETE, type TcStep } from './steps';

/**
 * Deletes the root qdisc, the ingress → ifb redirect and the ifb device of `iface`; each may be
 * absent. The ingress qdisc itself stays: partitions (renderPartition.ts) keep their drop filters
 * there, and a profile must not silently heal them.
 */
export function renderClear(iface: string): TcStep[] {
  assertIfname(iface);
  return [
    { argv: ['tc', 'qdisc', 'del', 'dev', iface, 'root'], tolerate: NOTHING_TO_DELETE },
    { argv: ['tc', 'filter', 'del', 'dev', iface, 'parent', 'ffff:', 'protocol', 'all', 'prio', String(MIRRED_PREF)], tolerate: NOTHING_TO_DELETE },
    { argv: ['ip', 'link', 'del', 'dev', ifbName(iface)], tolerate: NOTHING_TO_DELETE },
  ];
}

const isIngressAdd = (argv: readonly string[]): boolean => argv[1] === 'qdisc' && argv[2] === 'add' && argv[argv.length - 1] === 'ingress';

/** Clear, then apply: the whole sequence for one interface (idempotent; an ingress qdisc left by a partition is reused). */
export function renderApply(profile: Profile, target: TcTarget, options: ShapingOptions = {}): TcStep[] {
  return [...renderClear(target.iface), ...renderProfile(profile, target, options).map((argv) => (isIngressAdd(argv) ? { argv, tolerate: ALREADY_EXISTS } : must(argv)))];
}

/** Reads back what the kernel has on an interface (and its ifb, if any): parse with parseQdiscJson. */
export function renderShow(iface: string): string[] {
  return ['tc', '-s', '-j', 'qdisc', 'show', 'dev', assertIfname(iface)];
}
