// Which taps carry a link's shaping, and with which values, from the topology. Pure.
// A tap's per-link shaping is rebuilt whole (renderLink.ts), so changing one link rebuilds the taps
// of both its VMs with every link of those VMs that has values.
import type { Shaping, Topology } from '../model/types';
import { vmIfaces, type LinkTap } from './ops';
import { isEmptyShaping, shapingFor } from './renderProfile';
import { durationUs, percent, rateBits, sizeBytes } from './units';

/** The values of every link with `profile:` in the topology (the link's override winning). */
export function linkProfileShaping(topology: Topology): Record<string, Shaping> {
  const out: Record<string, Shaping> = {};
  for (const [name, link] of Object.entries(topology.links ?? {})) {
    const p = link.profile ? topology.profiles?.[link.profile] : undefined;
    if (!p) continue;
    const s = shapingFor(p, [name]);
    if (!isEmptyShaping(s)) out[name] = s;
  }
  return out;
}

/** The address of `vm` on the network of `nic` (else its first address). */
function peerIp(topology: Topology, vm: string, network: string | undefined): string | undefined {
  const nics = topology.vms?.[vm]?.nics ?? [];
  return (nics.find((n) => n.ip && n.network === network) ?? nics.find((n) => n.ip))?.ip;
}

export interface LinkTapsByHost {
  host: string;
  taps: LinkTap[];
}

/**
 * The taps to rebuild when `changed` links change, grouped by host: both ends of each changed link,
 * each with the values of all its VM's links found in `shaping` (a link absent there: unshaped).
 */
export function linkTaps(topology: Topology, shaping: Record<string, Shaping>, changed: readonly string[]): LinkTapsByHost[] {
  const vms = new Set<string>();
  for (const name of changed) {
    const l = topology.links?.[name];
    if (!l) throw new Error(`No link named ${name} in this topology.`);
    for (const vm of l.endpoints) vms.add(vm);
  }
  const byHost = new Map<string, LinkTap[]>();
  for (const vm of vms) {
    const host = topology.vms?.[vm]?.host;
    if (!host) throw new Error(`No VM named ${vm} in this topology.`);
    const nics = topology.vms?.[vm]?.nics ?? [];
    for (const iface of vmIfaces(topology, vm)) {
      const network = nics.find((n) => n.tap === iface.iface)?.network;
      const specs = Object.entries(topology.links ?? {})
        .filter(([name, l]) => l.endpoints.includes(vm) && shaping[name] && !isEmptyShaping(shaping[name] as Shaping))
        .map(([name, l]) => {
          const peer = l.endpoints[0] === vm ? l.endpoints[1] : l.endpoints[0];
          const ip = peerIp(topology, peer, network);
          if (!ip) throw new Error(`${peer} (link ${name}) has no NIC with an \`ip\`: vsim shapes a link by the peer's address.`);
          return { link: name, peerIp: ip, shaping: shaping[name] as Shaping };
        });
      byHost.set(host, [...(byHost.get(host) ?? []), { ...iface, names: [vm], specs }]);
    }
  }
  return [...byHost].map(([host, taps]) => ({ host, taps }));
}

const KEYS = ['rate', 'burst', 'delay', 'jitter', 'loss', 'corrupt', 'duplicate'] as const;
const CHECK: Record<(typeof KEYS)[number], (v: string) => unknown> = {
  rate: rateBits, burst: sizeBytes, delay: durationUs, jitter: durationUs, loss: percent, corrupt: percent, duplicate: percent,
};

/**
 * Ad-hoc impairment values typed by the user: "delay 50ms jitter 10ms loss 1% rate 10mbit"
 * (also `key=value` or `key: value`, comma-separated), each checked with tc's units.
 */
export function parseImpairment(text: string): Shaping {
  const words = text.replace(/[,;]/g, ' ').replace(/[:=]/g, ' ').trim().split(/\s+/).filter(Boolean);
  if (!words.length) throw new Error('No values: e.g. "delay 50ms jitter 10ms loss 1% rate 10mbit".');
  if (words.length % 2) throw new Error(`Each value needs a name and a value: ${JSON.stringify(text)}`);
  const out: Shaping = {};
  for (let i = 0; i < words.length; i += 2) {
    const key = (words[i] as string).toLowerCase() as (typeof KEYS)[number];
    const value = words[i + 1] as string;
    if (!KEYS.includes(key)) throw new Error(`Unknown impairment ${JSON.stringify(words[i])} (one of ${KEYS.join(', ')}).`);
    CHECK[key](value);
    out[key] = value;
  }
  if (out.jitter && !out.delay) throw new Error('jitter needs a delay (netem varies the delay by the jitter).');
  return out;
}

/** "delay 50ms jitter 10ms loss 1%" (the inverse of parseImpairment). */
export function formatImpairment(s: Shaping): string {
  return KEYS.filter((k) => s[k] !== undefined).map((k) => `${k} ${s[k]}`).join(' ');
}
