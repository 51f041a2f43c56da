// The Networks node's facts about one host in ONE round trip: links with counters (`ip -j -s
// link`), addresses (`ip -j addr`), bridge ports (`bridge -j link`), neighbours (`ip -j neigh`),
// OVS bridges and their ports, the running dnsmasq processes and the lease files they write. A
// CONSTANT script (src/backends/script.ts): nothing from the topology or the host is spliced into
// it. Lease files are found from dnsmasq's own command line (`--dhcp-leasefile`, `-l`) and the
// configuration files it reads (`dhcp-leasefile=`; libvirt's `leasefile-ro` networks: the NAME.status
// JSON beside their conf file), else dnsmasq's default; each is read capped.
import { shScript } from '../backends/script';

/** Bytes kept of one lease file (a lease line is < 200 bytes: thousands of leases). */
export const LEASES_CAP = 1_048_576;

export const HOSTNET_SCRIPT = [
  "printf '@@vsim tools\\n'",
  'for t in ip bridge dnsmasq ovs-vsctl; do command -v "$t" >/dev/null 2>&1 && printf "%s\\n" "$t"; done',
  "printf '@@vsim links\\n'",
  "ip -j -s link show 2>/dev/null || echo '[]'",
  "printf '@@vsim addrs\\n'",
  "ip -j addr show 2>/dev/null || echo '[]'",
  "printf '@@vsim ports\\n'",
  "bridge -j link show 2>/dev/null || echo '[]'",
  "printf '@@vsim neigh\\n'",
  "ip -j neigh show 2>/dev/null || echo '[]'",
  'if command -v ovs-vsctl >/dev/null 2>&1; then',
  '  for b in $(ovs-vsctl list-br 2>/dev/null); do',
  "    printf '@@vsim ovs %s\\n' \"$b\"",
  '    ovs-vsctl list-ports "$b" 2>/dev/null',
  '  done',
  'fi',
  // dnsmasq processes: /proc/PID/comm read with the shell's own `read` (no fork per process).
  'files=""',
  'add() { case "$files" in *"|$1|"*) ;; *) files="$files|$1|" ;; esac; }',
  'conf() {',
  '  [ -r "$1" ] || return 0',
  '  for l in $(sed -n "s/^dhcp-leasefile=//p" "$1" 2>/dev/null); do add "$l"; found=1; done',
  // libvirt's networks: leasefile-ro, the leases kept as JSON in NAME.status beside the conf file.
  '  if grep -q "^leasefile-ro" "$1" 2>/dev/null; then found=1; for j in "${1%/*}"/*.status; do [ -f "$j" ] && add "$j"; done; fi',
  '}',
  'for d in /proc/[0-9]*; do',
  '  { read -r c < "$d/comm"; } 2>/dev/null || continue',
  '  [ "$c" = dnsmasq ] || continue',
  '  args=$(tr "\\000" "\\n" < "$d/cmdline" 2>/dev/null)',
  '  [ -n "$args" ] || continue # a zombie (exited, not yet reaped)',
  "  printf '@@vsim dnsmasq %s\\n' \"${d#/proc/}\"",
  "  printf '%s\\n' \"$args\"",
  '  found=0; next=""; confs=0',
  '  while IFS= read -r a; do',
  '    case "$next" in l) add "$a"; found=1; next=""; continue ;; C) conf "$a"; confs=1; next=""; continue ;; esac',
  '    case "$a" in',
  '      --dhcp-leasefile=*) add "${a#*=}"; found=1 ;;',
  '      -l) next=l ;;',
  '      -l*) add "${a#-l}"; found=1 ;;',
  '      --conf-file=*) conf "${a#*=}"; confs=1 ;;',
  '      -C) next=C ;;',
  '      --leasefile-ro) found=1 ;;',
  '    esac',
  '  done <<EOF',
  '$args',
  'EOF',
  '  [ "$confs" = 1 ] || { conf /etc/dnsmasq.conf; for f in /etc/dnsmasq.d/*; do conf "$f"; done; }',
  '  [ "$found" = 1 ] || add /var/lib/misc/dnsmasq.leases',
  'done',
  'IFS="|"',
  'for f in $files; do',
  '  [ -n "$f" ] || continue',
  '  if out=$(head -c "$1" -- "$f" 2>&1); then',
  "    printf '@@vsim lease %s\\n' \"$f\"; printf '%s\\n' \"$out\"",
  '  else',
  "    printf '@@vsim lease-error %s\\n' \"$f\"; printf '%s\\n' \"$out\"",
  '  fi',
  'done',
  'exit 0',
].join('\n');

/** argv of the probe (the runner quotes it; the cap is its one argument). */
export function hostnetProbe(): string[] {
  return shScript(HOSTNET_SCRIPT, [String(LEASES_CAP)]);
}
