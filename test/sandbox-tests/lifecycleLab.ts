// The plan engine's own lab on the sandbox's libvirt host: derived from examples/sandbox.vsim.yaml's
// host vsim-hv1 and guest kernel, with VMs, bridge, MACs, IPs and taps of its own (prefix `pe-`),
// so the host has none of them and the sandbox's domains (chassis, compute, storage, edge.Gateway) are undeclared.
import { Document } from 'yaml';

export interface PeLabOptions {
  vms?: number;
  memory?: number;
  /** MAC of pe-1's NIC. */
  mac1?: string;
}

export const PE_BRIDGE = 'pebr0';

export function peName(i: number): string {
  return `pe-${i}`;
}

export function peMac(i: number): string {
  return `52:54:00:00:5e:${i.toString(16).padStart(2, '0')}`;
}

/** YAML text of the lab (the yaml Document API, as the extension writes files). */
export function peLabYaml(o: PeLabOptions = {}): string {
  const n = o.vms ?? 2;
  const vms: Record<string, unknown> = {};
  for (let i = 1; i <= n; i++) {
    const name = peName(i);
    const ip = `192.168.150.${10 + i}`;
    vms[name] = {
      host: 'vsim-hv1',
      backend: 'libvirt',
      accel: 'tcg',
      memory: i === 1 && o.memory ? o.memory : 128,
      boot: {
        kernel: '/run/vsim-sandbox/guest/vmlinuz',
        initrd: '/run/vsim-sandbox/guest/initramfs.gz',
        cmdline: `console=ttyS0 vsim.hostname=${name} vsim.ip=${ip}/24 vsim.gw=192.168.150.1`,
      },
      nics: [{ network: 'pe-net', mac: i === 1 && o.mac1 ? o.mac1 : peMac(i), ip, tap: `pe-tap${i}` }],
    };
  }
  const doc = new Document({
    version: 1,
    name: 'pe-lab',
    hosts: { 'vsim-hv1': { sshConfigHost: 'vsim-hv1', arch: 'x86_64', kvm: false } },
    networks: { 'pe-net': { host: 'vsim-hv1', bridge: PE_BRIDGE, subnet: '192.168.150.0/24', gateway: '192.168.150.1', nat: true } },
    vms,
    profiles: { default: { description: 'No constraints.' } },
  });
  return doc.toString();
}
