// libvirt's console holders and boot log. libvirt says only "Active console session exists", not
// who holds it: the host's `virsh … console DOMAIN` processes are the likely holders (a client on
// another machine does not show). The boot log is the serial's `<log file=…>` from the live XML
// (virtlogd writes it while nobody is attached; append='off' starts it afresh each boot). Pure.
import type { BootLogSource } from '../backend';
import { READ_CAP } from '../bootLog';
import { assertDomainName } from '../../model/names';
import * as virsh from './renderVirsh';

/** $1 = domain: its `virsh console` processes on this host, one line each, in serialSocket.ts's format. */
const HOLDERS_SCRIPT = [
  'ps -eo pid=,user=,etime=,ppid=,args= | awk -v d="$1" \'$5 == "virsh" && $0 ~ / console / && $NF == d { print $1, $2, $3, $4 }\' |',
  'while read -r pid user up ppid; do',
  '  echo "virsh console (pid $pid, user $user, up $up, from $(ps -o args= -p "$ppid" 2>/dev/null | cut -c1-60))"',
  'done',
].join('\n');

export function consoleHoldersArgv(domain: string): string[] {
  return ['sh', '-c', HOLDERS_SCRIPT, 'vsim-console-holders', assertDomainName(domain, 'domain name')];
}

/** $1 = read|follow, $2 = domain, then the virsh dumpxml argv. */
const LOG_SCRIPT = [
  'mode=$1; d=$2; shift 2',
  'xml=$("$@") || exit 1',
  'f=$(printf "%s\\n" "$xml" | sed -n "s/.*<log file=.\\([^\'\\"]*\\).*/\\1/p" | head -n1)',
  '[ -n "$f" ] || { echo "domain $d on $(hostname) has no <log file=…> on its serial: libvirt keeps no boot log for it (add <log file=\'/var/log/libvirt/qemu/$d-serial.log\' append=\'off\'/> to its <serial>)" >&2; exit 4; }',
  '[ -e "$f" ] || { echo "no boot log $f on $(hostname) yet: $d has not booted since its <log file> was set" >&2; exit 4; }',
  'if [ "$mode" = follow ]; then exec tail -n +1 -F -- "$f"; fi',
  `exec tail -c ${READ_CAP} -- "$f"`,
].join('\n');

export function libvirtBootLog(uri: string, domain: string): BootLogSource {
  const dumpxml = virsh.dumpxml(uri, domain);
  return {
    where: `the <log file> of ${domain}'s serial (virtlogd)`,
    read: ['sh', '-c', LOG_SCRIPT, 'vsim-boot-log', 'read', domain, ...dumpxml],
    follow: ['sh', '-c', LOG_SCRIPT, 'vsim-boot-log', 'follow', domain, ...dumpxml],
  };
}
