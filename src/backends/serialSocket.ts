// A serial console on a unix socket (QEMU `-chardev socket,server=on`, cloud-hypervisor
// `--serial socket=`) or a pty (cloud-hypervisor `--serial pty`), attached with socat on the host:
// raw, no local echo (the guest's tty echoes). The socket serves ONE client at a time and QEMU
// leaves a second one silent, so before attaching a constant sh script asks who holds it (`ss -xp`:
// the peer of each connection accepted on the socket; a pty: the processes that have it open) and
// stops with "serial console busy" and a "held by NAME (pid …)" line each unless asked to take over (`force`: the
// holders get SIGTERM, then socat attaches). The boot log is the chardev's `logfile=` beside the
// socket (same name, `.log`). Pure (no vscode).
import { assertPath } from '../model/names';

/** What the script prints (on the pty) when someone else holds the console; failure.ts classifies it as busy. */
export const SERIAL_BUSY = /vsim: serial console busy/;
/** What it prints when the socket is not there (the VM is not running, or the path is wrong). */
export const SERIAL_MISSING = /vsim: no serial (socket|pty) /;

/**
 * The shell function `serial_attach KIND PATH FORCE` (KIND socket|pty, FORCE 1 takes over).
 * holders(): one line per process holding the console, `NAME (pid P, user U, up T, from PARENT)`.
 */
export const SERIAL_ATTACH_FN = [
  'serial_holders() {',
  '  if [ "$1" = socket ]; then',
  // ss -xp: the socket's accepted connections have Local = PATH; their peer inode is the client's Local inode.
  // ss shows the path the server bound: compare the real path too (the topology may name a symlinked one).
  '    rp=$(readlink -f -- "$2" 2>/dev/null || echo "$2")',
  '    pids=$(ss -xpH 2>/dev/null | awk -v p="$2" -v rp="$rp" \'',
  '      ($5 == p || $5 == rp) && $2 != "LISTEN" { want[$8] = 1; next }',
  '      { line[$6] = $0 }',
  '      END { for (i in want) if (i in line) { l = line[i]; while (match(l, /pid=[0-9]+/)) { print substr(l, RSTART + 4, RLENGTH - 4); l = substr(l, RSTART + RLENGTH) } } }\' | sort -un)',
  '  else',
  // A pty: every process with it open, except the VMM that serves it.
  '    pids=$(for f in /proc/[0-9]*/fd/*; do [ "$(readlink "$f" 2>/dev/null)" = "$2" ] && { f=${f#/proc/}; echo "${f%%/*}"; }; done | sort -un)',
  '  fi',
  '  for pid in $pids; do',
  '    [ "$pid" = $$ ] && continue',
  '    comm=$(cat /proc/$pid/comm 2>/dev/null) || continue',
  '    case $comm in qemu*|cloud-hyperviso*|node) [ "$1" = pty ] && continue ;; esac',
  '    ppid=$(ps -o ppid= -p "$pid" 2>/dev/null | tr -d " ")',
  '    echo "$comm (pid $pid, user $(ps -o user= -p "$pid" | tr -d " "), up $(ps -o etime= -p "$pid" | tr -d " "), from $(ps -o args= -p "${ppid:-1}" 2>/dev/null | cut -c1-60))"',
  '  done',
  '}',
  'serial_attach() {',
  '  if [ "$1" = socket ]; then [ -S "$2" ] || { echo "vsim: no serial socket $2 on $(hostname) (is the VM running?)" >&2; exit 3; }',
  '  else [ -c "$2" ] || { echo "vsim: no serial pty $2 on $(hostname) (is the VM running?)" >&2; exit 3; }; fi',
  '  h=$(serial_holders "$1" "$2")',
  '  if [ -n "$h" ]; then',
  '    if [ "$3" != 1 ]; then { echo "vsim: serial console busy: another client holds $2 on $(hostname)"; printf "%s\\n" "$h" | sed "s/^/vsim: held by /"; } >&2; exit 75; fi',
  '    for pid in $(printf "%s\\n" "$h" | sed -n "s/^[^(]*(pid \\([0-9]*\\),.*/\\1/p"); do kill "$pid" 2>/dev/null; done',
  '    n=0; while [ $n -lt 30 ] && [ -n "$(serial_holders "$1" "$2")" ]; do sleep 0.1; n=$((n+1)); done',
  '    echo "vsim: took the console over from $h" >&2',
  '  fi',
  '  if [ "$1" = socket ]; then exec socat -,raw,echo=0 "UNIX-CONNECT:$2"; fi',
  '  exec socat -,raw,echo=0 "$2,raw,echo=0"',
  '}',
].join('\n');

const SOCKET_SCRIPT = `${SERIAL_ATTACH_FN}\nserial_attach socket "$1" "$2"`;

/** argv that attaches the terminal to the serial socket at `path` (validated here); `force` takes it over. */
export function socatConsoleArgv(path: string, force = false): string[] {
  return ['sh', '-c', SOCKET_SCRIPT, 'vsim-serial', assertPath(path, 'serial socket'), force ? '1' : '0'];
}

/** argv that lists who holds the serial socket at `path` (one line each; empty: free). */
export function serialHoldersArgv(path: string): string[] {
  return ['sh', '-c', `${SERIAL_ATTACH_FN}\nserial_holders socket "$1"`, 'vsim-serial-holders', assertPath(path, 'serial socket')];
}

/** The chardev's log file beside a serial socket: `DIR/NAME.sock` → `DIR/NAME.log` (QEMU `logfile=`, what the sandbox and nix/ set). */
export function serialLogPath(socket: string): string {
  return socket.replace(/\.sock$/, '') + '.log';
}
