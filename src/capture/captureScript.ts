// The remote side of a packet capture: ONE tcpdump on the host, on its own SSH channel, writing the
// pcap to the channel's stdout and its one-line-per-packet text (`-l -n --print`) to stderr. Pure.
// The script is constant; the interface, the packet limit and the BPF filter reach it as "$@".
import { assertIfname } from '../model/names';

/** Marker lines the script writes on stderr (before tcpdump's own output). */
export const CAPTURE_MARK = '@@vsim-capture';

/** `sh -c SCRIPT vsim ARG…` without a section mark: stdout is the pcap stream itself, its marks go to stderr. */
const unmarkedScript = (script: string, args: readonly string[]): string[] => ['sh', '-c', script, 'vsim', ...args];

export const TCPDUMP_PACKAGE = 'tcpdump';

/**
 * A BPF filter as the user typed it: printable ASCII, no line breaks, at most 500 characters.
 * The filter reaches tcpdump as one quoted argv element; the host's tcpdump then compiles it
 * (`tcpdump -d`) before the capture starts, so a syntax error is reported with its message.
 */
export function validateBpf(filter: string): string {
  const f = filter.trim();
  if (f.length > 500) throw new Error('The capture filter is longer than 500 characters.');
  if (!/^[\x20-\x7e]*$/.test(f)) throw new Error('The capture filter may contain only printable ASCII characters (no line breaks).');
  if (/^-/.test(f)) throw new Error('A capture filter cannot start with "-" (it would be read as a tcpdump option).');
  return f;
}

export interface CaptureOptions {
  /** BPF filter (validated); '' = every packet. */
  filter?: string;
  /** Stop after this many packets (tcpdump -c). */
  count?: number;
}

const SCRIPT = `
d=$1; c=$2; f=$3
if ! command -v tcpdump >/dev/null 2>&1; then echo "${CAPTURE_MARK} missing tcpdump" >&2; exit 127; fi
if ! ip link show dev "$d" >/dev/null 2>&1; then echo "${CAPTURE_MARK} nodev $d" >&2; exit 3; fi
if [ -n "$f" ]; then
  e=$(tcpdump -d -i "$d" -- "$f" 2>&1 >/dev/null) || { printf '${CAPTURE_MARK} badfilter %s\\n' "$e" | tr '\\n' ' ' >&2; echo >&2; exit 2; }
  set -- "$f"
else
  set --
fi
# tcpdump writes the pcap to /proc/self/fd/4 = the pipe to cat (a pipe can be reopened that way, the
# channel's stdout may be a socket, which cannot), its text (--print) to stderr. The inner sh prints
# its pid and execs tcpdump, so that pid is tcpdump's.
run='echo "${CAPTURE_MARK} pid $$" >&2; exec "$@"'
if [ -n "$c" ]; then sh -c "$run" vsim-capture tcpdump -i "$d" -U -n -l --print -c "$c" -w /proc/self/fd/4 -- "$@" 4>&1 1>&2 | cat
else sh -c "$run" vsim-capture tcpdump -i "$d" -U -n -l --print -w /proc/self/fd/4 -- "$@" 4>&1 1>&2 | cat; fi
`.trim();

/** argv of the capture (run on its own channel: pcap bytes on stdout, text and markers on stderr). */
export function captureArgv(iface: string, o: CaptureOptions = {}): string[] {
  assertIfname(iface);
  if (o.count !== undefined && (!Number.isInteger(o.count) || o.count < 1 || o.count > 1e9)) throw new Error(`Invalid packet limit ${o.count}`);
  return unmarkedScript(SCRIPT, [iface, o.count === undefined ? '' : String(o.count), validateBpf(o.filter ?? '')]);
}

function pidArg(pid: number): string {
  if (!Number.isInteger(pid) || pid < 2) throw new Error(`Invalid pid ${pid}`);
  return String(pid);
}

/** Stops the capture (SIGINT: tcpdump flushes and exits) and reports whether that tcpdump is gone. */
export function stopArgv(pid: number): string[] {
  return unmarkedScript(`p=$1
is_ours() { [ -r /proc/$p/cmdline ] && tr '\\0' ' ' </proc/$p/cmdline | grep -q '^tcpdump '; }
is_ours || { echo gone; exit 0; }
kill -INT "$p" 2>/dev/null
n=0; while is_ours && [ $n -lt 50 ]; do sleep 0.1; n=$((n+1)); done
is_ours && kill -KILL "$p" 2>/dev/null && sleep 0.2
if is_ours; then echo alive; else echo gone; fi`, [pidArg(pid)]);
}

export type CaptureMarker = { kind: 'pid'; pid: number } | { kind: 'missing' } | { kind: 'nodev'; iface: string } | { kind: 'badfilter'; message: string };

/** A marker line of the script's stderr, or undefined for tcpdump's own lines. */
export function parseMarker(line: string): CaptureMarker | undefined {
  if (!line.startsWith(`${CAPTURE_MARK} `)) return undefined;
  const [kind, ...rest] = line.slice(CAPTURE_MARK.length + 1).split(' ');
  const arg = rest.join(' ').trim();
  if (kind === 'pid' && /^\d+$/.test(arg)) return { kind: 'pid', pid: Number(arg) };
  if (kind === 'missing') return { kind: 'missing' };
  if (kind === 'nodev') return { kind: 'nodev', iface: arg };
  if (kind === 'badfilter') return { kind: 'badfilter', message: arg };
  return undefined;
}

export function missingTcpdumpMessage(host: string): string {
  return `tcpdump is not installed on ${host}: install the package ${TCPDUMP_PACKAGE} (Debian/Ubuntu: apt install ${TCPDUMP_PACKAGE}; NixOS: environment.systemPackages = [ pkgs.${TCPDUMP_PACKAGE} ])`;
}
