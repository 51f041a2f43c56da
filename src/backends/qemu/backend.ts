// QEMU-with-sockets backend (seed 001, n3x): QEMU processes started by their own launcher (the
// topology's `start` argv, run by start.ts) with a monitor socket — QMP (`sockets.qmp`) or the text
// HMP monitor (`sockets.hmp`) — and a serial socket. State and lifecycle through the monitor over
// `socat` on the host (monitor.ts). Each socket serves ONE client: connect, ask, close, and say
// "busy" when someone else holds it. list: ONE round trip (a constant sh script asks every socket in
// turn). Pure (no vscode).
import { assertPath } from '../../model/names';
import { type BackendContext, type LifecycleOp, type VmBackend } from '../backend';
import { socatConsoleArgv } from '../serialSocket';
import { monitorCommand, monitorStatuses } from './monitor';
import { createQemuProvisioner, startQemu } from './start';

export { MonitorError, monitorOf } from './monitor';

export function createQemuBackend(): VmBackend & {
  console(ctx: BackendContext, vmName: string): { argv: string[]; pty: boolean };
} {
  return {
    kind: 'qemu',
    tool: 'socat',
    provisioner: createQemuProvisioner(),

    async list(ctx, vmNames) {
      return { vms: await monitorStatuses(ctx, vmNames), undeclared: [] };
    },

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

    /** The serial socket, raw, in a pty. A busy socket (another client) shows nothing: see CONSOLE_BUSY_HINT. */
    console: serialSocketConsole,
  };
}

/** The serial unix socket (sockets.serial, else console.path), raw in a pty: qemu and cloud-hypervisor. */
export function serialSocketConsole(ctx: BackendContext, vmName: string): { argv: string[]; pty: boolean } {
  const vm = ctx.topology.vms?.[vmName];
  const p = vm?.sockets?.serial ?? vm?.console?.path;
  if (!p) throw new Error(`${vmName} has no sockets.serial (or console.path) in the topology: no serial console to attach to.`);
  return { argv: socatConsoleArgv(assertPath(p, `serial socket of ${vmName}`)), pty: true };
}
