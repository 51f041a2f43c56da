// Types of a *.vsim.yaml topology, mirroring schemas/topology.schema.json.
// Pure: no vscode import.

export type Arch = 'x86_64' | 'aarch64';
export type Backend = 'libvirt' | 'microvm' | 'qemu' | 'cloud-hypervisor';
export const BACKENDS: readonly Backend[] = ['libvirt', 'microvm', 'qemu', 'cloud-hypervisor'];

export interface Host {
  description?: string;
  sshConfigHost?: string;
  address?: string;
  port?: number;
  user?: string;
  identityFile?: string;
  proxyJump?: string;
  arch?: Arch;
  kvm?: boolean;
  libvirtUri?: string;
  flake?: string;
  /** systemd units the lab depends on besides the ones vsim watches anyway (src/health/units.ts). */
  services?: string[];
  /** Address of this host on the underlay the tunnels of spanning networks run over. */
  underlay?: string;
  /** Interface the underlay address is on (`dev` of a Linux tunnel port); optional. */
  underlayInterface?: string;
  /** MTU of the underlay (default 1500): a spanning network's MTU must leave room for the tunnel header. */
  underlayMtu?: number;
}

/** How a network that spans hosts is carried between them. */
export interface Tunnel {
  kind: 'vxlan' | 'gre';
  /** vxlan: the VXLAN network identifier. */
  vni?: number;
  /** gre: the GRE key. */
  key?: number;
  /** vxlan: UDP destination port (default 4789). */
  port?: number;
}

export interface Network {
  description?: string;
  /** The one host of a host-local network (give `host` or `hosts`). */
  host?: string;
  /** The hosts a spanning network is on; the first carries its gateway, NAT and DHCP. */
  hosts?: string[];
  /** Between the hosts of a spanning network. */
  tunnel?: Tunnel;
  /** MTU of the bridge and its tunnel ports. */
  mtu?: number;
  kind?: 'bridge' | 'ovs';
  bridge?: string;
  subnet?: string;
  gateway?: string;
  hostInterface?: string;
  dhcp?: { start?: string; end?: string; domain?: string };
  nat?: boolean | string;
}

export interface Nic {
  network: string;
  mac?: string;
  ip?: string;
  tap?: string;
  model?: 'virtio' | 'e1000' | 'rtl8139';
}

export interface Disk {
  path: string;
  size?: string;
  format?: 'qcow2' | 'raw';
  readonly?: boolean;
}

export interface Qos {
  average: number;
  peak?: number;
  burst?: number;
}

export interface Vm {
  description?: string;
  role?: string;
  host: string;
  backend: Backend;
  /** libvirt: the domain's name on the host when it differs from the VM's key. */
  domain?: string;
  arch?: Arch;
  accel?: 'kvm' | 'tcg';
  vcpus?: number;
  memory?: number | string;
  disks?: Disk[];
  boot?: { kernel: string; initrd?: string; cmdline?: string };
  nics?: Nic[];
  console?: { kind?: 'pty' | 'unix' | 'journal' | 'none'; path?: string };
  image?: { flake: string; outLink?: string };
  qos?: { inbound?: Qos; outbound?: Qos };
  slot?: string;
  /** qemu: `qmp` (JSON) and/or `hmp` (text) monitor; `serial`; cloud-hypervisor: `api`. */
  sockets?: { qmp?: string; hmp?: string; serial?: string; api?: string };
  autostart?: boolean;
  /** qemu: the launcher vsim runs to start the VM (argv, never a shell string), e.g. `nix run .#emulation-vm-bg`. */
  start?: StartCommand;
  /** VMs of the same host that Up starts before this one. */
  after?: string[];
}

export interface StartCommand {
  argv: string[];
  /** Directory on the host to run it in. */
  cwd?: string;
}

export interface Slot {
  description?: string;
  host: string;
  network: string;
  ip?: string;
  mac?: string;
  state?: string;
}

export interface State {
  description?: string;
  host?: string;
}

export interface Shaping {
  rate?: string;
  burst?: string;
  delay?: string;
  jitter?: string;
  loss?: string;
  corrupt?: string;
  duplicate?: string;
}

export interface Profile extends Shaping {
  description?: string;
  direction?: 'egress' | 'ingress' | 'both';
  targets?: string[];
  overrides?: Record<string, Shaping>;
}

export interface Link {
  description?: string;
  endpoints: [string, string];
  profile?: string;
}

export interface Position {
  x: number;
  y: number;
}

export interface Layout {
  algorithm?: 'hierarchical' | 'force';
  hosts?: Record<string, Position>;
  networks?: Record<string, Position>;
  vms?: Record<string, Position>;
  slots?: Record<string, Position>;
}

export interface Topology {
  version: 1;
  name?: string;
  description?: string;
  /** true: vsim never connects to this file's hosts. */
  offline?: boolean;
  hosts: Record<string, Host>;
  networks?: Record<string, Network>;
  vms?: Record<string, Vm>;
  slots?: Record<string, Slot>;
  states?: Record<string, State>;
  profiles?: Record<string, Profile>;
  links?: Record<string, Link>;
  layout?: Layout;
}

/** The top-level maps whose keys are names other entries refer to. */
export type Section = 'hosts' | 'networks' | 'vms' | 'slots' | 'states' | 'profiles' | 'links';
export const SECTIONS: readonly Section[] = ['hosts', 'networks', 'vms', 'slots', 'states', 'profiles', 'links'];

/** Path to a value in the document: keys and sequence indexes. */
export type Path = readonly (string | number)[];

/** Memory in MiB from the schema's `memory` forms. */
export function memoryMiB(memory: number | string | undefined, fallback = 512): number {
  if (memory === undefined) return fallback;
  if (typeof memory === 'number') return memory;
  const m = /^(\d+)(MiB|GiB|M|G)$/.exec(memory);
  if (!m) return fallback;
  const n = Number(m[1]);
  return m[2] === 'GiB' || m[2] === 'G' ? n * 1024 : n;
}

/** The libvirt domain a VM is on its host: its `domain`, else its key. */
export function domainName(name: string, vm: Vm | undefined): string {
  return vm?.domain ?? name;
}

/** The bridge interface name of a network (defaults to the network's key). */
export function bridgeName(name: string, net: Network): string {
  return net.bridge ?? name;
}
