// A serial console on a unix socket (QEMU `-chardev socket,server=on`, cloud-hypervisor
// `--serial socket=`), attached with socat on the host: raw, no local echo (the guest's tty echoes).
// The socket serves one client at a time. Pure (no vscode).

/** argv that attaches the terminal to the serial socket at `path` (validated by the caller). */
export function socatConsoleArgv(path: string): string[] {
  return ['socat', '-,raw,echo=0', `UNIX-CONNECT:${path}`];
}

/** Shown when the serial console stays silent: QEMU's socket chardev serves one client at a time. */
export const CONSOLE_BUSY_HINT = 'No output yet: if another client (a second vsim window, a socat) is connected to the serial socket, QEMU serves it first and this console stays silent.';
