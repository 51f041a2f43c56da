// cloud-hypervisor backend (seed 004, Aspen): one VMM per VM, its REST API on a unix socket
// (topology `sockets.api`), spoken with `curl --unix-socket` on the host. list: ONE round trip (a
// constant sh script asks vm.info on every socket in turn). Error bodies (a JSON array of the
// error chain's messages, as cloud-hypervisor's HTTP layer writes them) become clear messages.
// Pure (no vscode).
import * as path from 'node:path';
import { assertName, assertPath, isValidName } from '../../model/names';
import type { Topology } from '../../model/types';
import { mustRun, type BackendContext, type HostListing, type LifecycleOp, type VmBackend, type VmStatus } from '../backend';
import { mustRunScript, scriptProbe } from '../script';
import { runProbe, type Probe } from '../probe';
import { API_SCRIPT, CloudHypervisorApiError, errorMessages, parseApiSections, vmInfoStatus } from './apiScript';

export { API_SCRIPT, CloudHypervisorApiError, errorMessages, parseApiSections, vmInfoStatus, type ApiAnswer } from './apiScript';
import { createChProvisioner } from './provisioner';
import { serialSocketConsole } from '../qemu/backend';
import { chConsoleArgv } from './consoleScript';


const OPS: Record<LifecycleOp, string> = {
  start: 'vm.boot', shutdown: 'vm.power-button', destroy: 'vm.shutdown', reboot: 'vm.reboot', suspend: 'vm.pause', resume: 'vm.resume',
};

function apiSocket(ctx: BackendContext, vm: string): string | undefined {
  const p = ctx.topology.vms?.[vm]?.sockets?.api;
  return p === undefined ? undefined : assertPath(p, `API socket of ${vm}`);
}

function fileUrl(dir: string): string {
  return `file://${assertPath(dir, 'snapshot directory')}`;
}

/** Where cloud-hypervisor snapshots of a VM live on its host: `snapshots/VM/NAME` next to its API socket. */
export function chSnapshotDir(topology: Topology, vm: string, name?: string): string {
  const sock = topology.vms?.[vm]?.sockets?.api;
  if (!sock) throw new Error(`VM ${vm} has no sockets.api in the topology.`);
  const dir = path.posix.join(path.posix.dirname(assertPath(sock, `API socket of ${vm}`)), 'snapshots', assertName(vm, 'VM name'));
  return name ? path.posix.join(dir, assertName(name, 'snapshot name')) : dir;
}

/** ONE run of the api script asking vm.info of every declared socket. */
function listProbe(ctx: BackendContext, vmNames: readonly string[]): Probe<HostListing> {
  const vms: Record<string, VmStatus> = {};
  const socks: string[] = [];
  const bySock = new Map<string, string[]>();
  for (const n of vmNames) {
    const s = apiSocket(ctx, n);
    if (!s) {
      vms[n] = { state: 'unknown', detail: 'no sockets.api in the topology' };
      continue;
    }
    if (!bySock.has(s)) socks.push(s);
    bySock.set(s, [...(bySock.get(s) ?? []), n]);
  }
  if (!socks.length) return { label: 'cloud-hypervisor listing', parse: () => ({ vms, undeclared: [] }) };
  return scriptProbe(ctx, 'curl api script', API_SCRIPT, ['GET', 'vm.info', '', ...socks], (r) => {
    const answers = parseApiSections(r.stdout);
    for (const s of socks) for (const n of bySock.get(s) ?? []) vms[n] = { ...vmInfoStatus(answers.get(s)), facts: { ...vmInfoStatus(answers.get(s)).facts, api: s } };
    return { vms, undeclared: [] };
  }, { timeoutMs: 10_000 + 30_000 * socks.length });
}

export function createCloudHypervisorBackend(): VmBackend & {
  /** PUT/GET one API path of a VM's VMM; throws CloudHypervisorApiError on 4xx/5xx or no VMM. */
  api(ctx: BackendContext, vm: string, method: 'GET' | 'PUT', path: string, body?: unknown): Promise<{ status: number; body: string }>;
  snapshot(ctx: BackendContext, vm: string, dir: string): Promise<void>;
  restore(ctx: BackendContext, vm: string, dir: string, resume?: boolean): Promise<void>;
} {
  async function api(ctx: BackendContext, vm: string, method: 'GET' | 'PUT', path: string, body?: unknown): Promise<{ status: number; body: string }> {
    if (!/^(vm|vmm)\.[a-z-]+$/.test(path)) throw new Error(`Invalid cloud-hypervisor API path ${path}`);
    const sock = apiSocket(ctx, vm);
    if (!sock) throw new CloudHypervisorApiError(ctx.hostName, vm, path, undefined, ['the topology gives no sockets.api for this VM']);
    const r = await mustRunScript(ctx, 'curl api script', API_SCRIPT, [method, path, body === undefined ? '' : JSON.stringify(body), sock], { timeoutMs: 40_000 });
    const a = parseApiSections(r.stdout).get(sock);
    if (!a || a.kind !== 'http') {
      throw new CloudHypervisorApiError(ctx.hostName, vm, path, undefined, [a?.kind === 'absent'
        ? `no VMM: the API socket ${sock} does not exist` : `no VMM answers on ${sock}${a?.curlExit ? ` (curl exit ${a.curlExit})` : ''}`]);
    }
    if ((a.status ?? 0) >= 400) throw new CloudHypervisorApiError(ctx.hostName, vm, path, a.status, errorMessages(a.body));
    return { status: a.status ?? 0, body: a.body ?? '' };
  }

  async function snapshot(ctx: BackendContext, vm: string, dir: string): Promise<void> {
    await api(ctx, vm, 'PUT', 'vm.snapshot', { destination_url: fileUrl(dir) });
  }

  /** vm.restore needs a VMM without a VM: vm.delete first (it shuts a booted VM down; a no-op when none is created). */
  async function restore(ctx: BackendContext, vm: string, dir: string, resume = false): Promise<void> {
    await api(ctx, vm, 'PUT', 'vm.delete');
    await api(ctx, vm, 'PUT', 'vm.restore', { source_url: fileUrl(dir), ...(resume ? { resume: true } : {}) });
  }

  return {
    kind: 'cloud-hypervisor',
    tool: 'curl',
    provisioner: createChProvisioner(api),
    /** Where vm.info says the serial (else virtio-console) is: its Socket or its Pty (consoleScript.ts). */
    console(ctx, vm, opts = {}) {
      const sock = apiSocket(ctx, vm);
      return sock ? { argv: chConsoleArgv(sock, opts.force === true), pty: true } : serialSocketConsole(ctx, vm, opts);
    },
    consoleOptions: { force: true },

    snapshots: {
      async list(ctx, vm) {
        const r = await ctx.run.exec(['sh', '-c', 'ls -1 "$1" 2>/dev/null; true', 'sh', chSnapshotDir(ctx.topology, vm)]);
        return r.stdout.split('\n').map((l) => l.trim()).filter(isValidName);
      },
      /** cloud-hypervisor snapshots a paused VM only: pause, snapshot into a new directory, resume. */
      async create(ctx, vm, name, { running }) {
        const dir = chSnapshotDir(ctx.topology, vm, name);
        await mustRun(ctx, ['mkdir', '-p', '--', dir]);
        if (running) await api(ctx, vm, 'PUT', 'vm.pause');
        try {
          await snapshot(ctx, vm, dir);
        } finally {
          if (running) await api(ctx, vm, 'PUT', 'vm.resume');
        }
      },
      async revert(ctx, vm, name, { running }) {
        await restore(ctx, vm, chSnapshotDir(ctx.topology, vm, name), running);
      },
      async delete(ctx, vm, name) {
        await mustRun(ctx, ['rm', '-rf', '--', chSnapshotDir(ctx.topology, vm, name)]);
      },
      revertDetail: (t, vm, name) => `cloud-hypervisor drops the VM ${vm} (vm.delete) and restores it from ${chSnapshotDir(t, vm, name)}; changes since then are lost.`,
    },

    list: async (ctx, vmNames) => runProbe(ctx, listProbe(ctx, vmNames)),
    listProbe,

    async lifecycle(ctx, vm, op) {
      await api(ctx, vm, 'PUT', OPS[op]);
    },

    api,

    /** vm.snapshot needs a paused VM (cloud-hypervisor refuses otherwise); `dir` must exist on the host. */
    snapshot,
    restore,
  };
}
