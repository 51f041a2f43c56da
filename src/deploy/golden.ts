// The golden vector of one topology: what the TS renderers produce, shared with nix/ (which
// must produce the same). Format: test/golden/README.md. Pure.
import { renderDomainXml } from '../backends/libvirt/renderDomainXml';
import type { Topology } from '../model/types';
import { renderProfile } from '../tc/renderProfile';
import { profileTargets } from '../tc/targets';
import { renderDnsmasq } from './renderDnsmasq';
import { renderTunnelSetup, tunnelPorts, type TunnelPort } from './renderTunnels';

export interface GoldenVector {
  libvirtXml: Record<string, string>;
  tc: Record<string, Record<string, string[][]>>;
  dnsmasq: Record<string, string[]>;
  /** Per host with tunnel ports: each port (renderTunnels.ts) and the argv that sets it up. */
  tunnels: Record<string, (TunnelPort & { setup: string[][] })[]>;
}

export function goldenVector(topology: Topology): GoldenVector {
  const libvirtXml: Record<string, string> = {};
  for (const [name, vm] of Object.entries(topology.vms ?? {})) {
    if (vm.backend === 'libvirt') libvirtXml[name] = renderDomainXml(topology, name);
  }
  const tc: Record<string, Record<string, string[][]>> = {};
  for (const [name, profile] of Object.entries(topology.profiles ?? {})) {
    const per: Record<string, string[][]> = {};
    for (const t of profileTargets(topology, name)) per[t.iface] = renderProfile(profile, t);
    tc[name] = per;
  }
  const tunnels: GoldenVector['tunnels'] = {};
  for (const host of Object.keys(topology.hosts ?? {})) {
    const ports = tunnelPorts(topology, host);
    if (ports.length) tunnels[host] = ports.map((p) => ({ ...p, setup: renderTunnelSetup(p).map((s) => s.argv) }));
  }
  return { libvirtXml, tc, dnsmasq: renderDnsmasq(topology), tunnels };
}
