// QEMU-with-sockets backend (seed 001, n3x): QEMU processes started by their own launcher (the
// topology's `start` argv, run by start.ts) with a QMP socket and a serial socket (paths in the
// topology's `sockets`). State and lifecycle through QMP over `socat` on the host. Each socket
// serves ONE client: connect, ask, close, and say "busy" when someone else holds it. list: ONE round trip (a constant sh script asks every socket in
// turn). Pure (no vscode).
import { assertPath } from '../../model/names';
import { type BackendContext, type LifecycleOp, type VmBackend, type VmState, type VmStatus } from '../backend';
import { mustRunScript, splitSections } from '../script';
import { createQemuProvisioner, startQemu } from './start';

/**
 * `qmp SOCK WANT CMD…`: sends each CMD (one JSON per line) and keeps the write side open until WANT
 * answers (`{"return"…` / `{"error"…`) arrived — QEMU drops queued commands when a client
 * half-closes — then closes. No greeting within ~1 s: another client holds the socket.
 * Per socket: `@@vsim sock PATH`, then `@@vsim absent` or QEMU's lines + `@@vsim rc N`.
 */
export const QMP_SCRIPT = [
  'qmp() {',
  '  s=$1; want=$2; shift 2',
  '  out=$(mktemp) || return 1',
  '  { i=0; while [ $i -lt 50 ] && ! grep -q "^{\\"QMP\\"" "$out" && ! grep -q -i "refused\\|no such file" "$out"; do sleep 0.02; i=$((i+1)); done',
  '    if grep -q "^{\\"QMP\\"" "$out"; then',
  '      for c do printf "%s\\n" "$c"; done',
  '      i=0; while [ $i -lt 250 ] && [ "$(grep -c "^{\\"\\(return\\|error\\)\\"" "$out")" -lt "$want" ]; do sleep 0.02; i=$((i+1)); done',
  '    fi',
  '  } | socat -t 0.2 - "UNIX-CONNECT:$s" >"$out" 2>&1',
  '  rc=$?; cat "$out"; rm -f "$out"; return $rc',
  '}',
  'cmd=$1; shift',
  'for s do',
  '  echo "@@vsim sock $s"',
  '  if [ -S "$s" ]; then',
  '    if [ "$cmd" = query-status ]; then qmp "$s" 2 \'{"execute":"qmp_capabilities"}\' \'{"execute":"query-status"}\'',
  '    else qmp "$s" 2 \'{"execute":"qmp_capabilities"}\' "{\\"execute\\":\\"$cmd\\"}"; fi',
  '    echo "@@vsim rc $?"',
  '  else echo "@@vsim absent"; fi',
  'done',
].join('\n');

const QMP_COMMANDS = new Set(['query-status', 'system_powerdown', 'system_reset', 'quit', 'stop', 'cont']);

export interface QmpReply {
  greeting: boolean;
  /** `return` values in order (qmp_capabilities' first). */
  returns: unknown[];
  errors: { class: string; desc: string }[];
  events: string[];
  /** Non-JSON lines (socat's complaints). */
  other: string[];
}

export function parseQmpLines(text: string): QmpReply {
  const r: QmpReply = { greeting: false, returns: [], errors: [], events: [], other: [] };
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    let j: Record<string, unknown>;
    try {
      j = JSON.parse(t) as Record<string, unknown>;
    } catch {
      r.other.push(t);
      continue;
    }
    if ('QMP' in j) r.greeting = true;
    else if ('return' in j) r.returns.push(j.return);
    else if ('error' in j) {
      const e = j.error as { class?: string; desc?: string };
      r.errors.push({ class: e.class ?? 'GenericError', desc: e.desc ?? t });
    } else if ('event' in j) r.events.push(String(j.event));
  }
  return r;
}

// QMP RunState → portable state.
const RUN_STATES: Record<string, VmState> = {
  running: 'running', paused: 'paused', suspended: 'paused', prelaunch: 'starting', inmigrate: 'starting',
  'finish-migrate': 'paused', postmigrate: 'paused', 'restore-vm': 'starting', 'save-vm': 'paused',
  debug: 'paused', watchdog: 'paused', 'io-error': 'paused', colo: 'running',
  shutdown: 'stopped', 'guest-panicked': 'crashed', 'internal-error': 'crashed',
};

/** What one socket's answer says about its VM. */
export function qmpStatus(kind: 'absent' | 'answered', text: string): VmStatus {
  if (kind === 'absent') return { state: 'stopped', detail: 'no QMP socket (QEMU not running)' };
  const r = parseQmpLines(text);
  if (!r.greeting) {
    if (r.other.some((l) => /refused|no such file/i.test(l))) return { state: 'stopped', detail: 'QMP socket stale (QEMU not running)' };
    return { state: 'unknown', detail: 'QMP socket busy (another client is connected; QMP serves one at a time)' };
  }
  if (r.errors.length) return { state: 'unknown', detail: `QMP error: ${r.errors[0]?.desc}` };
  const st = r.returns[1] as { status?: string } | undefined;
  if (!st?.status) return { state: 'unknown', detail: 'no answer to query-status' };
  return { state: RUN_STATES[st.status] ?? 'unknown', detail: st.status };
}

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
