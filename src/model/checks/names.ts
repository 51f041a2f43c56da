// Names per backend, what the schema's one VM-name pattern cannot say: a dot is fine in a libvirt
// domain name but not where the name becomes a systemd unit, a file or a directory on the host;
// `domain` names a libvirt domain only; two VMs must not name the same domain, and virsh reads a
// name made of digits as a domain id.
import { NAME_PATTERN, NAME_RULE } from '../namePattern';
import { domainName, type Backend } from '../types';
import { entries, type Check } from './context';

/** What a VM's key becomes on the host, per backend whose names stay strict (no dots). */
const STRICT_USES: Partial<Record<Backend, (name: string) => string>> = {
  microvm: (n) => `the systemd unit \`microvm@${n}\`, the directory \`/var/lib/microvms/${n}\` and the flake attribute \`nixosConfigurations.${n}\``,
  qemu: (n) => `the start log \`${n}.start.log\` beside its QMP socket`,
  'cloud-hypervisor': (n) => `the systemd unit \`vsim-ch-${n}\` and its snapshot directory`,
};

export const checkNames: Check = ({ t, report }) => {
  const domains = new Map<string, string>();
  for (const [name, vm] of entries(t.vms)) {
    const uses = STRICT_USES[vm.backend];
    if (uses && !NAME_PATTERN.test(name)) {
      report('error', 'name-backend', ['vms', name],
        `VM name \`${name}\` is not valid for backend ${vm.backend}: it becomes ${uses(name)}, so it must use ${NAME_RULE} (only libvirt domain names may have dots).`, { prefer: 'key' });
    }
    if (vm.domain !== undefined && vm.backend !== 'libvirt') {
      report('error', 'domain-not-libvirt', ['vms', name, 'domain'],
        `\`domain\` names a libvirt domain, but VM \`${name}\` has backend ${vm.backend}, whose host object is named by the VM's key. Remove \`domain\` (or rename the VM).`, { prefer: 'key' });
    }
    if (vm.backend !== 'libvirt' || typeof vm.host !== 'string') continue;
    const domain = domainName(name, vm);
    const at = vm.domain !== undefined ? ['vms', name, 'domain'] : ['vms', name];
    if (/^\d+$/.test(domain)) {
      report('error', 'domain-numeric', at, `libvirt domain \`${domain}\` (VM \`${name}\`) is made of digits only: virsh would read it as a domain id and could act on another domain. Use a name with a letter.`,
        { prefer: vm.domain !== undefined ? 'value' : 'key' });
    }
    const key = `${vm.host}\u0000${domain}`;
    const other = domains.get(key);
    if (other !== undefined) {
      report('error', 'domain-taken', at, `VM \`${name}\` and VM \`${other}\` both are libvirt domain \`${domain}\` on host \`${vm.host}\`; each VM needs its own domain.`,
        { prefer: vm.domain !== undefined ? 'value' : 'key' });
    } else {
      domains.set(key, name);
    }
  }
};
