// "SSH into VM": the VM as an SSH endpoint reached with the hypervisor as ProxyJump (the seeds'
// two-hop pattern), so the pool's own dialer, identities and host-key policy apply to both hops.
// Pure (no vscode).
import type { Topology } from '../model/types';
import type { HostEndpoint } from '../remote/sshConfig';

/** The VM's address: its first NIC with an IP, else its slot's IP. */
export function vmAddress(topology: Topology, vmName: string): string | undefined {
  const vm = topology.vms?.[vmName];
  if (!vm) return undefined;
  const nic = (vm.nics ?? []).find((n) => !!n.ip)?.ip;
  if (nic) return nic.replace(/\/\d+$/, '');
  return vm.slot ? topology.slots?.[vm.slot]?.ip : undefined;
}

/**
 * The endpoint of `user@ip:22` through `hypervisor` (and the hypervisor's own hops). Identity and
 * known_hosts files (and IdentitiesOnly, HashKnownHosts) are the hypervisor's; its HostKeyAlias is
 * not. Guests are recreated often: an unknown guest key is asked about (fingerprint prompt), never
 * accepted silently, unless the hypervisor's config says `no`.
 */
export function vmEndpoint(hypervisor: HostEndpoint, vmName: string, ip: string, user = 'root', port = 22): HostEndpoint {
  const strict = hypervisor.strictHostKeyChecking === 'no' || hypervisor.strictHostKeyChecking === 'accept-new' ? hypervisor.strictHostKeyChecking : 'ask';
  return {
    alias: `${vmName} via ${hypervisor.alias}`,
    host: ip,
    port,
    user,
    identityFiles: hypervisor.identityFiles,
    ...(hypervisor.identityFilesExact ? { identityFilesExact: true } : {}),
    ...(hypervisor.identitiesOnly ? { identitiesOnly: true } : {}),
    knownHostsFiles: hypervisor.knownHostsFiles,
    ...(hypervisor.globalKnownHostsFiles ? { globalKnownHostsFiles: hypervisor.globalKnownHostsFiles } : {}),
    ...(hypervisor.hashKnownHosts ? { hashKnownHosts: true } : {}),
    strictHostKeyChecking: strict,
    jump: [...(hypervisor.jump ?? []), hypervisor],
  };
}
