// The boot log a host keeps of a VM's serial console: a file the hypervisor writes while the guest
// prints, whether or not a console is attached (libvirt's virtlogd `<log file=… append='off'>`, QEMU's
// chardev `logfile=`, the microvm runner's console.log). Read = its last READ_CAP bytes; follow =
// `tail -n +1 -F` (from the first line, across the truncation of the next boot). Pure (no vscode).
import { assertPath } from '../model/names';
import type { BootLogSource } from './backend';

/** Bytes of a boot log read at most (the boot itself is at its start; lastBoot() trims appended logs). */
export const READ_CAP = 8 * 1024 * 1024;

const FILE_SCRIPT = [
  'f=$2',
  '[ -e "$f" ] || { echo "no boot log $f on $(hostname): the VM has not booted since its log was set up, or the path is wrong" >&2; exit 4; }',
  `if [ "$1" = follow ]; then exec tail -n +1 -F -- "$f"; fi`,
  `exec tail -c ${READ_CAP} -- "$f"`,
].join('\n');

/** The boot log in the file at `path` on the host; `what` says who writes it. */
export function fileBootLog(path: string, what: string): BootLogSource {
  const p = assertPath(path, 'boot log path');
  return {
    where: `${p} (${what})`,
    read: ['sh', '-c', FILE_SCRIPT, 'vsim-boot-log', 'read', p],
    follow: ['sh', '-c', FILE_SCRIPT, 'vsim-boot-log', 'follow', p],
  };
}
