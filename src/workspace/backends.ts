// The backends the extension drives, by kind (libvirt, microvm, qemu, cloud-hypervisor).
import type { VmBackend } from '../backends/backend';
import { createBackends } from '../backends';
import type { Backend } from '../model/types';

export function extensionBackends(): Partial<Record<Backend, VmBackend>> {
  return createBackends();
}
