// libvirt bring-up (plan/apply/destroy): the file's side of a domain as VmSpec fields (from the
// same inputs as renderDomainXml), the host's side from `virsh dumpxml --inactive` of every
// requested domain in ONE round trip, define/redefine from renderDomainXml (the UUID is derived
// from the name, so a redefine keeps it), undefine with snapshot metadata and managed save.
import { assertDomainName } from '../../model/names';
import { bridgeName, memoryMiB, type Arch, type Topology } from '../../model/types';
import { mustRun, RemoteCommandError, type BackendContext, type InspectedVm, type Provisioner, type VmSpec } from '../backend';
import { mustRunScript, splitSections } from '../script';
import { declaredDomains, domainOf, keysByDomain } from './domains';
import { parseDomstats } from './parseDomstats';
import { parseDumpxml, type DumpedDomain } from './parseDumpxml';
import { defaultCmdline, renderDomainXml, vmAccel, type DomainXmlOptions } from './renderDomainXml';
import { DEFAULT_URI } from './renderVirsh';
import * as virsh from './renderVirsh';

/** The sections of INSPECT_SCRIPT: `stats` (domstats --state of every domain), then `dom NAME` per requested domain the host has. */
export const INSPECT_SCRIPT = [
  'uri=$1; shift',
  'names=$(virsh -c "$uri" -q list --all --name) || exit $?',
  "printf '@@vsim stats\\n'",
  'virsh -c "$uri" domstats --state || exit $?',
  // One virsh process for every dumpxml: its own command language, `echo` for the markers. Names
  // reach it only after the check below (the schema's VM name pattern has no space, quote or `;`).
  "cmds=''",
  'for d in "$@"; do',
  '  case $d in *[!A-Za-z0-9_.-]*|-*) continue;; esac',
  '  case "',
  '$names',
  '" in *"',
  '$d',
  '"*) cmds="$cmds echo @@vsim dom $d; dumpxml --inactive $d;";; esac',
  'done',
  '[ -z "$cmds" ] || virsh -c "$uri" "$cmds"',
].join('\n');

/** Shortest NIC/disk field names: `nics[0].mac`. */
const at = (list: string, i: number, field: string): string => `${list}[${i}].${field}`;

function qosText(q: { average: number; peak?: number; burst?: number } | undefined): string {
  if (!q) return '';
  return ([['average', q.average], ['peak', q.peak], ['burst', q.burst]] as const)
    .filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`).join(' ');
}

/** The file's side, in the fields specOfDump reports. Fields the file leaves to libvirt (a MAC, a tap name) are left out. */
export function declaredSpec(topology: Topology, vmName: string): VmSpec {
  const vm = topology.vms?.[vmName];
  if (!vm) throw new Error(`No VM ${JSON.stringify(vmName)} in the topology`);
  const arch: Arch = vm.arch ?? 'x86_64';
  const s: VmSpec = {
    vcpus: String(vm.vcpus ?? 1),
    memory: `${memoryMiB(vm.memory)}MiB`,
    arch,
    accel: vmAccel(topology, vm),
    kernel: vm.boot?.kernel ?? '',
    initrd: vm.boot?.initrd ?? '',
    cmdline: vm.boot ? (vm.boot.cmdline ?? defaultCmdline(arch)) : '',
    disks: String(vm.disks?.length ?? 0),
    nics: String(vm.nics?.length ?? 0),
  };
  (vm.disks ?? []).forEach((d, i) => {
    s[at('disks', i, 'path')] = d.path;
    s[at('disks', i, 'format')] = d.format ?? 'qcow2';
    s[at('disks', i, 'readonly')] = d.readonly ? 'yes' : 'no';
  });
  (vm.nics ?? []).forEach((n, i) => {
    const net = topology.networks?.[n.network];
    s[at('nics', i, 'bridge')] = net ? bridgeName(n.network, net) : n.network;
    s[at('nics', i, 'ovs')] = net?.kind === 'ovs' ? 'yes' : 'no';
    if (n.mac) s[at('nics', i, 'mac')] = n.mac.toLowerCase();
    if (n.tap) s[at('nics', i, 'tap')] = n.tap;
    s[at('nics', i, 'model')] = n.model ?? 'virtio';
    if (i === 0) {
      s['qos.inbound'] = qosText(vm.qos?.inbound);
      s['qos.outbound'] = qosText(vm.qos?.outbound);
    }
  });
  return s;
}

/** The host's side from a parsed dumpxml, in declaredSpec's fields. */
export function specOfDump(d: DumpedDomain): VmSpec {
  const s: VmSpec = {
    vcpus: String(d.vcpus),
    memory: `${d.memoryMiB}MiB`,
    arch: d.arch,
    accel: d.type === 'kvm' ? 'kvm' : d.type === 'qemu' ? 'tcg' : d.type,
    kernel: d.kernel,
    initrd: d.initrd,
    cmdline: d.cmdline,
    disks: String(d.disks.length),
    nics: String(d.nics.length),
  };
  d.disks.forEach((disk, i) => {
    s[at('disks', i, 'path')] = disk.path;
    s[at('disks', i, 'format')] = disk.format;
    s[at('disks', i, 'readonly')] = disk.readonly ? 'yes' : 'no';
  });
  d.nics.forEach((n, i) => {
    s[at('nics', i, 'bridge')] = n.bridge;
    s[at('nics', i, 'ovs')] = n.ovs ? 'yes' : 'no';
    s[at('nics', i, 'mac')] = n.mac;
    s[at('nics', i, 'tap')] = n.tap;
    s[at('nics', i, 'model')] = n.model;
    if (i === 0) {
      s['qos.inbound'] = n.inbound;
      s['qos.outbound'] = n.outbound;
    }
  });
  return s;
}

/**
 * Reads INSPECT_SCRIPT's output: the requested domains (missing ones `exists: false`), and every
 * other domain of the host under its own name (undeclared: the plan lists them, never touches them).
 */
export function parseInspect(stdout: string, requested: readonly string[]): Record<string, InspectedVm> {
  const out: Record<string, InspectedVm> = {};
  const sections = splitSections(stdout);
  const stats = parseDomstats(sections.find((s) => s.kind === 'stats')?.body ?? '');
  const running = new Map(stats.map((d) => [d.name, d.state === 'running' || d.state === 'blocked' || d.state === 'paused' || d.state === 'pmsuspended']));
  for (const n of requested) out[n] = { exists: false, running: false };
  for (const d of stats) {
    out[d.name] = { exists: true, running: running.get(d.name) ?? false, detail: d.state };
  }
  for (const s of sections.filter((x) => x.kind === 'dom')) {
    const entry = out[s.arg];
    if (!entry) continue;
    try {
      const dump = parseDumpxml(s.body);
      entry.spec = specOfDump(dump);
      entry.detail = `${entry.detail ?? ''}${entry.detail ? '; ' : ''}uuid ${dump.uuid}`;
    } catch (err) {
      entry.detail = `dumpxml unreadable: ${(err as Error).message}`;
    }
  }
  return out;
}

/**
 * parseInspect's result (by domain) under the VM keys of `keys` (domain → key); the host's other
 * domains keep their own names, except those another VM of the file names (they are not undeclared).
 */
export function byVmKey(byDomain: Record<string, InspectedVm>, keys: ReadonlyMap<string, string>, declared: ReadonlySet<string>): Record<string, InspectedVm> {
  const out: Record<string, InspectedVm> = {};
  for (const [domain, i] of Object.entries(byDomain)) {
    const key = keys.get(domain);
    if (key !== undefined) out[key] = i;
    else if (!declared.has(domain)) out[domain] = i;
  }
  return out;
}

/** `virsh define` of a name that exists under another UUID (defined by hand) says which. */
const OTHER_UUID = /already exists with uuid ([0-9a-f-]{36})/i;

export function createLibvirtProvisioner(opts: { uri?: (ctx: BackendContext) => string; xmlOptions?: (ctx: BackendContext, vm: string) => DomainXmlOptions } = {}): Provisioner {
  const uriOf = opts.uri ?? ((ctx: BackendContext) => ctx.host.libvirtUri ?? DEFAULT_URI);
  return {
    async inspect(ctx, vmNames) {
      const keys = keysByDomain(ctx.topology, vmNames);
      for (const d of keys.keys()) assertDomainName(d);
      const r = await mustRunScript(ctx, 'vsim libvirt inspect', INSPECT_SCRIPT, [uriOf(ctx), ...keys.keys()], { timeoutMs: 120_000 });
      return byVmKey(parseInspect(r.stdout, [...keys.keys()]), keys, declaredDomains(ctx.topology));
    },

    declared: declaredSpec,

    async provision(ctx, vmName) {
      const xml = renderDomainXml(ctx.topology, vmName, opts.xmlOptions?.(ctx, vmName) ?? {});
      const argv = virsh.define(uriOf(ctx));
      const r = await ctx.run.exec(argv, { stdin: xml, channel: true, timeoutMs: 120_000 });
      if (r.code === 0) return;
      // A domain of that name defined outside vsim keeps its own UUID: redefine with it.
      const other = OTHER_UUID.exec(r.stderr)?.[1];
      if (!other) throw RemoteCommandError.fromResult(ctx.hostName, argv, r);
      const again = xml.replace(/<uuid>[^<]*<\/uuid>/, `<uuid>${other}</uuid>`);
      await mustRun(ctx, argv, { stdin: again, channel: true, timeoutMs: 120_000 });
    },

    async deprovision(ctx, vmName) {
      const uri = uriOf(ctx);
      const argv = virsh.undefine(uri, domainOf(ctx.topology, vmName), { snapshotsMetadata: true, managedSave: true, nvram: ctx.topology.vms?.[vmName]?.arch === 'aarch64' });
      const r = await ctx.run.exec(argv, { channel: true, timeoutMs: 120_000 });
      if (r.code === 0 || /failed to get domain|Domain not found/i.test(r.stderr)) return;
      throw RemoteCommandError.fromResult(ctx.hostName, argv, r);
    },
  };
}
