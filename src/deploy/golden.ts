// The golden vector of one topology: what the TS renderers produce, shared with nix/ (which
// must produce the same). Format: test/golden/README.md. Pure.
import { renderDomainXml } from '../backends/libvirt/renderDomainXml';
import type { Topology } from '../model/types';
import { renderProfile } from '../tc/renderProfile';
import { profileTargets } from '../tc/targets';
import { renderDnsmasq } from './renderDnsmasq';

export interface GoldenVector {
  libvirtXml: Record<string, string>;
  tc: Record<string, Record<string, string[][]>>;
  dnsmasq: Record<string, string[]>;
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
  return { libvirtXml, tc, dnsmasq: renderDnsmasq(topology) };
}
