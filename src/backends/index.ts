// The four backends behind one interface (src/backends/backend.ts), by topology `backend` kind.
import type { Backend } from '../model/types';
import type { VmBackend } from './backend';
import { createCloudHypervisorBackend } from './cloudHypervisor/backend';
import { createLibvirtBackend, type LibvirtBackendOptions } from './libvirt/backend';
import { createMicrovmBackend, type MicrovmBackendOptions } from './microvm/backend';
import { createQemuBackend } from './qemu/backend';

export interface BackendsOptions {
  libvirt?: LibvirtBackendOptions;
  microvm?: MicrovmBackendOptions;
}

export function createBackends(options: BackendsOptions = {}): Record<Backend, VmBackend> {
  return {
    libvirt: createLibvirtBackend(options.libvirt),
    microvm: createMicrovmBackend(options.microvm),
    qemu: createQemuBackend(),
    'cloud-hypervisor': createCloudHypervisorBackend(),
  };
}

export { createCloudHypervisorBackend, createLibvirtBackend, createMicrovmBackend, createQemuBackend };
