// One round trip for a whole tc operation on one host: the steps of every interface, composed into
// ONE script sent on the stdin of `sh -s` (not one argv element: the kernel's limit of 128 KiB per
// argument is reached at about 140 interfaces), followed by the kernel's readback (`tc -s -j qdisc show`, `tc -j filter show`).
// Pure: composition and parsing of the script's marked output (src/backends/script.ts sections).
//
// The script's functions are constant; each step line is built with buildCommand() (the one quoting
// function) from argv the renderers validated, except the interface after `dev`, which is the shell
// variable of the device resolved on the host (`"$D0"`, …): a configured tap that does not exist is
// looked up by the host-side MAC libvirt gives its taps (fe:xx:… of the guest MAC), because libvirt
// ignores target names starting with "vnet" and names such taps vnetN itself. Bridges are skipped:
// a Linux bridge takes the lowest MAC of its ports, so it often carries the tap's MAC too.
import { buildCommand, shellQuote } from '../remote/quote';
import { MARK, markedScript, splitSections } from '../backends/script';
import { assertIfname } from '../model/names';
import { isTolerated, type TcStep } from './steps';

/** One host-side interface of the operation. */
export interface ScriptDevice {
  /** The configured tap name (topology `nics[].tap`). */
  iface: string;
  /** Host-side MAC to find the tap by when `iface` does not exist (libvirt: `fe` + guest MAC[2:]). */
  hostMac?: string;
  /** Readback: qdiscs of the device (and of `ifb`, when that device exists). */
  qdiscs?: { ifb?: string };
  /** Readback: the filters of the device's ingress qdisc (partitions). */
  filters?: boolean;
  /** Readback: the per-link classes and filters under the root htb (src/tc/renderLink.ts). */
  links?: boolean;
}

/** A group of steps that stops at its first failure that is not tolerated (one per interface or partition). */
export interface ScriptUnit {
  /** Indexes into the devices; a missing device fails the unit before its first step. */
  devices: number[];
  steps: TcStep[];
}

export interface ScriptProbe {
  name: string;
  argv: string[];
}

export interface TcScript {
  devices: ScriptDevice[];
  units: ScriptUnit[];
  probes?: ScriptProbe[];
}

const PRELUDE = `
r() { i=$1; d=''
  if ip link show dev "$2" >/dev/null 2>&1; then d=$2
  elif [ -n "$3" ]; then d=$( { ip -br link show type bridge | sed 's/^/B /'; ip -br link; } 2>/dev/null |
    awk -v m="$3" '$1=="B" { b[$2]=1; next } { n=$1; sub(/@.*/, "", n); if (tolower($3)==m && !(n in b)) { print n; exit } }'); fi
  eval "D$i=\\$d"; printf '${MARK} dev %s %s\\n' "$i" "$d"; }
u() { F=0; for i in "$@"; do eval "d=\\$D$i"; if [ -z "$d" ]; then F=1; printf '${MARK} missing %s\\n' "$i"; fi; done; }
s() { [ "$F" = 0 ] || return 0; i=$1; c=$2; p=$3; shift 3
  e=$("$@" 2>&1 >/dev/null); rc=$?
  [ "$rc" = 0 ] && return 0
  ok=0; for x in $c; do if [ "$x" = "$rc" ] && printf '%s\\n' "$e" | grep -Eq -- "$p"; then ok=1; fi; done
  printf '${MARK} step %s %s %s\\n%s\\n' "$i" "$rc" "$ok" "$e"
  [ "$ok" = 1 ] || F=1; }
q() { eval "d=\\$D$1"; [ -n "$d" ] || return 0
  printf '${MARK} qdisc %s\\n' "$1"; tc -s -j qdisc show dev "$d" 2>&1; echo
  if [ -n "$2" ] && ip link show dev "$2" >/dev/null 2>&1; then printf '${MARK} ifb %s\\n' "$1"; tc -s -j qdisc show dev "$2" 2>&1; echo; fi; }
f() { eval "d=\\$D$1"; [ -n "$d" ] || return 0
  printf '${MARK} filter %s\\n' "$1"; tc -j filter show dev "$d" parent ffff: 2>/dev/null; echo; }
l() { eval "d=\\$D$1"; [ -n "$d" ] || return 0
  printf '${MARK} class %s\\n' "$1"; tc class show dev "$d" 2>/dev/null
  printf '${MARK} lfilter %s\\n' "$1"; tc -j filter show dev "$d" parent 1: 2>/dev/null; echo; }
p() { n=$1; shift; e=$("$@" 2>&1 >/dev/null); printf '${MARK} probe %s %s\\n%s\\n' "$n" "$?" "$e"; }
`.trim();

/** A step's argv as script words: `dev <configured iface>` becomes `dev "$Dn"`. */
function stepWords(argv: readonly string[], devIndex: Map<string, number>): string {
  return argv.map((a, i) => {
    const n = i > 0 && argv[i - 1] === 'dev' ? devIndex.get(a) : undefined;
    return n === undefined ? shellQuote(a) : `"$D${n}"`;
  }).join(' ');
}

/** The script text (constant functions + one line per device, step and readback). */
export function composeScript(s: TcScript): string {
  const devIndex = new Map<string, number>();
  s.devices.forEach((d, i) => {
    assertIfname(d.iface);
    if (d.hostMac !== undefined && !/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(d.hostMac)) throw new Error(`Invalid MAC ${JSON.stringify(d.hostMac)}`);
    if (d.qdiscs?.ifb) assertIfname(d.qdiscs.ifb);
    if (!devIndex.has(d.iface)) devIndex.set(d.iface, i);
  });
  const lines: string[] = [PRELUDE];
  for (const p of s.probes ?? []) lines.push(`p ${buildCommand([p.name, ...p.argv])}`);
  s.devices.forEach((d, i) => lines.push(`r ${i} ${buildCommand([d.iface, d.hostMac ?? ''])}`));
  let k = 0;
  for (const unit of s.units) {
    lines.push(`u ${unit.devices.join(' ')}`.trimEnd());
    for (const step of unit.steps) {
      const t = step.tolerate;
      lines.push(`s ${k} ${buildCommand([t ? t.exitCodes.join(' ') : '', t ? t.stderr.source : '.'])} ${stepWords(step.argv, devIndex)}`);
      k += 1;
    }
  }
  s.devices.forEach((d, i) => {
    if (d.qdiscs) lines.push(`q ${i} ${buildCommand([d.qdiscs.ifb ?? ''])}`);
    if (d.filters) lines.push(`f ${i}`);
    if (d.links) lines.push(`l ${i}`);
  });
  lines.push('exit 0');
  return lines.join('\n');
}

/** The command that reads the script from stdin; constant, whatever the number of interfaces. */
export const SCRIPT_ARGV: readonly string[] = ['sh', '-s'];

/**
 * The script as `sh -s` reads it: one `{ … } </dev/null` group, so the shell parses all of it
 * before running anything and no command can read the rest of the script as its own input.
 */
export function scriptStdin(s: TcScript): string {
  return `${markedScript(`{\n${composeScript(s)}\n} </dev/null`)}\n`;
}

export interface StepOutcome {
  /** Index over all units' steps, in order. */
  index: number;
  step: TcStep;
  code: number;
  stderr: string;
  tolerated: boolean;
}

export interface DeviceOutput {
  /** The device found on the host ('' when neither the tap nor its MAC exists). */
  dev: string;
  qdiscJson?: string;
  ifbJson?: string;
  filterJson?: string;
  classText?: string;
  linkFilterJson?: string;
}

export interface ScriptOutput {
  devices: DeviceOutput[];
  /** Failed steps (tolerated ones flagged), in order. */
  failures: StepOutcome[];
  /** Units that did not run because a device was missing: the device indexes. */
  missing: number[];
  probes: Record<string, { code: number; stderr: string }>;
}

/** Reads the script's stdout back. Tolerance is re-checked here with the steps' own RegExps. */
export function parseScriptOutput(s: TcScript, stdout: string): ScriptOutput {
  const steps = s.units.flatMap((u) => u.steps);
  const out: ScriptOutput = { devices: s.devices.map(() => ({ dev: '' })), failures: [], missing: [], probes: {} };
  for (const sec of splitSections(stdout)) {
    const args = sec.arg.split(' ');
    const i = Number(args[0]);
    switch (sec.kind) {
      case 'dev':
        if (out.devices[i]) out.devices[i].dev = args.slice(1).join(' ');
        break;
      case 'missing':
        if (!out.missing.includes(i)) out.missing.push(i);
        break;
      case 'step': {
        const step = steps[i];
        if (!step) break;
        const code = Number(args[1]);
        out.failures.push({ index: i, step, code, stderr: sec.body, tolerated: isTolerated(step, code, sec.body) });
        break;
      }
      case 'qdisc':
        if (out.devices[i]) out.devices[i].qdiscJson = sec.body;
        break;
      case 'ifb':
        if (out.devices[i]) out.devices[i].ifbJson = sec.body;
        break;
      case 'filter':
        if (out.devices[i]) out.devices[i].filterJson = sec.body;
        break;
      case 'class':
        if (out.devices[i]) out.devices[i].classText = sec.body;
        break;
      case 'lfilter':
        if (out.devices[i]) out.devices[i].linkFilterJson = sec.body;
        break;
      case 'probe':
        out.probes[args[0] as string] = { code: Number(args[1]), stderr: sec.body };
        break;
    }
  }
  return out;
}

/** libvirt's host-side tap MAC for a guest MAC: the first byte becomes fe. */
export function libvirtTapMac(guestMac: string): string {
  return `fe${guestMac.toLowerCase().slice(2)}`;
}
