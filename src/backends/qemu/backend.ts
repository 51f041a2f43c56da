// QEMU-with-sockets backend (seed 001, n3x): QEMU processes started by their own launcher (the
// topology's `start` argv, run by start.ts) with a monitor socket — QMP (`sockets.qmp`) or the text
// HMP monitor (`sockets.hmp`) — and a serial socket. State and lifecycle through the monitor over
// `socat` on the host (monitor.ts). Each socket serves ONE client: connect, ask, close, and say
// "busy" when someone else holds it. list: ONE round trip (a constant sh script asks every socket in
// turn). Pure (no vscode).
import { assertPath } from '../../model/names';
import { type BackendContext, type ConsoleOptions, type HostListing, type LifecycleOp, type VmBackend } from '../backend';
import { fileBootLog } from '../bootLog';
import { serialLogPath, socatConsoleArgv } from '../serialSocket';
import { monitorCommand, monitorStatusesProbe } from './monitor';
import { runProbe, type Probe } from '../probe';
import { createQemuProvisioner, startQemu } from './start';

export { MonitorError, monitorOf } from './monitor';

/** Every VM's monitor asked `query-status`, in one run of the monitor script. */
function listProbe(ctx: BackendContext, vmNames: readonly string[]): Probe<HostListing> {
  const p = monitorStatusesProbe(ctx, vmNames);
  return { ...p, parse: (r) => ({ vms: p.parse(r), undeclared: [] }) };
}

export function createQemuBackend(): VmBackend & {
  console(ctx: BackendContext, vmName: string, opts?: ConsoleOptions): { argv: string[]; pty: boolean };
} {
  return {
    kind: 'qemu',
    tool: 'socat',
    provisioner: createQemuProvisioner(),

    list: async (ctx, vmNames) => runProbe(ctx, listProbe(ctx, vmNames)),
    listProbe,

    async lifecycle(ctx, vm, op: LifecycleOp) {
      switch (op) {
        // The declared launcher (vms.NAME.start), detached; running once the monitor accepts a client.
        case 'start': await startQemu(ctx, vm); return;
        case 'shutdown': await monitorCommand(ctx, vm, 'system_powerdown'); return;
        case 'destroy': await monitorCommand(ctx, vm, 'quit'); return;
        case 'reboot': await monitorCommand(ctx, vm, 'system_reset'); return;
        case 'suspend': await monitorCommand(ctx, vm, 'stop'); return;
        case 'resume': await monitorCommand(ctx, vm, 'cont'); return;
      }
    },

    /** The serial socket, raw, in a pty; a busy socket says who holds it, `force` takes it over (serialSocket.ts). */
    console: serialSocketConsole,
    consoleOptions: { force: true },
    /** The serial chardev's logfile= beside its socket (serial.sock → serial.log), as the sandbox's launcher and n3x's seed set it. */
    bootLog: (ctx, vm) => fileBootLog(serialLogPath(serialSocketOf(ctx, vm)), 'the serial chardev\'s logfile='),
  };
}

/** The serial unix socket (sockets.serial, else console.path), raw in a pty: qemu and cloud-hypervisor. */
export function serialSocketConsole(ctx: BackendContext, vmName: string, opts: ConsoleOptions = {}): { argv: string[]; pty: boolean } {
  return { argv: socatConsoleArgv(serialSocketOf(ctx, vmName), opts.force === true), pty: true };
}

/** The serial socket path of a qemu / cloud-hypervisor VM (sockets.serial, else console.path), checked. */
export function serialSocketOf(ctx: BackendContext, vmName: string): string {
  const vm = ctx.topology.vms?.[vmName];
  const p = vm?.sockets?.serial ?? vm?.console?.path;
  if (!p) throw new Error(`${vmName} has no sockets.serial (or console.path) in the topology: no serial console to attach to.`);
  return assertPath(p, `serial socket of ${vmName}`);
}
