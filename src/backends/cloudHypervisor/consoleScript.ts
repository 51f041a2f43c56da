// The console of a cloud-hypervisor VM, where the API says it is: `vm.info` → `config.serial`
// (ttyS0), else `config.console` (virtio-console, hvc0). Real cloud-hypervisor reports the pty it
// allocated for `--serial pty` / `--console pty` in that device's `file` (vmm console_devices.rs
// sets `vmconfig.serial.file = Some(pty path)`), and `--serial socket=PATH` in its `socket`; modes
// Off / Null / Tty / File have nothing to attach to. One constant sh script (curl, then exec socat),
// so the argv is known before the host is asked. Pure (no vscode).
import { assertPath } from '../../model/names';
import { SERIAL_ATTACH_FN } from '../serialSocket';

/**
 * $1 = API socket, $2 = 1 to take the console over from another client (serialSocket.ts). Asks vm.info (compact JSON, as cloud-hypervisor writes it), picks the first of
 * serial / console whose mode is Socket or Pty, checks the path's characters, then execs socat on
 * it raw (no local echo: the guest's tty echoes). Exit 1 with the reason on stderr otherwise.
 */
export const CH_CONSOLE_SCRIPT = [
  SERIAL_ATTACH_FN,
  'api=$1',
  '[ -S "$api" ] || { echo "no VMM: the API socket $api does not exist (is the VM running?)" >&2; exit 1; }',
  'info=$(curl -sS --max-time 10 --unix-socket "$api" http://localhost/api/v1/vm.info 2>&1) || { echo "no VMM answers on $api: $info" >&2; exit 1; }',
  'info=$(printf "%s" "$info" | tr -d "\\n")',
  'case $info in *\'"config"\'*) ;; *) echo "vm.info on $api: $info" >&2; exit 1 ;; esac',
  'dev() { printf "%s" "$info" | sed -n "s/.*\\"$1\\":{\\([^}]*\\)}.*/\\1/p"; }',
  'field() { printf "%s" "$2" | sed -n "s/.*\\"$1\\":\\"\\([^\\"]*\\)\\".*/\\1/p"; }',
  'for d in serial console; do',
  '  c=$(dev $d); mode=$(field mode "$c")',
  '  case $mode in Socket) p=$(field socket "$c") ;; Pty) p=$(field file "$c") ;; *) continue ;; esac',
  '  case $p in ""|*[!A-Za-z0-9/._-]*) echo "vm.info gives $d mode $mode without a usable path ($p)" >&2; exit 1 ;; esac',
  '  echo "vsim: $d ($mode) $p" >&2',
  '  if [ "$mode" = Socket ]; then serial_attach socket "$p" "$2"; fi',
  '  serial_attach pty "$p" "$2"',
  'done',
  'echo "nothing to attach to: vm.info reports serial mode $(field mode "$(dev serial)") and console mode $(field mode "$(dev console)"); start the VM with --serial pty, --serial socket=PATH or --console pty" >&2',
  'exit 1',
].join('\n');

/** argv that attaches to the console vm.info reports for the VMM on `apiSocket`; `force` takes it over. */
export function chConsoleArgv(apiSocket: string, force = false): string[] {
  return ['sh', '-c', CH_CONSOLE_SCRIPT, 'vsim-ch-console', assertPath(apiSocket, 'API socket'), force ? '1' : '0'];
}
