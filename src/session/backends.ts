// The backends the extension drives, by kind.
import type { VmBackend } from '../backends/backend';
import type { Backend } from '../model/types';

export function extensionBackends(): Partial<Record<Backend, VmBackend>> {
  // Filled by src/backends/index.ts createBackends() once the backend implementations land.
  return {};
}
