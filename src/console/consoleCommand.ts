// The remote command of a VM's serial console: the backend's own console() when it has one, else
// the same recipes here (libvirt `virsh console` with a pty, QEMU/cloud-hypervisor serial unix
// socket through socat, microvm.nix the unit's journal). Pure (no vscode).
import type { BackendContext, VmBackend } from '../backends/backend';
import * as virsh from '../backends/libvirt/renderVirsh';
import type { Vm } from '../model/types';
import type { ConsoleBehaviour } from './remoteTerminal';

/** The remote program of a console and how it behaves. */
export interface ConsoleCommand extends ConsoleBehaviour {
  argv: string[];
}

export const VIRSH_DETACH = '\x1d';
/** virsh's banner line, printed right before it switches the tty to raw mode and attaches. */
export const VIRSH_READY = /^Escape character is /;

type ConsoleFn = (ctx: BackendContext, vmName: string, opts?: { force?: boolean }) => { argv: string[]; pty: boolean };

function describe(argv: string[], pty: boolean, force: boolean): ConsoleCommand {
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
    canForce: isVirsh,
    readOnly,
    ...(isVirsh ? { detach: VIRSH_DETACH, detachHint: 'Ctrl-]', readyLine: VIRSH_READY } : {}),
  };
}

/** The console command of `vmName` (force: take over a busy libvirt console). Throws when the VM has none. */
export function consoleCommand(ctx: BackendContext, vmName: string, vm: Vm, backend: VmBackend | undefined, force = false): ConsoleCommand {
  if (vm.console?.kind === 'none') throw new Error(`${vmName} has no console (console.kind: none in the topology).`);
  if (backend?.console) {
    const c = (backend.console as ConsoleFn)(ctx, vmName, { force });
    return describe(c.argv, c.pty, force);
  }
  switch (vm.backend) {
    case 'libvirt':
      return describe(virsh.console(ctx.host.libvirtUri ?? virsh.DEFAULT_URI, vmName, { force }), true, force);
    case 'qemu':
    case 'cloud-hypervisor': {
      const sock = vm.sockets?.serial ?? vm.console?.path;
      if (!sock) throw new Error(`${vmName} has no sockets.serial (or console.path) in the topology: no serial console to attach to.`);
      // raw, no local echo: the guest's tty echoes; one client at a time (QEMU serves the first).
      return describe(['socat', '-,raw,echo=0', `UNIX-CONNECT:${sock}`], true, false);
    }
    case 'microvm':
      return describe(['journalctl', '-f', '-n', '200', '--no-pager', '-o', 'cat', '-u', `microvm@${vmName}`], false, false);
    default:
      throw new Error(`No console for backend ${String(vm.backend)} (VM ${vmName}).`);
  }
}
