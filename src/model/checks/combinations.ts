// Combinations a schema cannot express: arch/accel vs host, backend-specific requirements.
import { hostList, networkHosts, onHost } from '../fabric';
import { entries, type Check } from './context';


export const checkCombinations: Check = ({ t, report }) => {
  const slotUsers = new Map<string, string>();
  for (const [name, vm] of entries(t.vms)) {
    const host = t.hosts?.[vm.host];
    const arch = vm.arch ?? 'x86_64';
    const accel = vm.accel ?? 'kvm';
    const hostArch = host?.arch ?? 'x86_64';
    const at = (...p: (string | number)[]) => ['vms', name, ...p];
    if (host && accel === 'kvm' && arch !== hostArch) {
      report('error', 'arch-kvm-mismatch', vm.accel ? at('accel') : at('arch'),
        `VM \`${name}\` is ${arch} with kvm on host \`${vm.host}\`, which is ${hostArch}: KVM only runs guests of the host's architecture. Set \`accel: tcg\` (software emulation) or move it to an ${arch} host.`);
    } else if (host && accel === 'kvm' && host.kvm === false) {
      report('error', 'kvm-unavailable', vm.accel ? at('accel') : ['vms', name],
        `VM \`${name}\` uses kvm but host \`${vm.host}\` has \`kvm: false\`. Set \`accel: tcg\`.`, { prefer: 'key' });
    }
    if (vm.backend === 'cloud-hypervisor' && accel === 'tcg') {
      report('error', 'backend-no-tcg', at('accel'), `cloud-hypervisor has no software emulation: VM \`${name}\` needs \`accel: kvm\` on a ${arch} host, or another backend.`);
    }
    if (vm.backend === 'microvm' && !vm.slot) {
      report('error', 'microvm-without-slot', ['vms', name], `microvm VM \`${name}\` has no \`slot\`: microvm.nix VMs run in a slot (add \`slot: <name>\` and define it under \`slots:\`).`, { prefer: 'key' });
    }
    if (vm.slot && vm.backend !== 'microvm') {
      report('error', 'slot-not-microvm', at('slot'), `Only microvm VMs use slots; VM \`${name}\` has backend ${vm.backend}. Remove \`slot\` or set \`backend: microvm\`.`);
    }
    if (vm.slot) {
      const slot = t.slots?.[vm.slot];
      const other = slotUsers.get(vm.slot);
      if (other) report('error', 'slot-taken', at('slot'), `Slot \`${vm.slot}\` is already used by VM \`${other}\`; a slot runs one VM.`);
      else slotUsers.set(vm.slot, name);
      if (slot && slot.host !== vm.host) {
        report('error', 'host-mismatch', at('host'), `VM \`${name}\` is on host \`${vm.host}\` but its slot \`${vm.slot}\` is on \`${slot.host}\`.`);
      }
    }
    if (vm.backend === 'qemu' && !vm.sockets?.qmp && !vm.sockets?.hmp) {
      report('error', 'qemu-without-qmp', vm.sockets ? at('sockets') : ['vms', name], `qemu VM \`${name}\` needs a monitor socket so vsim can see and drive it: \`sockets.qmp\` (-qmp, JSON) or \`sockets.hmp\` (-monitor, text).`, { prefer: 'key' });
    }
    if (vm.backend === 'cloud-hypervisor' && !vm.sockets?.api) {
      report('error', 'ch-without-api', vm.sockets ? at('sockets') : ['vms', name], `cloud-hypervisor VM \`${name}\` needs \`sockets.api\` (its --api-socket) so vsim can see and drive it.`, { prefer: 'key' });
    }
    if (vm.console?.kind === 'unix' && !vm.console.path && !vm.sockets?.serial && vm.backend !== 'microvm') {
      report('error', 'console-without-path', at('console', 'kind'), `Console of \`${name}\` is a unix socket but no \`console.path\` or \`sockets.serial\` is given.`);
    }
    if (vm.qos && vm.backend !== 'libvirt') {
      report('warning', 'qos-ignored', at('qos'), `\`qos\` is libvirt's <bandwidth>; backend ${vm.backend} ignores it. Use a tc profile instead.`, { prefer: 'key' });
    }
    (Array.isArray(vm.nics) ? vm.nics : []).forEach((nic, i) => {
      if (vm.backend === 'libvirt' && nic?.tap && /^(vnet|vif|macvtap|macvlan)/.test(nic.tap)) {
        report('warning', 'tap-reserved-prefix', at('nics', i, 'tap'),
          `libvirt reserves interface names starting with vnet, vif, macvtap and macvlan and renames \`${nic.tap}\` to a generated one, so tc commands aimed at it would miss. Use e.g. \`tap-${name}\`.`.slice(0, 400));
      }
      const net = nic && t.networks?.[nic.network];
      if (net && networkHosts(net).length && !onHost(net, vm.host)) {
        report('error', 'host-mismatch', at('nics', i, 'network'), `Network \`${nic.network}\` is on ${hostList(net)}, but VM \`${name}\` runs on \`${vm.host}\`.`);
      }
    });
  }
  for (const [name, slot] of entries(t.slots)) {
    const net = t.networks?.[slot.network];
    if (net && networkHosts(net).length && !onHost(net, slot.host)) {
      report('error', 'host-mismatch', ['slots', name, 'network'], `Network \`${slot.network}\` is on ${hostList(net)}, but slot \`${name}\` is on \`${slot.host}\`.`);
    }
  }
  for (const [name, p] of entries(t.profiles)) {
    if (p.jitter && !p.delay) report('error', 'jitter-without-delay', ['profiles', name, 'jitter'], `Profile \`${name}\`: jitter needs a \`delay\` (netem varies the delay by the jitter).`);
    for (const [target, o] of entries(p.overrides)) {
      if (o.jitter && !(o.delay ?? p.delay)) report('error', 'jitter-without-delay', ['profiles', name, 'overrides', target, 'jitter'], `Profile \`${name}\`, \`${target}\`: jitter needs a \`delay\`.`);
    }
  }
  for (const [name, l] of entries(t.links)) {
    if (Array.isArray(l.endpoints) && l.endpoints[0] === l.endpoints[1]) {
      report('error', 'link-self', ['links', name, 'endpoints'], `Link \`${name}\` connects \`${l.endpoints[0]}\` to itself; give two different VMs.`, { prefer: 'key' });
    }
  }
  for (const [name, h] of entries(t.hosts)) {
    if (h.proxyJump === name) report('error', 'jump-loop', ['hosts', name, 'proxyJump'], `Host \`${name}\` jumps through itself.`);
  }
};
