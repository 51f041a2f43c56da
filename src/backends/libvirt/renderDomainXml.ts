// Topology VM → libvirt domain XML. Pure; deterministic text (golden vectors in test/golden/
// pin it byte for byte, and nix/ renders the same text).
import { assertDomainName, assertIfname, assertPath } from '../../model/names';
import { bridgeName, domainName, memoryMiB, type Arch, type Topology, type Vm } from '../../model/types';
import { domainUuid } from './renderUuid';
import { xmlAttrs, xmlEscape } from './renderXml';

export interface DomainXmlOptions {
  /**
   * Serial console log file (virtlogd writes it whether or not a console is attached; append='off'
   * starts it afresh each boot): Show Boot Log and the boot watch read it. Absent: defaultSerialLog;
   * null: no `<log>` at all.
   */
  serialLog?: string | null;
}

/** Where a domain vsim defines keeps its serial log: libvirt's own QEMU log directory, `DOMAIN-serial.log`. */
export function defaultSerialLog(domain: string): string {
  return `/var/log/libvirt/qemu/${assertDomainName(domain, 'domain name')}-serial.log`;
}

/** The accelerator a VM runs with: its own `accel`, else tcg when its host has no KVM, else kvm. */
export function vmAccel(topology: Topology, vm: Vm): 'kvm' | 'tcg' {
  if (vm.accel) return vm.accel;
  return topology.hosts[vm.host]?.kvm === false ? 'tcg' : 'kvm';
}

/** x86_64: q35 with KVM, pc (i440fx) with TCG; aarch64: virt. */
export function machineType(arch: Arch, accel: 'kvm' | 'tcg'): string {
  if (arch === 'aarch64') return 'virt';
  return accel === 'kvm' ? 'q35' : 'pc';
}

/** Kernel command line when `boot.cmdline` is absent: the serial console of the arch. */
export function defaultCmdline(arch: Arch): string {
  return arch === 'aarch64' ? 'console=ttyAMA0' : 'console=ttyS0';
}

function diskTarget(i: number): string {
  // vda…vdz, then vdaa…: libvirt's own naming scheme.
  let n = i;
  let s = '';
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26) - 1;
  } while (n >= 0);
  return `vd${s}`;
}

/** Renders the domain XML of `vmName`. Throws with a clear message for a missing VM or a bad name. */
export function renderDomainXml(topology: Topology, vmName: string, options: DomainXmlOptions = {}): string {
  const vm = topology.vms?.[vmName];
  if (!vm) throw new Error(`No VM ${JSON.stringify(vmName)} in the topology`);
  // The domain's name (its `domain`, else the VM's key) is its UUID's seed too: renaming the key keeps the domain.
  const domain = assertDomainName(domainName(vmName, vm), `domain name of ${vmName}`);
  const arch: Arch = vm.arch ?? 'x86_64';
  const accel = vmAccel(topology, vm);
  const out: string[] = [];
  const line = (depth: number, text: string): void => void out.push(`${'  '.repeat(depth)}${text}`);

  line(0, `<domain type='${accel === 'kvm' ? 'kvm' : 'qemu'}'>`);
  line(1, `<name>${xmlEscape(domain)}</name>`);
  line(1, `<uuid>${domainUuid(domain)}</uuid>`);
  line(1, `<memory unit='MiB'>${memoryMiB(vm.memory)}</memory>`);
  line(1, `<vcpu>${xmlEscape(vm.vcpus ?? 1)}</vcpu>`);
  line(1, arch === 'aarch64' ? `<os firmware='efi'>` : '<os>');
  line(2, `<type${xmlAttrs({ arch, machine: machineType(arch, accel) })}>hvm</type>`);
  if (vm.boot) {
    line(2, `<kernel>${xmlEscape(assertPath(vm.boot.kernel, 'kernel path'))}</kernel>`);
    if (vm.boot.initrd) line(2, `<initrd>${xmlEscape(assertPath(vm.boot.initrd, 'initrd path'))}</initrd>`);
    line(2, `<cmdline>${xmlEscape(vm.boot.cmdline ?? defaultCmdline(arch))}</cmdline>`);
  } else {
    line(2, `<boot dev='hd'/>`);
  }
  line(1, '</os>');
  line(1, '<features>');
  line(2, '<acpi/>');
  line(1, '</features>');
  if (accel === 'kvm') {
    line(1, `<cpu mode='host-passthrough'/>`);
  } else if (arch === 'aarch64') {
    line(1, `<cpu mode='custom' match='exact'>`);
    line(2, `<model fallback='allow'>cortex-a57</model>`);
    line(1, '</cpu>');
  }
  line(1, '<devices>');
  (vm.disks ?? []).forEach((disk, i) => {
    line(2, `<disk type='file' device='disk'>`);
    line(3, `<driver${xmlAttrs({ name: 'qemu', type: disk.format ?? 'qcow2' })}/>`);
    line(3, `<source${xmlAttrs({ file: assertPath(disk.path, 'disk path') })}/>`);
    line(3, `<target dev='${diskTarget(i)}' bus='virtio'/>`);
    if (disk.readonly) line(3, '<readonly/>');
    line(2, '</disk>');
  });
  (vm.nics ?? []).forEach((nic, i) => {
    const net = topology.networks?.[nic.network];
    if (!net) throw new Error(`VM ${vmName}: NIC ${i + 1} is on unknown network ${JSON.stringify(nic.network)}`);
    line(2, `<interface type='bridge'>`);
    if (nic.mac) line(3, `<mac${xmlAttrs({ address: nic.mac.toLowerCase() })}/>`);
    line(3, `<source${xmlAttrs({ bridge: assertIfname(bridgeName(nic.network, net), 'bridge name') })}/>`);
    if (net.kind === 'ovs') line(3, `<virtualport type='openvswitch'/>`);
    if (nic.tap) line(3, `<target${xmlAttrs({ dev: assertIfname(nic.tap, 'tap name') })}/>`);
    line(3, `<model${xmlAttrs({ type: nic.model ?? 'virtio' })}/>`);
    const qos = i === 0 ? vm.qos : undefined;
    if (qos && (qos.inbound || qos.outbound)) {
      line(3, '<bandwidth>');
      for (const dir of ['inbound', 'outbound'] as const) {
        const q = qos[dir];
        if (q) line(4, `<${dir}${xmlAttrs({ average: q.average, peak: q.peak, burst: q.burst })}/>`);
      }
      line(3, '</bandwidth>');
    }
    line(2, '</interface>');
  });
  line(2, `<serial type='pty'>`);
  const serialLog = options.serialLog === undefined ? defaultSerialLog(domain) : options.serialLog;
  if (serialLog) line(3, `<log${xmlAttrs({ file: assertPath(serialLog, 'serial log path'), append: 'off' })}/>`);
  line(3, `<target port='0'/>`);
  line(2, '</serial>');
  line(2, `<console type='pty'>`);
  line(3, `<target type='serial' port='0'/>`);
  line(2, '</console>');
  line(1, '</devices>');
  line(0, '</domain>');
  return `${out.join('\n')}\n`;
}
