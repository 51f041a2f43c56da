// cloud-hypervisor REST API (vmm/src/api/openapi/cloud-hypervisor.yaml): request builders, the
// curl argv that sends them over the API unix socket, and response → result mapping. Pure.
import { assertPath } from '../../model/names';
import { memoryMiB, type Topology } from '../../model/types';

export type ChEndpoint =
  | 'vmm.ping' | 'vmm.shutdown' | 'vm.info' | 'vm.counters' | 'vm.create' | 'vm.delete' | 'vm.boot' | 'vm.pause'
  | 'vm.resume' | 'vm.shutdown' | 'vm.reboot' | 'vm.power-button' | 'vm.snapshot' | 'vm.restore';

const GET = new Set<ChEndpoint>(['vmm.ping', 'vm.info', 'vm.counters']);

export interface ChRequest {
  endpoint: ChEndpoint;
  method: 'GET' | 'PUT';
  path: string;
  body?: unknown;
}

export function chRequest(endpoint: ChEndpoint, body?: unknown): ChRequest {
  const r: ChRequest = { endpoint, method: GET.has(endpoint) ? 'GET' : 'PUT', path: `/api/v1/${endpoint}` };
  if (body !== undefined) r.body = body;
  return r;
}

/** vm.snapshot into a directory on the host (the VM must be paused first). */
export const snapshotRequest = (dir: string): ChRequest => chRequest('vm.snapshot', { destination_url: `file://${assertPath(dir, 'snapshot directory')}` });
/** vm.restore from a snapshot directory; upstream restores into Paused unless `resume`. */
export const restoreRequest = (dir: string, resume = false): ChRequest =>
  chRequest('vm.restore', { source_url: `file://${assertPath(dir, 'snapshot directory')}`, ...(resume ? { resume: true } : {}) });

/** The marker line curl prints after the body: the HTTP status. */
const STATUS_MARK = '\n@@vsim-http-status:';

/** `curl --unix-socket SOCK http://localhost/api/v1/…` with the status on the last line. */
export function curlCommand(socket: string, req: ChRequest): string[] {
  return [
    'curl', '-sS', '--max-time', '30', '--unix-socket', assertPath(socket, 'API socket'),
    '-X', req.method, '-w', `${STATUS_MARK}%{http_code}\n`,
    ...(req.body !== undefined ? ['-H', 'Content-Type: application/json', '--data-binary', JSON.stringify(req.body)] : []),
    `http://localhost${req.path}`,
  ];
}

export interface ChResponse {
  status: number;
  body: string;
}

export function parseCurlOutput(stdout: string): ChResponse {
  const i = stdout.lastIndexOf(STATUS_MARK);
  if (i < 0) throw new Error('cloud-hypervisor: no HTTP status in curl output');
  return { status: Number(stdout.slice(i + STATUS_MARK.length).trim()), body: stdout.slice(0, i) };
}

/** curl's own failures (exit code + stderr) in words. */
export function curlFailureMessage(exitCode: number, stderr: string, socket: string): string {
  if (exitCode === 7) return `cloud-hypervisor API socket ${socket} does not answer (is the VMM running?)`;
  if (exitCode === 28) return `cloud-hypervisor API on ${socket} timed out`;
  if (exitCode === 127) return 'curl is not installed on the host';
  return `curl failed (exit ${exitCode}): ${stderr.trim()}`;
}

export type ChResult = { ok: true; value?: unknown } | { ok: false; status: number; message: string };

const NOT_CREATED: Partial<Record<ChEndpoint, string>> = {
  'vm.info': 'the VM is not created', 'vm.boot': 'the VM is not created yet', 'vm.pause': 'the VM is not created yet',
  'vm.resume': 'the VM is not booted yet', 'vm.shutdown': 'the VM is not created', 'vm.reboot': 'the VM is not created',
  'vm.power-button': 'the VM is not created yet', 'vm.snapshot': 'the VM is not created', 'vm.restore': 'a VM already exists',
};
const NOT_ALLOWED: Partial<Record<ChEndpoint, string>> = {
  'vm.pause': 'the VM is not booted', 'vm.resume': 'the VM is not paused', 'vm.shutdown': 'the VM is not started',
  'vm.reboot': 'the VM is not booted', 'vm.power-button': 'the VM is not booted', 'vm.snapshot': 'the VM is not paused',
};

/** upstream's error bodies: a JSON array of the error chain's messages, outermost first. */
function errorChain(body: string): string {
  try {
    const v: unknown = JSON.parse(body);
    if (Array.isArray(v)) return v.map(String).filter((s) => s !== 'Error from API').join(': ');
  } catch {
    // not JSON: use the text
  }
  return body.trim();
}

/** Maps a response to a value or a clear error (status codes from the spec and the real VMM). */
export function chResult(endpoint: ChEndpoint, res: ChResponse): ChResult {
  if (res.status === 200 || res.status === 204) {
    if (!res.body.trim()) return { ok: true };
    try {
      return { ok: true, value: JSON.parse(res.body) };
    } catch {
      return { ok: true, value: res.body };
    }
  }
  const chain = errorChain(res.body);
  let why: string;
  if (res.status === 404) why = NOT_CREATED[endpoint] ?? 'not found';
  else if (res.status === 405) why = NOT_ALLOWED[endpoint] ?? 'not allowed in this state';
  else if (res.status === 400) why = 'bad request';
  else why = `HTTP ${res.status}`;
  return { ok: false, status: res.status, message: `cloud-hypervisor ${endpoint} failed: ${why}${chain ? ` (${chain})` : ''}` };
}

export type ChVmState = 'Created' | 'Running' | 'Shutdown' | 'Paused';

export interface ChVmInfo {
  state: ChVmState | string;
  memoryActualSize?: number;
  config: Record<string, unknown>;
}

export function parseVmInfo(value: unknown): ChVmInfo {
  const v = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const info: ChVmInfo = { state: String(v.state ?? 'unknown'), config: (v.config ?? {}) as Record<string, unknown> };
  if (typeof v.memory_actual_size === 'number') info.memoryActualSize = v.memory_actual_size;
  return info;
}

/** vm.create body (VmConfig) for a topology VM: payload, cpus, memory, disks, TAP NICs, serial. */
export function vmConfig(topology: Topology, vmName: string): Record<string, unknown> {
  const vm = topology.vms?.[vmName];
  if (!vm) throw new Error(`No VM ${JSON.stringify(vmName)} in the topology`);
  if (!vm.boot) throw new Error(`VM ${vmName}: cloud-hypervisor needs boot.kernel`);
  const payload: Record<string, unknown> = { kernel: assertPath(vm.boot.kernel, 'kernel path') };
  if (vm.boot.initrd) payload.initramfs = assertPath(vm.boot.initrd, 'initrd path');
  if (vm.boot.cmdline) payload.cmdline = vm.boot.cmdline;
  const cfg: Record<string, unknown> = {
    payload,
    cpus: { boot_vcpus: vm.vcpus ?? 1, max_vcpus: vm.vcpus ?? 1 },
    memory: { size: memoryMiB(vm.memory) * 1024 * 1024 },
  };
  if (vm.disks?.length) cfg.disks = vm.disks.map((d) => ({ path: assertPath(d.path, 'disk path'), ...(d.readonly ? { readonly: true } : {}) }));
  if (vm.nics?.length) cfg.net = vm.nics.map((n) => ({ ...(n.tap ? { tap: n.tap } : {}), ...(n.mac ? { mac: n.mac.toLowerCase() } : {}) }));
  cfg.serial = vm.sockets?.serial ? { mode: 'Socket', socket: assertPath(vm.sockets.serial, 'serial socket') } : { mode: 'Pty' };
  cfg.console = { mode: 'Off' };
  return cfg;
}
