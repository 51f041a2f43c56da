// `vsim export --json`: the topology with every default made explicit, for nix/ to read.
// Pure: text in, problems or the normalized topology out. No vscode import.
//
// The output is still a valid topology (same schema, no extra keys), so it can be fed back to
// `vsim validate`; what changes is that nothing is left to a default:
// - memory is an integer number of MiB;
// - hosts: arch, kvm, libvirtUri (user/port only when the host is not an ssh-config alias,
//   because there ssh's config decides);
// - networks: kind, bridge (the interface name), nat;
// - vms: arch, accel (kvm, or tcg on a host with `kvm: false`), vcpus, memory, autostart, console.kind (per backend) and its socket path,
//   disks' format/readonly, nics' model (a default `unix` console with no socket named becomes `none`);
// - profiles: direction.
// `layout` (graph positions) is left out: it is editor state, not deployment.
import { analyze } from '../model/analyze';
import type { LineIndex } from '../model/lineIndex';
import type { Problem } from '../model/problem';
import {
  memoryMiB, type Backend, type Disk, type Host, type Network, type Nic, type Profile, type Topology, type Vm,
} from '../model/types';

/** Memory given to a VM that does not say (MiB). */
export const DEFAULT_MEMORY_MIB = 512;

export const DEFAULT_CONSOLE: Record<Backend, 'pty' | 'unix' | 'journal'> = {
  libvirt: 'pty',
  qemu: 'unix',
  microvm: 'journal',
  'cloud-hypervisor': 'unix',
};

export type ExportResult =
  | { ok: true; topology: Topology; json: string; problems: Problem[]; lines: LineIndex }
  | { ok: false; problems: Problem[]; lines: LineIndex };

/** Analyzes `text`; refuses (with the problems) when it has errors, else returns the normalized topology. */
export function exportTopology(text: string): ExportResult {
  const { topology, problems, ok, parsed } = analyze(text);
  if (!ok || !topology) return { ok: false, problems, lines: parsed.lines };
  const normalized = normalize(topology);
  return { ok: true, topology: normalized, json: JSON.stringify(normalized, null, 2) + '\n', problems, lines: parsed.lines };
}

export function normalize(t: Topology): Topology {
  // Keys in the schema's order, so the exported file reads like the source.
  const out: Topology = {
    version: 1,
    ...(t.name !== undefined && { name: t.name }),
    ...(t.description !== undefined && { description: t.description }),
    hosts: mapValues(t.hosts, host),
  };
  if (t.networks) out.networks = mapValues(t.networks, network);
  if (t.vms) out.vms = mapValues(t.vms, (v) => vm(v, t.hosts));
  if (t.slots) out.slots = mapValues(t.slots, (s) => ({ ...s }));
  if (t.states) out.states = mapValues(t.states, (s) => ({ ...s }));
  if (t.profiles) out.profiles = mapValues(t.profiles, profile);
  if (t.links) out.links = mapValues(t.links, (l) => ({ ...l, endpoints: [l.endpoints[0], l.endpoints[1]] }));
  return out;
}

function host(h: Host): Host {
  const out: Host = { ...h, arch: h.arch ?? 'x86_64', kvm: h.kvm ?? true, libvirtUri: h.libvirtUri ?? 'qemu:///system' };
  if (!h.sshConfigHost) {
    out.user = h.user ?? 'root';
    out.port = h.port ?? 22;
  }
  return out;
}

function network(n: Network, name: string): Network {
  return { ...n, kind: n.kind ?? 'bridge', bridge: n.bridge ?? name, nat: n.nat ?? false };
}

function vm(v: Vm, hosts: Record<string, Host>): Vm {
  const path = v.console?.path ?? v.sockets?.serial;
  // A backend whose default is a unix socket but that names none has no reachable console:
  // say so (`none`) rather than invent a socket path.
  let kind = v.console?.kind ?? DEFAULT_CONSOLE[v.backend];
  if (!v.console?.kind && kind === 'unix' && path === undefined) kind = 'none';
  const console: NonNullable<Vm['console']> = { kind };
  if (kind === 'unix' && path !== undefined) console.path = path;
  else if (v.console?.path !== undefined) console.path = v.console.path;
  const out: Vm = {
    ...v,
    arch: v.arch ?? 'x86_64',
    // As the libvirt renderer decides: tcg when the host says it has no KVM.
    accel: v.accel ?? (hosts[v.host]?.kvm === false ? 'tcg' : 'kvm'),
    vcpus: v.vcpus ?? 1,
    memory: memoryMiB(v.memory, DEFAULT_MEMORY_MIB),
    console,
    autostart: v.autostart ?? false,
  };
  if (v.disks) out.disks = v.disks.map(disk);
  if (v.nics) out.nics = v.nics.map(nic);
  return out;
}

function disk(d: Disk): Disk {
  return { ...d, format: d.format ?? 'qcow2', readonly: d.readonly ?? false };
}

function nic(n: Nic): Nic {
  return { ...n, model: n.model ?? 'virtio' };
}

function profile(p: Profile): Profile {
  return { ...p, direction: p.direction ?? 'egress' };
}

function mapValues<T, U>(m: Record<string, T>, f: (v: T, k: string) => U): Record<string, U> {
  const out: Record<string, U> = {};
  for (const [k, v] of Object.entries(m)) out[k] = f(v, k);
  return out;
}
