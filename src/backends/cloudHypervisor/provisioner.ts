// cloud-hypervisor bring-up (seed 004, Aspen): one VMM per VM, started as
// `cloud-hypervisor --api-socket path=SOCK` — a transient systemd unit `vsim-ch-VM` where systemd
// runs the host (/run/systemd/system exists), else a supervised background process (setsid, pid
// file SOCK.pid, output to SOCK.log next to the socket) — then `vm.create` with the body of
// vmConfig(). Booting is lifecycle `start` (vm.boot). Inspect: ONE round trip (vm.info on every
// socket). Remove: vm.delete, vmm.shutdown, then stop the unit / the recorded pid. Pure (no vscode).
import { assertName, assertPath } from '../../model/names';
import { memoryMiB, type Topology } from '../../model/types';
import { type BackendContext, type InspectedVm, type Provisioner, type VmSpec } from '../backend';
import { mustRunScript } from '../script';
import { vmConfig } from './apiRequests';
import { API_SCRIPT, CloudHypervisorApiError, errorMessages, parseApiSections, type ApiAnswer } from './apiScript';

/** The transient systemd unit of a VM's VMM. */
export const vmmUnit = (vm: string): string => `vsim-ch-${assertName(vm, 'VM name')}`;

/**
 * $1 = API socket, $2 = unit name. Starts the VMM unless one answers vmm.ping on the socket, then
 * waits (max ~10 s) until it does. Prints `@@vsim vmm already|systemd UNIT|pid N` and `@@vsim ready`.
 * Exit 127: no cloud-hypervisor on PATH; 1: the VMM did not come up (its log's tail on stderr).
 */
export const START_VMM_SCRIPT = [
  'sock=$1; unit=$2',
  'ping() { curl -s --max-time 5 --unix-socket "$sock" -o /dev/null -w "%{http_code}" http://localhost/api/v1/vmm.ping 2>/dev/null | grep -q "^200$"; }',
  'if [ -S "$sock" ] && ping; then echo "@@vsim vmm already"; echo "@@vsim ready"; exit 0; fi',
  'ch=$(command -v cloud-hypervisor) || { echo "cloud-hypervisor is not installed on this host (not on PATH)" >&2; exit 127; }',
  'mkdir -p "$(dirname "$sock")" || exit 1',
  'rm -f "$sock"',
  'if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then',
  '  systemctl reset-failed "$unit.service" >/dev/null 2>&1',
  '  systemd-run --unit="$unit" --collect --description="cloud-hypervisor VMM ($sock)" -p Restart=no "$ch" --api-socket "path=$sock" >/dev/null || exit 1',
  '  echo "@@vsim systemd $unit"; log="journalctl -u $unit"',
  'else',
  '  setsid "$ch" --api-socket "path=$sock" >"$sock.log" 2>&1 </dev/null &',
  '  echo $! >"$sock.pid"; echo "@@vsim pid $!"; log="$sock.log"',
  'fi',
  'i=0; while [ $i -lt 100 ]; do if [ -S "$sock" ] && ping; then echo "@@vsim ready"; exit 0; fi; sleep 0.1; i=$((i+1)); done',
  'echo "the VMM did not answer vmm.ping on $sock within 10 s (log: $log)" >&2',
  'if [ -f "$sock.log" ]; then tail -n 20 "$sock.log" >&2; else journalctl -u "$unit" -n 20 --no-pager -o cat >&2 2>/dev/null; fi',
  'exit 1',
].join('\n');

/**
 * $1 = API socket, $2 = unit name. vm.delete + vmm.shutdown when a VMM answers, waits (max ~5 s)
 * for the socket to go, then stops the unit if one is loaded, and the pid of SOCK.pid only when
 * that process is a VMM of this socket (its command line names it). Removes socket, pid and log.
 */
export const STOP_VMM_SCRIPT = [
  'sock=$1; unit=$2',
  'api() { curl -s --max-time 10 --unix-socket "$sock" -X PUT -o /dev/null "http://localhost/api/v1/$1" 2>/dev/null; }',
  'if [ -S "$sock" ]; then api vm.delete; api vmm.shutdown; fi',
  'i=0; while [ -S "$sock" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done',
  'if [ -d /run/systemd/system ] && systemctl is-active -q "$unit.service" 2>/dev/null; then systemctl stop "$unit.service" || exit 1; echo "@@vsim stopped $unit"; fi',
  'if [ -f "$sock.pid" ]; then',
  '  pid=$(cat "$sock.pid")',
  '  case $pid in ""|*[!0-9]*) ;; *)',
  '    if tr "\\0" " " <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "path=$sock"; then',
  '      kill -TERM "$pid" 2>/dev/null; i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done',
  '      echo "@@vsim killed $pid"',
  '    fi ;;',
  '  esac',
  'fi',
  'rm -f "$sock" "$sock.pid" "$sock.log"',
  'echo "@@vsim gone"',
].join('\n');

/** The fields plan/diff compares, from a vm.create body (the file's side) or vm.info's config (the host's). */
export function specFromConfig(cfg: Record<string, unknown>): VmSpec {
  const o = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? v as Record<string, unknown> : {});
  const s: VmSpec = {};
  const cpus = o(cfg.cpus);
  if (cpus.boot_vcpus !== undefined) s.vcpus = String(cpus.boot_vcpus);
  const size = o(cfg.memory).size;
  if (typeof size === 'number') s.memory = `${Math.round(size / 1048576)} MiB`;
  const payload = o(cfg.payload);
  for (const [field, key] of [['kernel', 'kernel'], ['initrd', 'initramfs'], ['cmdline', 'cmdline']] as const) {
    if (typeof payload[key] === 'string') s[field] = payload[key] as string;
  }
  (Array.isArray(cfg.disks) ? cfg.disks : []).forEach((d, i) => {
    if (typeof o(d).path === 'string') s[`disks[${i}].path`] = o(d).path as string;
  });
  (Array.isArray(cfg.net) ? cfg.net : []).forEach((n, i) => {
    if (typeof o(n).tap === 'string') s[`nics[${i}].tap`] = o(n).tap as string;
    if (typeof o(n).mac === 'string') s[`nics[${i}].mac`] = (o(n).mac as string).toLowerCase();
  });
  return s;
}

/**
 * The file's side: the vm.create body's fields. A NIC without `mac`/`tap` in the file declares
 * none (the VMM picks one), so nothing is compared for it; a VM without boot.kernel declares no
 * payload (provision then says why it cannot create it).
 */
export function declaredSpec(t: Topology, vm: string): VmSpec {
  const v = t.vms?.[vm];
  if (!v) throw new Error(`No VM ${JSON.stringify(vm)} in the topology`);
  if (v.boot) return specFromConfig(vmConfig(t, vm));
  const s = specFromConfig({ cpus: { boot_vcpus: v.vcpus ?? 1 }, memory: { size: memoryMiB(v.memory) * 1048576 } });
  (v.nics ?? []).forEach((n, i) => {
    if (n.tap) s[`nics[${i}].tap`] = n.tap;
    if (n.mac) s[`nics[${i}].mac`] = n.mac.toLowerCase();
  });
  return s;
}

/** One socket's vm.info answer as the plan sees it. */
export function inspectedFrom(a: ApiAnswer | undefined): InspectedVm {
  if (!a) return { exists: false, running: false, detail: 'no answer for its API socket' };
  if (a.kind === 'absent') return { exists: false, running: false, detail: 'no VMM: API socket absent' };
  if (a.kind === 'unreachable') return { exists: false, running: false, detail: `no VMM answers on the API socket${a.curlExit ? ` (curl exit ${a.curlExit})` : ''}` };
  if (a.status === 404) return { exists: false, running: false, detail: 'VMM up, VM not created' };
  if (a.status !== 200) return { exists: false, running: false, detail: `vm.info: HTTP ${a.status}: ${errorMessages(a.body).join(': ')}` };
  try {
    const info = JSON.parse(a.body ?? '') as { state?: string; config?: Record<string, unknown> };
    const state = info.state ?? 'unknown';
    return { exists: true, running: state === 'Running' || state === 'Paused', spec: specFromConfig(info.config ?? {}), detail: state };
  } catch {
    return { exists: true, running: false, detail: 'vm.info answered with something that is not JSON' };
  }
}

type Api = (ctx: BackendContext, vm: string, method: 'GET' | 'PUT', path: string, body?: unknown) => Promise<{ status: number; body: string }>;

const socketOf = (ctx: BackendContext, vm: string): string => {
  const p = ctx.topology.vms?.[vm]?.sockets?.api;
  if (!p) throw new Error(`${vm} on ${ctx.hostName}: the topology gives no sockets.api (cloud-hypervisor's --api-socket) for this VM`);
  return assertPath(p, `API socket of ${vm}`);
};

const sameSpec = (want: VmSpec, have: VmSpec | undefined): boolean => Object.entries(want).every(([k, v]) => have?.[k] === v);

export function createChProvisioner(api: Api): Provisioner {
  return {
    tools: ['cloud-hypervisor'],

    async inspect(ctx, vmNames) {
      const out: Record<string, InspectedVm> = {};
      const socks = new Map<string, string>();
      for (const n of vmNames) {
        const s = ctx.topology.vms?.[n]?.sockets?.api;
        if (s) socks.set(n, assertPath(s, `API socket of ${n}`));
        else out[n] = { exists: false, running: false, detail: 'no sockets.api in the topology' };
      }
      const unique = [...new Set(socks.values())];
      if (!unique.length) return out;
      const r = await mustRunScript(ctx, 'curl api script', API_SCRIPT, ['GET', 'vm.info', '', ...unique], { timeoutMs: 10_000 + 30_000 * unique.length });
      const answers = parseApiSections(r.stdout);
      for (const [n, s] of socks) out[n] = inspectedFrom(answers.get(s));
      return out;
    },

    declared: declaredSpec,

    async provision(ctx, vm) {
      const sock = socketOf(ctx, vm);
      const body = vmConfig(ctx.topology, vm);
      await mustRunScript(ctx, 'start cloud-hypervisor VMM', START_VMM_SCRIPT, [sock, vmmUnit(vm)], { timeoutMs: 30_000 });
      const info = await api(ctx, vm, 'GET', 'vm.info').then((r) => inspectedFrom({ kind: 'http', status: r.status, body: r.body }), (e: unknown) => {
        if (e instanceof CloudHypervisorApiError && e.status === 404) return undefined; // VMM up, no VM yet
        throw e;
      });
      if (info?.exists) {
        if (sameSpec(specFromConfig(body), info.spec)) return;
        if (info.running) {
          throw new Error(`${vm} on ${ctx.hostName} runs with another configuration; cloud-hypervisor cannot change a created VM in place: shut it down, then apply again (vm.delete + vm.create).`);
        }
        await api(ctx, vm, 'PUT', 'vm.delete');
      }
      await api(ctx, vm, 'PUT', 'vm.create', body);
    },

    async deprovision(ctx, vm) {
      await mustRunScript(ctx, 'stop cloud-hypervisor VMM', STOP_VMM_SCRIPT, [socketOf(ctx, vm), vmmUnit(vm)], { timeoutMs: 40_000 });
    },
  };
}
