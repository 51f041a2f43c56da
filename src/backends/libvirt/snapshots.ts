// libvirt's snapshot and save/restore capabilities (VmBackend.snapshots / .save): virsh
// snapshot-* (internal snapshots need a qcow2 disk) and save / restore of the memory to a file.
// Pure (no vscode).
import { mustRun, type BackendContext, type SaveRestore, type Snapshots } from '../backend';
import { domainOf } from './domains';
import { parseSnapshotNames } from './parseSnapshots';
import * as virsh from './renderVirsh';

/** `libvirtUri`: the host's connection URI (backend.ts's, passed in so this file does not import it back). */
export const libvirtSnapshots = (libvirtUri: (ctx: BackendContext) => string): Snapshots => ({
  async list(ctx, vm) {
    return parseSnapshotNames((await mustRun(ctx, virsh.snapshotList(libvirtUri(ctx), domainOf(ctx.topology, vm)))).stdout);
  },
  async create(ctx, vm, name) {
    await mustRun(ctx, virsh.snapshotCreate(libvirtUri(ctx), domainOf(ctx.topology, vm), name), { timeoutMs: 300_000 });
  },
  async revert(ctx, vm, name) {
    await mustRun(ctx, virsh.snapshotRevert(libvirtUri(ctx), domainOf(ctx.topology, vm), name), { timeoutMs: 300_000 });
  },
  async delete(ctx, vm, name) {
    await mustRun(ctx, virsh.snapshotDelete(libvirtUri(ctx), domainOf(ctx.topology, vm), name), { timeoutMs: 120_000 });
  },
  revertDetail: (_t, vm, name) => `The disks and (if the snapshot has it) the memory of ${vm} go back to ${name}; changes since then are lost.`,
});

export const libvirtSave = (libvirtUri: (ctx: BackendContext) => string): SaveRestore => ({
  defaultFile: (vm) => `/var/lib/libvirt/qemu/save/${vm}.save`,
  async save(ctx, vm, file) {
    await mustRun(ctx, virsh.save(libvirtUri(ctx), domainOf(ctx.topology, vm), file), { timeoutMs: 300_000 });
  },
  async restore(ctx, _vm, file) {
    await mustRun(ctx, virsh.restore(libvirtUri(ctx), file), { timeoutMs: 300_000 });
  },
});
