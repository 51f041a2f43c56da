// QEMU-with-sockets backend (seed 001, n3x): QEMU processes started by their own launcher (the
// topology's `start` argv, run by start.ts) with a QMP socket and a serial socket (paths in the
// topology's `sockets`). State and lifecycle through QMP over `socat` on the host. Each socket
// serves ONE client: connect, ask, close, and say "busy" when someone else holds it. list: ONE round trip (a constant sh script asks every socket in
// turn). Pure (no vscode).
import { assertPath } from '../../model/names';
import { type BackendContext, type LifecycleOp, type VmBackend, type VmStatus } from '../backend';
import { mustRunScript, splitSections } from '../script';
import { parseQmpLines, QMP_COMMANDS, QMP_SCRIPT, qmpStatus, type QmpReply } from './qmpScript';
import { createQemuProvisioner, startQemu } from './start';

export { parseQmpLines, QMP_SCRIPT, qmpStatus, type QmpReply } from './qmpScript';


/** A QMP command that could not be delivered or that QEMU refused. */
export class QmpError extends Error {
  constructor(readonly host: string, readonly vm: string, readonly command: string, reason: string) {
    super(`QMP ${command} for ${vm} on ${host} failed: ${reason}`);
  }
}

function qmpSocket(ctx: BackendContext, vm: string): string | undefined {
  const p = ctx.topology.vms?.[vm]?.sockets?.qmp;
  return p === undefined ? undefined : assertPath(p, `QMP socket of ${vm}`);
}

export function createQemuBackend(): VmBackend & {
  console(ctx: BackendContext, vmName: string): { argv: string[]; pty: boolean };
  qmp(ctx: BackendContext, vmName: string, command: string): Promise<QmpReply>;
} {
  async function qmp(ctx: BackendContext, vm: string, command: string): Promise<QmpReply> {
    if (!QMP_COMMANDS.has(command)) throw new Error(`QMP command ${command} is not allowed here`);
    const sock = qmpSocket(ctx, vm);
    if (!sock) throw new QmpError(ctx.hostName, vm, command, 'the topology gives no sockets.qmp for this VM');
    const r = await mustRunScript(ctx, 'qmp script', QMP_SCRIPT, [command, sock], { timeoutMs: 15_000 });
    const secs = splitSections(r.stdout);
    if (secs.some((s) => s.kind === 'absent')) throw new QmpError(ctx.hostName, vm, command, `no socket ${sock} (QEMU not running)`);
    const body = secs.find((s) => s.kind === 'sock')?.body ?? '';
    const reply = parseQmpLines(body);
    if (!reply.greeting) {
      const st = qmpStatus('answered', body);
      throw new QmpError(ctx.hostName, vm, command, st.detail ?? 'no QMP greeting');
    }
    if (reply.errors.length) throw new QmpError(ctx.hostName, vm, command, reply.errors.map((e) => `${e.class}: ${e.desc}`).join('; '));
    if (reply.returns.length < 2 && command !== 'quit') throw new QmpError(ctx.hostName, vm, command, 'no answer from QEMU');
    return reply;
  }

  return {
    kind: 'qemu',
    tool: 'socat',
    provisioner: createQemuProvisioner(),

    async list(ctx, vmNames) {
      const vms: Record<string, VmStatus> = {};
      const socks: string[] = [];
      const bySock = new Map<string, string[]>();
      for (const n of vmNames) {
        const s = qmpSocket(ctx, n);
        if (!s) {
          vms[n] = { state: 'unknown', detail: 'no sockets.qmp in the topology' };
          continue;
        }
        if (!bySock.has(s)) socks.push(s);
        bySock.set(s, [...(bySock.get(s) ?? []), n]);
      }
      if (socks.length) {
        const r = await mustRunScript(ctx, 'qmp script', QMP_SCRIPT, ['query-status', ...socks], { timeoutMs: 10_000 + 6_000 * socks.length });
        const secs = splitSections(r.stdout);
        for (let i = 0; i < secs.length; i++) {
          const s = secs[i];
          if (s?.kind !== 'sock') continue;
          const next = secs[i + 1];
          const st = next?.kind === 'absent' ? qmpStatus('absent', '') : qmpStatus('answered', s.body);
          for (const n of bySock.get(s.arg) ?? []) vms[n] = { ...st, facts: { qmp: s.arg } };
        }
        for (const n of vmNames) vms[n] ??= { state: 'unknown', detail: 'no answer for its QMP socket' };
      }
      return { vms, undeclared: [] };
    },

    async lifecycle(ctx, vm, op: LifecycleOp) {
      switch (op) {
        // The declared launcher (vms.NAME.start), detached; running once QMP accepts a client.
        case 'start': await startQemu(ctx, vm); return;
        case 'shutdown': await qmp(ctx, vm, 'system_powerdown'); return;
        case 'destroy': await qmp(ctx, vm, 'quit'); return;
        case 'reboot': await qmp(ctx, vm, 'system_reset'); return;
        case 'suspend': await qmp(ctx, vm, 'stop'); return;
        case 'resume': await qmp(ctx, vm, 'cont'); return;
      }
    },

    /** The serial socket, raw, in a pty. A busy socket (another client) shows nothing: see CONSOLE_BUSY_HINT. */
    console: serialSocketConsole,

    qmp,
  };
}

/** The serial unix socket (sockets.serial, else console.path), raw in a pty: qemu and cloud-hypervisor. */
export function serialSocketConsole(ctx: BackendContext, vmName: string): { argv: string[]; pty: boolean } {
  const vm = ctx.topology.vms?.[vmName];
  const p = vm?.sockets?.serial ?? vm?.console?.path;
  if (!p) throw new Error(`${vmName} has no sockets.serial (or console.path) in the topology: no serial console to attach to.`);
  // raw, no local echo: the guest's tty echoes; one client at a time (QEMU serves the first).
  return { argv: ['socat', '-,raw,echo=0', `UNIX-CONNECT:${assertPath(p, `serial socket of ${vmName}`)}`], pty: true };
}

/** Shown when the serial console stays silent: QEMU's socket chardev serves one client at a time. */
export const CONSOLE_BUSY_HINT = 'No output yet: if another client (a second vsim window, a socat) is connected to the serial socket, QEMU serves it first and this console stays silent.';
