// The host health probe: ONE command per host and refresh, inside the refresh's one round trip
// (src/backends/batch.ts), for every watched unit (`systemctl show` of all of them) and, on
// microvm hosts, the ZFS pools (`zpool status -x`).
// A host without systemd (PID 1 is something else) or without zpool gets the section as
// "not on this host" with the reason, never an error. Pure: runs through a CommandRunner.
import type { BackendContext } from '../backends/backend';
import { parseSystemdTimestamp } from '../backends/microvm/parseSystemctl';
import { shScript, splitSections, type Section } from '../backends/script';
import { runProbe, type Probe } from '../backends/probe';
import { assertUnit, hostUnits, isMicrovmHost, type WatchedUnit } from '../model/services';
import type { HostHealth, ServicesState, ServiceStatus, ZfsState } from './hostHealth';

export const SHOW_PROPERTIES = ['Id', 'Description', 'LoadState', 'ActiveState', 'SubState', 'Result', 'MainPID', 'StateChangeTimestamp'] as const;

// $1 = 1 to ask zpool, then the unit names. Sections: units (or units-absent), units-rc, zfs (or zfs-absent), zfs-rc.
export const PROBE_SCRIPT = [
  'z=$1; shift',
  'echo "@@vsim units"',
  `if command -v systemctl >/dev/null 2>&1; then systemctl show --timestamp=unix -p ${SHOW_PROPERTIES.join(',')} -- "$@" 2>&1; echo "@@vsim units-rc $?"; else echo "@@vsim units-absent"; fi`,
  'if [ "$z" = 1 ]; then',
  '  echo "@@vsim zfs"',
  '  if command -v zpool >/dev/null 2>&1; then zpool status -x 2>&1; echo "@@vsim zfs-rc $?"; else echo "@@vsim zfs-absent"; fi',
  'fi',
].join('\n');

/** The argv of the probe for these units (names checked: one argv word each). */
export function probeArgv(units: readonly WatchedUnit[], zfs: boolean): string[] {
  return shScript(PROBE_SCRIPT, [zfs ? '1' : '0', ...units.map((u) => assertUnit(u.unit))]);
}

/** Blocks of `systemctl show` in the order of the units asked for (systemd prints one per argument, blank-line separated). */
export function parseShowBlocks(text: string): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const block of text.split(/\n[ \t]*\n/)) {
    const props: Record<string, string> = {};
    for (const line of block.split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0 && /^[A-Za-z]+$/.test(line.slice(0, eq))) props[line.slice(0, eq)] = line.slice(eq + 1);
    }
    if (props.Id !== undefined) out.push(props);
  }
  return out;
}

/** What systemctl prints when systemd is not PID 1 (a container, a machine with another init). */
const NO_SYSTEMD = /not been booted with systemd|Failed to connect to bus|System has not been booted|Host is down/;

const firstLine = (s: string): string => s.split('\n').map((l) => l.trim()).find(Boolean) ?? '';

/** The units section → their states; `asked` in the order they were passed. */
export function parseServices(secs: readonly Section[], asked: readonly WatchedUnit[], hostName: string): ServicesState {
  if (secs.some((s) => s.kind === 'units-absent')) return { kind: 'absent', reason: `systemctl is not installed on ${hostName}: it is not a systemd host.` };
  const body = secs.find((s) => s.kind === 'units')?.body ?? '';
  const rc = secs.find((s) => s.kind === 'units-rc')?.arg;
  const blocks = parseShowBlocks(body);
  if (blocks.length !== asked.length) {
    const why = firstLine(body.split('\n').filter((l) => !/^[A-Za-z]+=/.test(l)).join('\n'));
    if (NO_SYSTEMD.test(body)) return { kind: 'absent', reason: `systemd is not running as PID 1 on ${hostName} (${why || 'systemctl cannot reach it'}).` };
    if (rc === undefined) return { kind: 'error', message: `the health probe on ${hostName} printed no systemctl result` };
    return { kind: 'error', message: `systemctl show on ${hostName} exited ${rc}${why ? `: ${why}` : ''} (${blocks.length} of ${asked.length} units listed)` };
  }
  const units: ServiceStatus[] = [];
  const notInstalled: string[] = [];
  asked.forEach((a, i) => {
    const p = blocks[i]!;
    const load = p.LoadState ?? 'unknown';
    if (load === 'not-found' && a.origin === 'default') {
      notInstalled.push(a.unit.replace(/\.service$/, ''));
      return;
    }
    const s: ServiceStatus = {
      unit: a.unit, id: p.Id || a.unit, origin: a.origin, description: p.Description ?? '', load,
      active: p.ActiveState ?? 'unknown', sub: p.SubState ?? 'unknown',
    };
    if (p.Result && p.Result !== 'success') s.result = p.Result;
    const pid = Number(p.MainPID ?? 0);
    if (pid > 0) s.mainPid = pid;
    const since = parseSystemdTimestamp(p.StateChangeTimestamp ?? '');
    if (since) s.since = since.getTime();
    units.push(s);
  });
  return { kind: 'ok', units, notInstalled };
}

/** The zfs section → the pools' state (`zpool status -x`: "all pools are healthy" or the troubled pools). */
export function parseZfs(secs: readonly Section[], hostName: string): ZfsState | undefined {
  if (secs.some((s) => s.kind === 'zfs-absent')) return { kind: 'absent', reason: `zpool is not installed on ${hostName}: no ZFS pools here.` };
  const body = secs.find((s) => s.kind === 'zfs');
  if (!body) return undefined;
  const text = body.body.trim();
  const rc = secs.find((s) => s.kind === 'zfs-rc')?.arg;
  if (/no pools available/i.test(text)) return { kind: 'absent', reason: `no ZFS pools on ${hostName} (zpool: ${text})` };
  if (rc !== '0') return { kind: 'error', message: `zpool status -x on ${hostName} exited ${rc ?? '?'}${text ? `: ${firstLine(text)}` : ''}` };
  return { kind: 'ok', healthy: /all pools are healthy/i.test(text), text };
}

/** The probe of a host's watched units (./units) and, on microvm hosts, its ZFS pools: never throws, a failure is its state. */
export function healthProbe(ctx: BackendContext): Probe<HostHealth> {
  const units = hostUnits(ctx.topology, ctx.hostName);
  const zfs = isMicrovmHost(ctx.topology, ctx.hostName);
  return {
    label: 'Services probe',
    argv: probeArgv(units, zfs),
    parse(r) {
      const at = Date.now();
      const secs = splitSections(r.stdout);
      if (!secs.length) return healthError(`the health probe on ${ctx.hostName} exited ${r.code}: ${firstLine(r.stderr) || 'no output'}`, zfs);
      const z = zfs ? parseZfs(secs, ctx.hostName) : undefined;
      return { services: parseServices(secs, units, ctx.hostName), ...(z ? { zfs: z } : {}), at };
    },
  };
}

/** The health of a host whose probe could not run or answer: every section says why. */
export function healthError(message: string, zfs: boolean): HostHealth {
  return { services: { kind: 'error', message }, ...(zfs ? { zfs: { kind: 'error', message } } : {}), at: Date.now() };
}

/** Runs the probe on a host in its own round trip. */
export async function probeHealth(ctx: BackendContext): Promise<HostHealth> {
  try {
    return await runProbe(ctx, healthProbe(ctx));
  } catch (err) {
    return healthError((err as Error).message, isMicrovmHost(ctx.topology, ctx.hostName));
  }
}
