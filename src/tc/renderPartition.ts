// Fault injection: drop IPv4 traffic between two VMs on the host (Aspen-style partition), and heal.
// Pure. Each side's tap gets an ingress u32 filter (traffic *from* that VM) matching the pair's
// addresses; its preference is derived from the peer address so several partitions coexist and
// heal one by one, and all run before the ifb redirect (pref 40000).
import { parseIp } from '../model/ipv4';
import { assertIfname } from '../model/names';
import { ALREADY_EXISTS, must, NOTHING_TO_DELETE, type TcStep } from './steps';

export interface PartitionEnd {
  /** Host-side tap of the VM. */
  iface: string;
  ip: string;
}

/**
 * How matched packets are dropped. `gact`: `action drop` (real NixOS hosts). `blackhole`: redirect
 * to a down ifb device named here (kernels without the gact action module, e.g. this sandbox's:
 * mirred to a down device drops the packet and counts it as an overlimit).
 */
export type DropMethod = { kind: 'gact' } | { kind: 'blackhole'; dev: string };

export const DEFAULT_BLACKHOLE = 'vsim-drop';

function ipOf(s: string): number {
  const n = parseIp(s);
  if (n === undefined) throw new Error(`Invalid IPv4 address ${JSON.stringify(s)}`);
  return n;
}

/** Filter preference for drops towards `peerIp`: 1000 + the low 15 bits of the address. */
export function partitionPref(peerIp: string): number {
  return 1000 + (ipOf(peerIp) & 0x7fff);
}

function dropArgs(method: DropMethod): string[] {
  return method.kind === 'gact' ? ['action', 'drop'] : ['action', 'mirred', 'egress', 'redirect', 'dev', assertIfname(method.dev)];
}

function oneSide(from: PartitionEnd, to: PartitionEnd, method: DropMethod): TcStep[] {
  const dev = assertIfname(from.iface);
  ipOf(from.ip);
  return [
    { argv: ['tc', 'qdisc', 'add', 'dev', dev, 'handle', 'ffff:', 'ingress'], tolerate: ALREADY_EXISTS },
    must(['tc', 'filter', 'add', 'dev', dev, 'parent', 'ffff:', 'protocol', 'ip', 'prio', String(partitionPref(to.ip)),
      'u32', 'match', 'ip', 'src', `${from.ip}/32`, 'match', 'ip', 'dst', `${to.ip}/32`, ...dropArgs(method)]),
  ];
}

/** Drop traffic A→B (on A's tap) and B→A (on B's tap). Run renderHeal first to make it idempotent. */
export function renderPartition(a: PartitionEnd, b: PartitionEnd, method: DropMethod = { kind: 'gact' }): TcStep[] {
  const pre: TcStep[] = method.kind === 'blackhole'
    ? [{ argv: ['ip', 'link', 'add', 'name', assertIfname(method.dev), 'type', 'ifb'], tolerate: ALREADY_EXISTS }]
    : [];
  return [...pre, ...oneSide(a, b, method), ...oneSide(b, a, method)];
}

/** Removes the pair's filters (absent ones are fine); leaves the ingress qdiscs. */
export function renderHeal(a: PartitionEnd, b: PartitionEnd): TcStep[] {
  return [
    { argv: ['tc', 'filter', 'del', 'dev', assertIfname(a.iface), 'parent', 'ffff:', 'protocol', 'ip', 'prio', String(partitionPref(b.ip))], tolerate: NOTHING_TO_DELETE },
    { argv: ['tc', 'filter', 'del', 'dev', assertIfname(b.iface), 'parent', 'ffff:', 'protocol', 'ip', 'prio', String(partitionPref(a.ip))], tolerate: NOTHING_TO_DELETE },
  ];
}

/** One side of a partition between VMs on different hosts: drop `from` → `to` on `from`'s tap
 * (the other host runs the other side). Heal first (renderHealSide) to make it idempotent. */
export function renderPartitionSide(from: PartitionEnd, to: PartitionEnd, method: DropMethod = { kind: 'gact' }): TcStep[] {
  const pre: TcStep[] = method.kind === 'blackhole'
    ? [{ argv: ['ip', 'link', 'add', 'name', assertIfname(method.dev), 'type', 'ifb'], tolerate: ALREADY_EXISTS }]
    : [];
  return [...pre, ...oneSide(from, to, method)];
}

/** Removes one side's filter (`from`'s tap, towards `to`). */
export function renderHealSide(from: PartitionEnd, to: PartitionEnd): TcStep[] {
  return [{ argv: ['tc', 'filter', 'del', 'dev', assertIfname(from.iface), 'parent', 'ffff:', 'protocol', 'ip', 'prio', String(partitionPref(to.ip))], tolerate: NOTHING_TO_DELETE }];
}
