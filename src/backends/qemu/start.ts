// Starting an n3x-style QEMU VM: its declared launcher (`vms.NAME.start.argv`, e.g.
// `nix run .#emulation-vm-bg`) run detached on the host (setsid, output to NAME.start.log next to
// its monitor socket), then recognised as running by its monitor socket (QMP or HMP). The argv reaches the remote sh
// only as "$@" of a constant script (never a shell string). And the qemu Provisioner: there is
// nothing to define for a QEMU started by its own launcher. Pure (no vscode).
import * as path from 'node:path';
import { assertName, assertPath } from '../../model/names';
import type { StartCommand, Topology } from '../../model/types';
import type { BackendContext, InspectedVm, Provisioner } from '../backend';
import { mustRunScript, splitSections } from '../script';
import { monitorOf, monitorStatuses, NO_MONITOR } from './monitor';

/**
 * $1 = log file, $2 = cwd ('' = login directory), $3 = monitor socket, $4 = seconds to wait, then the
 * launcher's argv. Does nothing when the socket already accepts a client (`@@vsim already`).
 * Launches detached, then waits until the socket accepts a client (`@@vsim socket`), the launcher
 * fails (exit 1, its log's tail on stderr) or the time is up (`@@vsim still-starting`: a long
 * `nix run` build; the refresh shows when the monitor answers).
 */
export const START_SCRIPT = [
  'log=$1; cwd=$2; mon=$3; wait_s=$4; shift 4',
  'up() { [ -S "$mon" ] && socat -u OPEN:/dev/null "UNIX-CONNECT:$mon" >/dev/null 2>&1; }',
  'if up; then echo "@@vsim already"; exit 0; fi',
  'if [ -n "$cwd" ]; then cd "$cwd" || exit 1; fi',
  'command -v "$1" >/dev/null 2>&1 || { echo "$1: not found on this host (start.argv[0])" >&2; exit 127; }',
  'mkdir -p "$(dirname "$log")" || exit 1',
  'setsid "$@" >"$log" 2>&1 </dev/null &',
  'pid=$!; echo "@@vsim pid $pid"',
  'i=0; n=$((wait_s * 10))',
  'while [ $i -lt $n ]; do',
  '  if up; then echo "@@vsim socket"; exit 0; fi',
  '  if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then',
  '    wait "$pid"; rc=$?; pid=',
  '    if [ $rc -ne 0 ]; then echo "the start command exited with $rc; last lines of $log:" >&2; tail -n 20 "$log" >&2; exit 1; fi',
  '  fi',
  '  sleep 0.1; i=$((i+1))',
  'done',
  'echo "@@vsim still-starting"',
].join('\n');

export const START_WAIT_S = 60;

/** Where a VM's launcher output goes: NAME.start.log next to its monitor socket. */
export function startLogPath(t: Topology, vm: string): string {
  const m = monitorOf(t, vm);
  if (!m) throw new Error(`qemu VM ${vm}: ${NO_MONITOR}`);
  return path.posix.join(path.posix.dirname(m.path), `${assertName(vm, 'VM name')}.start.log`);
}

/** The declared start command, validated again (the schema's rules) before it runs. */
export function startCommand(t: Topology, vm: string): StartCommand | undefined {
  const s = t.vms?.[vm]?.start;
  if (!s) return undefined;
  if (!Array.isArray(s.argv) || !s.argv.length || s.argv.some((a) => typeof a !== 'string' || !a || /[\n\r\0]/.test(a))) {
    throw new Error(`VM ${vm}: start.argv must be a non-empty list of strings without newlines`);
  }
  return { argv: [...s.argv], ...(s.cwd ? { cwd: assertPath(s.cwd, `start.cwd of ${vm}`) } : {}) };
}

export const NO_START_COMMAND = 'no start command in the topology: add `start: { argv: [...] }` (e.g. [nix, run, .#emulation-vm-bg]) to let vsim start it';

/** Runs the launcher; resolves with what the script saw ('already' | 'socket' | 'still-starting'). */
export async function startQemu(ctx: BackendContext, vm: string, waitS = START_WAIT_S): Promise<string> {
  const cmd = startCommand(ctx.topology, vm);
  if (!cmd) throw new Error(`${vm} on ${ctx.hostName}: ${NO_START_COMMAND}.`);
  const m = monitorOf(ctx.topology, vm);
  if (!m) throw new Error(`${vm} on ${ctx.hostName}: ${NO_MONITOR}.`);
  const r = await mustRunScript(ctx, `start ${vm}: ${cmd.argv.join(' ')}`, START_SCRIPT,
    [startLogPath(ctx.topology, vm), cmd.cwd ?? '', m.path, String(waitS), ...cmd.argv], { timeoutMs: (waitS + 30) * 1000 });
  const last = splitSections(r.stdout).map((s) => s.kind).filter((k) => k !== 'pid').pop();
  return last ?? 'unknown';
}

/**
 * qemu bring-up: nothing is defined on the host (the launcher makes QEMU with its sockets), so
 * provision and deprovision define nothing. inspect: `exists` = the file declares a start command
 * (vsim can make it run) or the monitor answers; `running` = the monitor answers with a
 * running/paused status; no spec (the monitor does not give back the launcher's configuration).
 */
export function createQemuProvisioner(): Provisioner {
  return {
    tools: ['socat'],
    async inspect(ctx, vmNames) {
      const out: Record<string, InspectedVm> = {};
      const asked = vmNames.filter((n) => monitorOf(ctx.topology, n));
      for (const n of vmNames) if (!asked.includes(n)) out[n] = { exists: false, running: false, detail: NO_MONITOR };
      if (!asked.length) return out;
      const statuses = await monitorStatuses(ctx, asked);
      for (const n of asked) {
        const st = statuses[n] ?? { state: 'unknown' };
        const running = st.state === 'running' || st.state === 'paused';
        const declared = !!ctx.topology.vms?.[n]?.start;
        out[n] = { exists: declared || running, running, detail: declared || running ? st.detail ?? st.state : `${st.detail ?? st.state}; ${NO_START_COMMAND}` };
      }
      return out;
    },
    declared: () => ({}),
    async provision(ctx, vm) {
      if (!startCommand(ctx.topology, vm)) throw new Error(`${vm} on ${ctx.hostName}: vsim cannot make this QEMU VM: ${NO_START_COMMAND}.`);
    },
    async deprovision() {
      // Nothing was defined: the VM is gone once its QEMU stopped (the caller stopped it).
    },
  };
}
