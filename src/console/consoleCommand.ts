// The remote command of a VM's serial console, from its backend's console capability (libvirt
// `virsh console` with a pty, QEMU/cloud-hypervisor serial unix socket through socat, microvm.nix
// the unit's journal), plus what the console session needs to know about it (detach key, ready
// line, read-only, force). Pure (no vscode).
import type { BackendContext, VmBackend } from '../backends/backend';
import type { Vm } from '../model/types';
import { buildCommand } from '../remote/quote';
import type { ConsoleBehaviour } from './remoteTerminal';

/** The remote program of a console and how it behaves. */
export interface ConsoleCommand extends ConsoleBehaviour {
  argv: string[];
}

/**
 * The command as messages show it: a constant `sh -c SCRIPT NAME ARGS` as `NAME ARGS` (the script
 * is vsim's own and long; its name and arguments say what it attaches to), anything else quoted.
 */
export function displayCommand(argv: readonly string[]): string {
  if (argv[0] === 'sh' && argv[1] === '-c' && argv.length > 3 && /^vsim-/.test(argv[3]!)) return buildCommand(argv.slice(3));
  return buildCommand(argv);
}

export const VIRSH_DETACH = '\x1d';
/** virsh's banner line, printed right before it switches the tty to raw mode and attaches. */
export const VIRSH_READY = /^Escape character is /;

function describe(argv: string[], pty: boolean, force: boolean, canForce: boolean): ConsoleCommand {
  const isVirsh = argv[0] === 'virsh' && argv.includes('console');
  // Without -q virsh prints "Connected to domain … / Escape character is ^]" before attaching: that
  // banner is the only sign that typed input will not be flushed away; the noise filter drops it.
  if (isVirsh) {
    const at = argv.indexOf('console');
    argv = argv.filter((a, i) => a !== '-q' || i > at);
  }
  if (isVirsh && force && !argv.includes('--force')) argv = [...argv.slice(0, argv.indexOf('console') + 1), '--force', ...argv.slice(argv.indexOf('console') + 1)];
  const readOnly = argv[0] === 'journalctl';
  return {
    argv,
    pty,
    canForce,
    readOnly,
    ...(isVirsh ? { detach: VIRSH_DETACH, detachHint: 'Ctrl-]', readyLine: VIRSH_READY } : {}),
  };
}

/**
 * The console command of `vmName`, from its backend's console capability (force: take over a busy
 * console where the backend's consoleOptions allow it). `vm`: the file's entry, absent for a VM the
 * file does not declare (its backend drives it by name). Throws when the VM or its backend has none.
 */
export function consoleCommand(ctx: BackendContext, vmName: string, vm: Vm | undefined, backend: VmBackend | undefined, force = false): ConsoleCommand {
  if (vm?.console?.kind === 'none') throw new Error(`${vmName} has no console (console.kind: none in the topology).`);
  if (!backend?.console) throw new Error(`No console for backend ${String(vm?.backend ?? backend?.kind)} (VM ${vmName}).`);
  const canForce = backend.consoleOptions?.force === true;
  const c = backend.console(ctx, vmName, canForce && force ? { force: true } : {});
  return describe(c.argv, c.pty, canForce && force, canForce);
}

/** The followed, read-only log of `vmName` ("Show Log"), from its backend's followLog capability. */
export function logCommand(ctx: BackendContext, vmName: string, vm: Vm | undefined, backend: VmBackend | undefined): ConsoleCommand {
  if (!backend?.followLog) throw new Error(`No log to follow for backend ${String(vm?.backend ?? backend?.kind)} (VM ${vmName}); its console shows what it prints.`);
  const c = backend.followLog(ctx, vmName);
  return { ...describe(c.argv, c.pty, false, false), readOnly: true };
}
