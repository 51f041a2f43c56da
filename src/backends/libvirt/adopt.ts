// libvirt domains the file does not declare: their `virsh dumpxml --inactive` as FoundVm (what
// "Add to Topology" writes), read for any number of domains in ONE round trip (the provisioner's
// INSPECT_SCRIPT). Pure (no vscode).
import { isValidVmName, VM_NAME_RULE } from '../../model/names';
import type { FoundNic, FoundVm } from '../../model/edits/adopt';
import type { BackendContext, UndeclaredVms } from '../backend';
import { mustRunScript, splitSections } from '../script';
import { parseDumpxml, type DumpedDomain } from './parseDumpxml';
import { INSPECT_SCRIPT } from './provisioner';

/** A domain's definition in topology terms; NICs that are not on a bridge are left out with a note. */
export function foundOfDump(d: DumpedDomain): FoundVm {
  const notes: string[] = [];
  const nics: FoundNic[] = [];
  d.nics.forEach((n, i) => {
    if (n.type !== 'bridge' || !n.bridge) {
      notes.push(`nic ${i + 1} left out: type ${n.type || '?'}${n.bridge ? ` (${n.bridge})` : ''}, vsim's networks are bridges`);
      return;
    }
    nics.push({ bridge: n.bridge, ovs: n.ovs, ...(n.mac ? { mac: n.mac } : {}), ...(n.tap ? { tap: n.tap } : {}), ...(n.model ? { model: n.model } : {}) });
    if (n.inbound || n.outbound) notes.push(`nic ${i + 1}: its <bandwidth> is not copied (set qos: in the file)`);
  });
  return {
    name: d.name,
    backend: 'libvirt',
    ...(d.arch ? { arch: d.arch } : {}),
    ...(d.type === 'kvm' ? { accel: 'kvm' } : d.type === 'qemu' ? { accel: 'tcg' } : {}),
    ...(d.vcpus ? { vcpus: d.vcpus } : {}),
    ...(d.memoryMiB ? { memoryMiB: d.memoryMiB } : {}),
    ...(d.kernel ? { boot: { kernel: d.kernel, ...(d.initrd ? { initrd: d.initrd } : {}), ...(d.cmdline ? { cmdline: d.cmdline } : {}) } } : {}),
    disks: d.disks.map((k) => ({ path: k.path, ...(k.format ? { format: k.format } : {}), ...(k.readonly ? { readonly: true } : {}) })),
    nics,
    ...(notes.length ? { notes } : {}),
  };
}

/** Reads INSPECT_SCRIPT's output for `names`: each domain's FoundVm, or why it could not be read. */
export function parseDefinitions(stdout: string, names: readonly string[]): Record<string, FoundVm | { error: string }> {
  const out: Record<string, FoundVm | { error: string }> = {};
  for (const n of names) out[n] = { error: 'the host has no such domain (any more)' };
  for (const s of splitSections(stdout).filter((x) => x.kind === 'dom')) {
    if (!Object.prototype.hasOwnProperty.call(out, s.arg)) continue;
    try {
      out[s.arg] = foundOfDump(parseDumpxml(s.body));
    } catch (err) {
      out[s.arg] = { error: `dumpxml unreadable: ${(err as Error).message}` };
    }
  }
  return out;
}

export function libvirtUndeclared(uriOf: (ctx: BackendContext) => string): UndeclaredVms {
  return {
    async read(ctx, names) {
      // Host-supplied names: only those the name rule allows reach the host (as arguments, quoted).
      const usable = names.filter(isValidVmName);
      const r = usable.length
        ? parseDefinitions((await mustRunScript(ctx, 'vsim libvirt dumpxml', INSPECT_SCRIPT, [uriOf(ctx), ...usable], { timeoutMs: 120_000 })).stdout, usable)
        : {};
      for (const n of names) if (!isValidVmName(n)) r[n] = { error: `not a name vsim can use (${VM_NAME_RULE})` };
      return r;
    },
  };
}
