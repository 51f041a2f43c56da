// `systemctl show -p … microvm@a microvm@b …` → unit states, one round trip for all slots. Pure.
import { assertName } from '../../model/names';

export const SHOW_PROPERTIES = ['Id', 'ActiveState', 'SubState', 'MainPID', 'ExecMainStartTimestamp'] as const;

/** The unit name of a microvm.nix VM. */
export function microvmUnit(name: string): string {
  return `microvm@${assertName(name, 'VM name')}.service`;
}

/** `--timestamp=unix` (systemd ≥ 248) makes times "@<seconds>", independent of the host's time zone. */
export function systemctlShowCommand(names: readonly string[]): string[] {
  return ['systemctl', 'show', '--timestamp=unix', '-p', SHOW_PROPERTIES.join(','), ...names.map(microvmUnit)];
}

export interface UnitStatus {
  /** "microvm@slot1.service" */
  unit: string;
  /** The instance ("slot1"); the unit name when it is not a template instance. */
  name: string;
  activeState: string;
  subState: string;
  /** undefined when 0 (not running). */
  mainPid?: number;
  startedAt?: Date;
  /** Every property as printed. */
  properties: Record<string, string>;
}

/** "@1732345750" or "Mon 2026-11-23 07:09:10 UTC" (UTC/GMT only; other zones stay unparsed). */
export function parseSystemdTimestamp(v: string): Date | undefined {
  const s = v.trim();
  if (!s || s === 'n/a') return undefined;
  const unix = /^@(\d+(?:\.\d+)?)$/.exec(s);
  if (unix) return new Date(Number(unix[1]) * 1000);
  const m = /^(?:[A-Za-z]{3} )?(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?) (UTC|GMT)$/.exec(s);
  return m ? new Date(`${m[1]}T${m[2]}Z`) : undefined;
}

/** Blocks separated by blank lines, properties in systemd's own order (not -p order). */
export function parseSystemctlShow(text: string): UnitStatus[] {
  const out: UnitStatus[] = [];
  for (const block of text.split(/\n\s*\n/)) {
    const props: Record<string, string> = {};
    for (const line of block.split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) props[line.slice(0, eq).trim()] = line.slice(eq + 1);
    }
    if (!props.Id) continue;
    const unit = props.Id;
    const inst = /^[^@]+@(.*)\.service$/.exec(unit);
    const pid = Number(props.MainPID ?? 0);
    const st: UnitStatus = {
      unit,
      name: inst ? (inst[1] as string) : unit.replace(/\.service$/, ''),
      activeState: props.ActiveState ?? 'unknown',
      subState: props.SubState ?? 'unknown',
      properties: props,
    };
    if (pid > 0) st.mainPid = pid;
    const t = parseSystemdTimestamp(props.ExecMainStartTimestamp ?? '');
    if (t) st.startedAt = t;
    out.push(st);
  }
  return out;
}
