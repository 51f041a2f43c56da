// A qemu VM's monitor as the topology declares it (`sockets.qmp`: JSON QMP, `sockets.hmp`: the text
// HMP monitor; QMP when both), asked in ONE round trip for a listing (MONITOR_SCRIPT over every
// socket), and one command sent to one VM. Each socket serves one client: connect, ask, close.
// Pure (no vscode).
import { assertPath } from '../../model/names';
import type { Topology } from '../../model/types';
import type { BackendContext, VmStatus } from '../backend';
import { scriptProbe, splitSections } from '../script';
import { runProbe, type Probe } from '../probe';
import { HMP_COMMANDS, hmpStatus, parseHmpTranscript } from './hmpProtocol';
import { MONITOR_SCRIPT, parseQmpLines, QMP_COMMANDS, qmpStatus } from './qmpScript';

export type MonitorProtocol = 'qmp' | 'hmp';

export interface Monitor {
  protocol: MonitorProtocol;
  path: string;
}

/** The monitor vsim talks to: `sockets.qmp`, else `sockets.hmp`; undefined when neither is given. */
export function monitorOf(t: Topology, vm: string): Monitor | undefined {
  const s = t.vms?.[vm]?.sockets;
  if (s?.qmp) return { protocol: 'qmp', path: assertPath(s.qmp, `QMP socket of ${vm}`) };
  if (s?.hmp) return { protocol: 'hmp', path: assertPath(s.hmp, `HMP monitor socket of ${vm}`) };
  return undefined;
}

export const NO_MONITOR = 'no monitor socket in the topology (sockets.qmp or sockets.hmp)';

/** A monitor command that could not be delivered or that QEMU refused. */
export class MonitorError extends Error {
  constructor(readonly host: string, readonly vm: string, readonly command: string, reason: string, readonly protocol: MonitorProtocol = 'qmp') {
    super(`${protocol.toUpperCase()} ${command} for ${vm} on ${host} failed: ${reason}`);
  }
}

function monitorArgs(command: string, monitors: readonly Monitor[]): string[] {
  const line = HMP_COMMANDS[command];
  if (!QMP_COMMANDS.has(command) || !line) throw new Error(`monitor command ${command} is not allowed here`);
  return [command, line, ...monitors.flatMap((m) => [m.protocol, m.path])];
}

interface Answer {
  monitor: Monitor;
  absent: boolean;
  body: string;
}

/** The monitor script asking `command` of each monitor in turn, as a probe of its answers. */
function askProbe(ctx: BackendContext, command: string, monitors: readonly Monitor[], timeoutMs: number): Probe<Answer[]> {
  return scriptProbe(ctx, 'monitor script', MONITOR_SCRIPT, monitorArgs(command, monitors), (r) => {
    const secs = splitSections(r.stdout);
    const out: Answer[] = [];
    secs.forEach((s, i) => {
      if (s.kind !== 'qmp' && s.kind !== 'hmp') return;
      out.push({ monitor: { protocol: s.kind, path: s.arg }, absent: secs[i + 1]?.kind === 'absent', body: s.body });
    });
    return out;
  }, { timeoutMs });
}

/**
 * The run state of each VM by its monitor, in one round trip whatever their number. VMs without a
 * monitor get `unknown` with the reason; `facts` name the socket (`qmp` / `hmp`).
 */
export function monitorStatusesProbe(ctx: BackendContext, vmNames: readonly string[]): Probe<Record<string, VmStatus>> {
  const vms: Record<string, VmStatus> = {};
  const byKey = new Map<string, { monitor: Monitor; vms: string[] }>();
  for (const n of vmNames) {
    const m = monitorOf(ctx.topology, n);
    if (!m) {
      vms[n] = { state: 'unknown', detail: NO_MONITOR };
      continue;
    }
    const key = `${m.protocol} ${m.path}`;
    const e = byKey.get(key) ?? { monitor: m, vms: [] };
    e.vms.push(n);
    byKey.set(key, e);
  }
  if (!byKey.size) return { label: 'qemu listing', parse: () => vms };
  const monitors = [...byKey.values()].map((e) => e.monitor);
  const ask = askProbe(ctx, 'query-status', monitors, 10_000 + 6_000 * monitors.length);
  return {
    ...ask,
    parse(r) {
      for (const a of ask.parse(r)) {
        const kind = a.absent ? 'absent' : 'answered';
        const st = a.monitor.protocol === 'hmp' ? hmpStatus(kind, a.body) : qmpStatus(kind, a.body);
        for (const n of byKey.get(`${a.monitor.protocol} ${a.monitor.path}`)?.vms ?? []) vms[n] = { ...st, facts: { [a.monitor.protocol]: a.monitor.path } };
      }
      for (const n of vmNames) vms[n] ??= { state: 'unknown', detail: 'no answer for its monitor socket' };
      return vms;
    },
  };
}

export function monitorStatuses(ctx: BackendContext, vmNames: readonly string[]): Promise<Record<string, VmStatus>> {
  return runProbe(ctx, monitorStatusesProbe(ctx, vmNames));
}

/** Sends one command (a QMP name from QMP_COMMANDS) to the VM's monitor; throws MonitorError with QEMU's reason. */
export async function monitorCommand(ctx: BackendContext, vm: string, command: string): Promise<void> {
  const m = monitorOf(ctx.topology, vm);
  if (!m) throw new MonitorError(ctx.hostName, vm, command, `the topology gives ${NO_MONITOR} for this VM`);
  const fail = (reason: string): MonitorError => new MonitorError(ctx.hostName, vm, command, reason, m.protocol);
  const [a] = await runProbe(ctx, askProbe(ctx, command, [m], 15_000));
  if (!a) throw fail('no answer from the monitor script');
  if (a.absent) throw fail(`no socket ${m.path} (QEMU not running)`);
  if (m.protocol === 'hmp') {
    const t = parseHmpTranscript(a.body);
    if (!t.greeted) throw fail(hmpStatus('answered', a.body).detail ?? 'no HMP prompt');
    const reply = t.replies[0];
    // `quit` closes the connection before a prompt; the other commands answer with an empty line.
    if (reply === undefined && command !== 'quit') throw fail('no answer from QEMU');
    if (reply) throw fail(reply.split('\n').slice(0, 3).join('; '));
    return;
  }
  const reply = parseQmpLines(a.body);
  if (!reply.greeting) throw fail(qmpStatus('answered', a.body).detail ?? 'no QMP greeting');
  if (reply.errors.length) throw fail(reply.errors.map((e) => `${e.class}: ${e.desc}`).join('; '));
  if (reply.returns.length < 2 && command !== 'quit') throw fail('no answer from QEMU');
}
