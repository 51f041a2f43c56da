#!/usr/bin/env bash
# Local sandbox hypervisor "hv1" (+ a reachable "hv2", and "hv3" for tunnels between hosts) for vsim's integration tests and demo.
#
#   bash test/sandbox/sandbox.sh up       bring everything up (idempotent; warm run is fast)
#   bash test/sandbox/sandbox.sh down     stop what `up` started (by recorded pids), remove its netns
#   bash test/sandbox/sandbox.sh status   print what is up (exit 0 when all of it is up)
# Env: VSIM_SANDBOX_DIR (default REPO/.sandbox), VSIM_HV2_MODE (auto|sshd), VSIM_BOOT_DEADLINE (s, 120).
#
# Real programs: sshd, libvirtd + virtlogd, QEMU (TCG), Linux bridge, veth, socat, tc, nix.
# Runtime state lives in REPO/.sandbox (git-ignored); see test/sandbox/README.md.
# Must run as root (network namespaces, libvirt qemu:///system).
set -euo pipefail
shopt -s nullglob

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
SB=${VSIM_SANDBOX_DIR:-$repo/.sandbox}
mkdir -p "$SB"
SB=$(cd "$SB" && pwd)

NS1=vsim-hv1
NS2=vsim-hv2
BRIDGE=vsimbr0
BR_ADDR=192.168.100.1/24
VETH1=vsim-veth1 # in NS1
VETH2=vsim-veth2 # in NS2
HV1_LINK=10.77.0.1/24
HV2_ADDR=10.77.0.2
# hv3: a plain sshd in netns vsim-hv3 on its own veth link to hv1 (reached through hv1 like hv2).
# The link is also the underlay of the tunnels between hv1 and hv3 (networks spanning hosts).
NS3=vsim-hv3
VETH3=vsim-veth3 # in NS1
VETH4=vsim-veth4 # in NS3
HV1_LINK3=10.78.0.1/24
HV3_ADDR=10.78.0.3
LIBVIRT_URI=qemu:///system
# name ip mac autostart tap. edge.Gateway: a real libvirt name (a dot and capitals) for vsim's name
# handling; its tap cannot be tap-NAME (an interface name has at most 15 characters).
DOMAINS=(
  "chassis 192.168.100.10 52:54:00:00:00:10 1 tap-chassis"
  "compute 192.168.100.11 52:54:00:00:00:11 1 tap-compute"
  "storage 192.168.100.12 52:54:00:00:00:12 0 tap-storage"
  "edge.Gateway 192.168.100.13 52:54:00:00:00:13 0 tap-edge"
)
BOOT_DEADLINE=${VSIM_BOOT_DEADLINE:-120}

RUN=$SB/hv1          # runtime state of this script (pids, configs, disks)
LOGS=$SB/logs
SSHD=$SB/ssh
MICROVM_UP=$repo/test/sandbox/microvm/up.sh
MICROVM_DOWN=$repo/test/sandbox/microvm/down.sh
# hv2: "auto" = test/sandbox/microvm/up.sh when present (systemd + microvm@ units), else a plain sshd;
#      "sshd" = always the plain sshd in netns vsim-hv2 (faster; no microvm guests)
HV2_MODE=${VSIM_HV2_MODE:-auto}

log() { printf '[sandbox %s] %s\n' "$(date +%H:%M:%S.%3N)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

need_root() { [[ $(id -u) == 0 ]] || die "must run as root"; }

# --- pid bookkeeping --------------------------------------------------------------------------
# A pid file records "PID COMM". A pid counts as ours only when it is alive with that comm.
pid_alive() { # pidfile -> 0 when the recorded process is alive
  local f=$1 pid comm
  [[ -s $f ]] || return 1
  read -r pid comm <"$f" || true
  [[ -n ${pid:-} && -d /proc/$pid ]] || return 1
  [[ $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]] || return 1 # exited, not yet reaped
  [[ -z ${comm:-} || $(cat "/proc/$pid/comm" 2>/dev/null) == "$comm" ]]
}
pid_of() { local pid _c; read -r pid _c <"$1"; echo "$pid"; }
record_pid() { # pidfile pid -> writes "PID COMM"
  echo "$2 $(cat "/proc/$2/comm")" >"$1"
}
wait_for() { # deadline_s description command... (polls every 50 ms)
  local deadline=$(( $(now_ms) + $1 * 1000 )) what=$2; shift 2
  until "$@"; do
    (( $(now_ms) < deadline )) || { log "timeout waiting for $what"; return 1; }
    sleep 0.05
  done
}
wait_pidfile() { # file -> waits until a daemon wrote a pid file with a live pid
  local f=$1
  [[ -s $f ]] && [[ -d /proc/$(head -c 20 "$f" | tr -dc 0-9) ]]
}
descendants() { # pid -> all descendant pids (children first listed after their parent)
  local c
  for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do echo "$c"; descendants "$c"; done
}
stop_pid() { # pidfile name: TERM it and what it spawned (ssh sessions, forwarder children), wait, KILL
  local f=$1 name=$2 pid kids
  pid_alive "$f" || { rm -f "$f"; return 0; }
  pid=$(pid_of "$f")
  kids=$(descendants "$pid" | tr '\n' ' ')
  kill -TERM "$pid" $kids 2>/dev/null || true
  if ! wait_for 10 "$name ($pid) to exit" bash -c "! [[ -d /proc/$pid ]] || [[ \$(awk '{print \$3}' /proc/$pid/stat 2>/dev/null) == Z ]]"; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  log "stopped $name (pid $pid)"
  rm -f "$f"
}

in1() { ip netns exec "$NS1" "$@"; }
virsh_() { virsh -q -c "$LIBVIRT_URI" "$@"; }
netns_exists() { [[ -e /run/netns/$1 ]]; }

# --- network ----------------------------------------------------------------------------------
ensure_netns() {
  local ns
  for ns in "$NS1" "$NS2" "$NS3"; do
    if ! netns_exists "$ns"; then
      ip netns add "$ns"
      touch "$RUN/created-netns-$ns"
      log "created netns $ns"
    fi
    ip -n "$ns" link set lo up
  done
  if ! ip -n "$NS1" link show "$BRIDGE" >/dev/null 2>&1; then
    ip -n "$NS1" link add "$BRIDGE" type bridge stp_state 0 forward_delay 0
  fi
  ip -n "$NS1" addr replace "$BR_ADDR" dev "$BRIDGE"
  ip -n "$NS1" link set "$BRIDGE" up
  ensure_link_from_hv1 "$VETH1" "$HV1_LINK" "$NS2" "$VETH2" "$HV2_ADDR/24"
  ensure_link_from_hv1 "$VETH3" "$HV1_LINK3" "$NS3" "$VETH4" "$HV3_ADDR/24"
}

ensure_link_from_hv1() { # hv1_dev hv1_addr peer_netns peer_dev peer_addr: a veth between hv1 and another host, up
  local dev=$1 addr=$2 peer_ns=$3 peer=$4 peer_addr=$5
  if ! ip -n "$NS1" link show "$dev" >/dev/null 2>&1; then
    ip -n "$peer_ns" link del "$peer" 2>/dev/null || true
    ip -n "$NS1" link add "$dev" type veth peer name "$peer" netns "$peer_ns"
  fi
  ip -n "$NS1" addr replace "$addr" dev "$dev"
  ip -n "$peer_ns" addr replace "$peer_addr" dev "$peer"
  ip -n "$NS1" link set "$dev" up
  ip -n "$peer_ns" link set "$peer" up
}

# --- ssh --------------------------------------------------------------------------------------
ensure_keys() {
  mkdir -p "$SSHD"
  chmod 700 "$SSHD"
  [[ -s $SSHD/id_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C vsim-sandbox-client -f "$SSHD/id_ed25519"
  [[ -s $SSHD/hv1_host_ed25519_key ]] || ssh-keygen -q -t ed25519 -N '' -C vsim-hv1 -f "$SSHD/hv1_host_ed25519_key"
  [[ -s $SSHD/hv2_host_ed25519_key ]] || ssh-keygen -q -t ed25519 -N '' -C vsim-hv2 -f "$SSHD/hv2_host_ed25519_key"
  [[ -s $SSHD/hv3_host_ed25519_key ]] || ssh-keygen -q -t ed25519 -N '' -C vsim-hv3 -f "$SSHD/hv3_host_ed25519_key"
  cp "$SSHD/id_ed25519.pub" "$SSHD/authorized_keys"
  mkdir -p "$SB/nix"
  cat >"$SB/nix/nix.conf" <<EOF
build-users-group =
sandbox = false
substituters =
experimental-features = nix-command flakes
EOF
}

write_sshd_config() { # file listen hostkey pidfile
  cat >"$1" <<EOF
# generated by test/sandbox/sandbox.sh
ListenAddress $2
HostKey $3
PidFile $4
AuthorizedKeysFile $SSHD/authorized_keys
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
PrintMotd no
Subsystem sftp internal-sftp
SetEnv PATH=$SB/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LIBVIRT_DEFAULT_URI=$LIBVIRT_URI NIX_CONF_DIR=$SB/nix TMPDIR=$SB/tmp
EOF
}

start_sshd() { # ns listen hostkey name
  local ns=$1 listen=$2 key=$3 name=$4
  local cfg=$RUN/sshd-$name.conf pidf=$RUN/sshd-$name.pid dpid=$RUN/sshd-$name.daemon.pid
  if pid_alive "$pidf"; then
    # A running sshd from an older sandbox.sh: a changed config (e.g. the PATH) takes effect on
    # SIGHUP (sshd re-executes itself, same pid; open sessions are kept).
    write_sshd_config "$cfg.new" "$listen" "$key" "$dpid"
    if cmp -s "$cfg" "$cfg.new"; then rm -f "$cfg.new"; return 0; fi
    mv -f "$cfg.new" "$cfg"
    kill -HUP "$(pid_of "$pidf")"
    log "sshd $name: configuration changed, reloaded (SIGHUP to pid $(pid_of "$pidf"))"
    return 0
  fi
  mkdir -p /run/sshd
  write_sshd_config "$cfg" "$listen" "$key" "$dpid"
  rm -f "$dpid"
  # Own UTS namespace so `hostname` over SSH names the hypervisor (vsim-hv1 / vsim-hv2).
  ip netns exec "$ns" unshare --uts sh -c 'hostname "$0" && exec "$@"' "vsim-$name" \
    env TMPDIR="$SB/tmp" /usr/sbin/sshd -f "$cfg" -E "$LOGS/sshd-$name.log" 8>&-
  wait_for 10 "sshd $name pid file" wait_pidfile "$dpid"
  record_pid "$pidf" "$(tr -dc 0-9 <"$dpid")"
  log "sshd $name listening on $listen in netns $ns (pid $(pid_of "$pidf"))"
}

port_free() { [[ -z $(ss -Htln "sport = :$1") ]]; }
pick_port() {
  local p
  if [[ -s $RUN/port ]]; then
    p=$(cat "$RUN/port")
    if pid_alive "$RUN/forwarder.pid" || port_free "$p"; then echo "$p"; return; fi
  fi
  for p in $(seq 22220 22299) $(shuf -i 30000-60000 -n 50); do
    if port_free "$p"; then echo "$p"; return; fi
  done
  die "no free TCP port on 127.0.0.1"
}

start_forwarder() { # port
  local port=$1
  if pid_alive "$RUN/forwarder.pid"; then return 0; fi
  setsid socat -lf "$LOGS/forwarder.log" \
    "TCP-LISTEN:$port,bind=127.0.0.1,fork,reuseaddr" \
    "EXEC:'ip netns exec $NS1 socat - TCP\\:127.0.0.1\\:22'" </dev/null >/dev/null 2>&1 8>&- &
  local pid=$!
  wait_for 10 "forwarder on 127.0.0.1:$port" bash -c "[[ -n \$(ss -Htln 'sport = :$port') ]]"
  record_pid "$RUN/forwarder.pid" "$pid"
  log "forwarder 127.0.0.1:$port -> $NS1 127.0.0.1:22 (pid $pid)"
}

ssh_host_entry() { # alias hostname port [proxyjump]: one Host block of the generated ssh config
  echo "Host $1"
  echo "  HostName $2"
  echo "  Port $3"
  echo "  User root"
  [[ -z ${4:-} ]] || echo "  ProxyJump $4"
  cat <<EOF
  IdentityFile $SSHD/id_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $SSHD/known_hosts
  StrictHostKeyChecking yes
  GlobalKnownHostsFile /dev/null
  LogLevel ERROR
EOF
}

write_client_files() { # port hv2_hostkey_line
  local port=$1
  {
    echo "# generated by test/sandbox/sandbox.sh (ssh -F .sandbox/ssh/config vsim-hv1 ...)"
    ssh_host_entry vsim-hv1 127.0.0.1 "$port"
    echo
    ssh_host_entry vsim-hv2 "$HV2_ADDR" 22 vsim-hv1
    echo
    ssh_host_entry vsim-hv3 "$HV3_ADDR" 22 vsim-hv1
  } >"$SSHD/config"
  {
    echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$SSHD/hv1_host_ed25519_key.pub")"
    echo "$HV2_ADDR $2"
    echo "$HV3_ADDR $(cut -d' ' -f1,2 "$SSHD/hv3_host_ed25519_key.pub")"
  } >"$SSHD/known_hosts"
}

# --- hv2 --------------------------------------------------------------------------------------
hv2_port_open() { ip netns exec "$NS1" socat -u OPEN:/dev/null TCP:$HV2_ADDR:22,connect-timeout=1 2>/dev/null; }
HV2_JOB=""
ensure_hv2_start() { # the microvm host boots its own guests: run it alongside libvirt's
  # Whatever mode was asked for, an hv2 that an earlier `up` started and that still answers stays.
  if [[ -e $RUN/microvm-started ]] && hv2_port_open; then return 0; fi
  if [[ $HV2_MODE != sshd && -x $MICROVM_UP ]]; then
    if [[ ! -e $RUN/microvm-started ]] || ! hv2_port_open; then
      log "hv2: running test/sandbox/microvm/up.sh (in the background, log .sandbox/logs/microvm-up.log)"
      touch "$RUN/microvm-started" # so that `down` calls microvm/down.sh even if up.sh fails half way
      VSIM_SANDBOX_DIR=$SB VSIM_HV2_NETNS=$NS2 VSIM_HV2_ADDRESS=$HV2_ADDR \
        VSIM_SSH_DIR=$SSHD VSIM_HV2_HOST_KEY=$SSHD/hv2_host_ed25519_key \
        VSIM_AUTHORIZED_KEYS=$SSHD/authorized_keys \
        "$MICROVM_UP" 8>&- >>"$LOGS/microvm-up.log" 2>&1 </dev/null &
      HV2_JOB=$!
    fi
  else
    start_sshd "$NS2" "$HV2_ADDR:22" "$SSHD/hv2_host_ed25519_key" hv2
  fi
}
ensure_hv2_wait() {
  [[ -n $HV2_JOB ]] || return 0
  wait "$HV2_JOB" || die "test/sandbox/microvm/up.sh failed (see .sandbox/logs/microvm-up.log)"
  HV2_JOB=""
  log "hv2 (test/sandbox/microvm) up"
}

hv2_hostkey() { # prints "ssh-ed25519 AAAA..." as served at 10.77.0.2:22 (keyscan from hv1's netns)
  local line
  if wait_for 30 "sshd on $HV2_ADDR:22" bash -c "ip netns exec $NS1 ssh-keyscan -T 2 -t ed25519 $HV2_ADDR 2>/dev/null | grep -q ssh-ed25519"; then
    line=$(in1 ssh-keyscan -T 2 -t ed25519 "$HV2_ADDR" 2>/dev/null | awk '$2=="ssh-ed25519"{print $2, $3; exit}')
  fi
  [[ -n ${line:-} ]] || die "no ssh-ed25519 host key served at $HV2_ADDR:22"
  if [[ $line != "$(cut -d' ' -f1,2 "$SSHD/hv2_host_ed25519_key.pub")" ]]; then
    log "note: hv2 serves its own host key (not .sandbox/ssh/hv2_host_ed25519_key); known_hosts uses the served one"
  fi
  echo "$line"
}

# --- libvirt ----------------------------------------------------------------------------------
foreign_pids() { # comm ourpidfile -> pids of running COMM that are not ours
  local comm=$1 f=$2 ours="" p
  pid_alive "$f" && ours=$(pid_of "$f")
  for p in $(pgrep -x "$comm" || true); do
    # exited daemons stay zombies until PID 1 reaps them: not running
    [[ $(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) == Z ]] && continue
    [[ $p == "$ours" ]] || echo "$p"
  done
}

refuse_foreign_libvirt() {
  local f
  f=$(foreign_pids libvirtd "$RUN/libvirtd.pid")
  [[ -z $f ]] || die "a libvirtd not started by this sandbox is running (pid $(echo $f)); stop it first, this script will not kill it"
  f=$(foreign_pids virtlogd "$RUN/virtlogd.pid")
  [[ -z $f ]] || die "a virtlogd not started by this sandbox is running (pid $(echo $f)); stop it first, this script will not kill it"
}

ensure_libvirt() {
  refuse_foreign_libvirt
  local env=(env TMPDIR="$SB/tmp" XDG_RUNTIME_DIR="$SB/run" XDG_CACHE_HOME="$SB/cache" XDG_CONFIG_HOME="$SB/config")
  if ! pid_alive "$RUN/virtlogd.pid"; then
    rm -f "$RUN/virtlogd.daemon.pid"
    in1 "${env[@]}" LIBVIRT_LOG_OUTPUTS="3:file:$LOGS/virtlogd.log" virtlogd -d -p "$RUN/virtlogd.daemon.pid" 8>&-
    wait_for 10 "virtlogd pid file" wait_pidfile "$RUN/virtlogd.daemon.pid"
    record_pid "$RUN/virtlogd.pid" "$(tr -dc 0-9 <"$RUN/virtlogd.daemon.pid")"
    log "virtlogd started in netns $NS1 (pid $(pid_of "$RUN/virtlogd.pid"))"
  fi
  if ! pid_alive "$RUN/libvirtd.pid"; then
    rm -f "$RUN/libvirtd.daemon.pid"
    in1 "${env[@]}" LIBVIRT_LOG_OUTPUTS="3:file:$LOGS/libvirtd.log" libvirtd -d -p "$RUN/libvirtd.daemon.pid" 8>&-
    wait_for 10 "libvirtd pid file" wait_pidfile "$RUN/libvirtd.daemon.pid"
    record_pid "$RUN/libvirtd.pid" "$(tr -dc 0-9 <"$RUN/libvirtd.daemon.pid")"
    log "libvirtd started in netns $NS1 (pid $(pid_of "$RUN/libvirtd.pid"))"
  fi
  wait_for 30 "libvirtd to answer on $LIBVIRT_URI" bash -c "virsh -q -c $LIBVIRT_URI uri >/dev/null 2>&1"
}

uuid_for() { local h; h=$(printf 'vsim-sandbox-%s' "$1" | md5sum); echo "${h:0:8}-${h:8:4}-${h:12:4}-${h:16:4}-${h:20:12}"; }

render_domain() { # name ip mac tap -> XML on stdout
  local name=$1 ip=$2 mac=$3 tap=$4 disk=""
  if [[ $name == storage ]]; then
    disk="
    <disk type='file' device='disk'>
      <driver name='qemu' type='qcow2'/>
      <source file='$RUN/disks/storage.qcow2'/>
      <target dev='vda' bus='virtio'/>
    </disk>"
  fi
  cat <<EOF
<domain type='qemu'>
  <name>$name</name>
  <uuid>$(uuid_for "$name")</uuid>
  <description>vsim sandbox guest (test/sandbox/sandbox.sh)</description>
  <memory unit='MiB'>128</memory>
  <currentMemory unit='MiB'>128</currentMemory>
  <vcpu placement='static'>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$SB/guest/vmlinuz</kernel>
    <initrd>$SB/guest/initramfs.gz</initrd>
    <cmdline>console=ttyS0 vsim.hostname=$name vsim.ip=$ip/24 vsim.gw=${BR_ADDR%/*}</cmdline>
  </os>
  <features>
    <acpi/>
  </features>
  <clock offset='utc'/>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>restart</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>$disk
    <interface type='bridge'>
      <source bridge='$BRIDGE'/>
      <target dev='$tap'/>
      <mac address='$mac'/>
      <model type='virtio'/>
    </interface>
    <serial type='pty'>
      <log file='$LOGS/console-$name.log' append='off'/>
      <target port='0'/>
    </serial>
    <console type='pty'>
      <target type='serial' port='0'/>
    </console>
    <memballoon model='none'/>
  </devices>
  <seclabel type='static' model='dac' relabel='no'>
    <label>+0:+0</label>
  </seclabel>
</domain>
EOF
}

domain_state() { virsh_ domstate "$1" 2>/dev/null | head -n1 || true; }

ensure_domains() {
  mkdir -p "$RUN/disks" "$RUN/domains"
  [[ -s $RUN/disks/storage.qcow2 ]] || qemu-img create -q -f qcow2 "$RUN/disks/storage.qcow2" 64M
  local d name ip mac auto tap started=()
  for d in "${DOMAINS[@]}"; do
    read -r name ip mac auto tap <<<"$d"
    render_domain "$name" "$ip" "$mac" "$tap" >"$RUN/domains/$name.xml"
    if ! virsh_ dominfo "$name" >/dev/null 2>&1 || ! cmp -s "$RUN/domains/$name.xml" "$RUN/domains/$name.defined.xml"; then
      virsh_ define "$RUN/domains/$name.xml" >/dev/null
      cp "$RUN/domains/$name.xml" "$RUN/domains/$name.defined.xml"
    fi
    if [[ $auto == 1 && $(domain_state "$name") != running ]]; then
      virsh_ start "$name" >/dev/null
      started+=("$name")
    fi
  done
  for d in "${DOMAINS[@]}"; do
    read -r name ip mac auto _ <<<"$d"
    [[ $auto == 1 ]] || continue
    wait_for "$BOOT_DEADLINE" "guest $name banner" grep -qa "vsim-guest $name ready" "$LOGS/console-$name.log" \
      || die "guest $name did not print its banner within ${BOOT_DEADLINE}s (see .sandbox/logs/console-$name.log)"
  done
  ((${#started[@]} == 0)) || log "guests booted: ${started[*]}"
}

# --- env.json ---------------------------------------------------------------------------------
json_pid() { if pid_alive "$1"; then pid_of "$1"; else echo null; fi; }
write_env_json() { # port
  local port=$1 doms="" d name
  for d in "${DOMAINS[@]}"; do read -r name _ <<<"$d"; doms+="${doms:+, }\"$name\""; done
  local hv2kind=sshd hv2sys=null
  if [[ -e $RUN/microvm-started ]]; then
    hv2kind=microvm
    # systemd (PID 1 of the hv2 container) as recorded by test/sandbox/microvm/up.sh
    if [[ -s $SB/hv2/pid ]] && [[ -d /proc/$(tr -dc 0-9 <"$SB/hv2/pid") ]]; then hv2sys=$(tr -dc 0-9 <"$SB/hv2/pid"); fi
  fi
  cat >"$SB/env.json.tmp" <<EOF
{
  "sshConfig": "$SSHD/config",
  "knownHosts": "$SSHD/known_hosts",
  "identityFile": "$SSHD/id_ed25519",
  "hosts": {
    "vsim-hv1": { "address": "127.0.0.1", "port": $port, "user": "root", "netns": "$NS1" },
    "vsim-hv2": { "address": "$HV2_ADDR", "port": 22, "user": "root", "proxyJump": "vsim-hv1", "netns": "$NS2" }
  },
  "fabricHosts": {
    "vsim-hv3": { "address": "$HV3_ADDR", "port": 22, "user": "root", "proxyJump": "vsim-hv1", "netns": "$NS3", "underlay": "$HV3_ADDR", "hv1Underlay": "${HV1_LINK3%/*}" }
  },
  "libvirtUri": "$LIBVIRT_URI",
  "bridge": "$BRIDGE",
  "domains": [$doms],
  "pids": {
    "libvirtd": $(json_pid "$RUN/libvirtd.pid"),
    "virtlogd": $(json_pid "$RUN/virtlogd.pid"),
    "sshdHv1": $(json_pid "$RUN/sshd-hv1.pid"),
    "forwarder": $(json_pid "$RUN/forwarder.pid"),
    "sshdHv2": $(json_pid "$RUN/sshd-hv2.pid"),
    "sshdHv3": $(json_pid "$RUN/sshd-hv3.pid"),
    "hv2Systemd": $hv2sys
  },
  "hv2Kind": "$hv2kind"
}
EOF
  mv -f "$SB/env.json.tmp" "$SB/env.json"
}

# .sandbox/bin, first on the PATH of hv1's SSH sessions: the cloud-hypervisor launcher STAND-IN
# (test/sandbox/stand-ins/cloud-hypervisor) and the n3x-style QEMU launcher of jetson-1
# (test/sandbox/qemu/up.sh as `vsim-sandbox-qemu-up`, the start command of examples/sandbox.vsim.yaml).
install_bin() {
  mkdir -p "$SB/bin"
  ln -sfn "$here/stand-ins/cloud-hypervisor" "$SB/bin/cloud-hypervisor"
  printf '%s\n' '#!/bin/sh' \
    '# generated by test/sandbox/sandbox.sh: starts a QEMU guest with serial/QMP sockets as sandbox.sh up does' \
    "VSIM_SANDBOX_DIR='$SB' exec '$here/qemu/up.sh' \"\$@\"" >"$SB/bin/vsim-sandbox-qemu-up"
  chmod 755 "$SB/bin/vsim-sandbox-qemu-up"
}

# --- commands ---------------------------------------------------------------------------------
cmd_up() {
  need_root
  local t0; t0=$(now_ms)
  mkdir -p "$RUN" "$LOGS" "$SB/tmp" "$SB/run" "$SB/cache" "$SB/config"
  exec 8>"$SB/.sandbox.lock"; flock 8
  "$here/install-deps.sh" >/dev/null
  refuse_foreign_libvirt
  # if anything below fails, let a background microvm/up.sh finish before exiting
  trap 'if [[ -n $HV2_JOB ]]; then wait "$HV2_JOB" || true; fi' EXIT
  "$here/guest/build-guest.sh" >&2
  ensure_keys
  ensure_netns
  start_sshd "$NS1" "0.0.0.0:22" "$SSHD/hv1_host_ed25519_key" hv1
  start_sshd "$NS3" "$HV3_ADDR:22" "$SSHD/hv3_host_ed25519_key" hv3
  local port; port=$(pick_port); echo "$port" >"$RUN/port"
  start_forwarder "$port"
  ensure_hv2_start
  ensure_libvirt
  ensure_domains
  # Stable paths for examples/sandbox.vsim.yaml (sockets, guest kernel): /run/vsim-sandbox → .sandbox
  ln -sfn "$SB" /run/vsim-sandbox
  install_bin
  # n3x style: jetson-1, QEMU started directly with serial + QMP sockets, in netns vsim-hv1.
  VSIM_SANDBOX_DIR=$SB "$here/qemu/up.sh" 8>&- >>"$LOGS/qemu-up.log" 2>&1 \
    || log "warning: test/sandbox/qemu/up.sh failed (see .sandbox/logs/qemu-up.log)"
  # Aspen style: cloud-hypervisor STAND-IN nodes (REST API on unix sockets; no real VMM here).
  VSIM_SANDBOX_DIR=$SB "$here/stand-ins/ch-cluster.sh" up 8>&- >>"$LOGS/ch-up.log" 2>&1 \
    || log "warning: test/sandbox/stand-ins/ch-cluster.sh up failed (see .sandbox/logs/ch-up.log)"
  ensure_hv2_wait
  write_client_files "$port" "$(hv2_hostkey)"
  write_env_json "$port"
  # End-to-end check through the real path the extension uses.
  ssh -F "$SSHD/config" -o BatchMode=yes -o ConnectTimeout=10 vsim-hv1 'virsh -q list --all >/dev/null' \
    || die "ssh vsim-hv1 virsh failed"
  log "up in $(( $(now_ms) - t0 )) ms: ssh -F $SSHD/config vsim-hv1 (port $port), vsim-hv2 via ProxyJump"
}

cmd_down() {
  need_root
  local t0; t0=$(now_ms)
  mkdir -p "$RUN"
  exec 8>"$SB/.sandbox.lock"; flock 8
  local d name
  VSIM_SANDBOX_DIR=$SB "$here/stand-ins/ch-cluster.sh" down 8>&- >>"$LOGS/ch-down.log" 2>&1 || true
  VSIM_SANDBOX_DIR=$SB "$here/qemu/down.sh" 8>&- >>"$LOGS/qemu-down.log" 2>&1 || true
  [[ $(readlink /run/vsim-sandbox 2>/dev/null) == "$SB" ]] && rm -f /run/vsim-sandbox
  if pid_alive "$RUN/libvirtd.pid"; then
    # Every domain on this libvirtd is sandbox state (tests define their own, e.g. through the
    # extension): destroy the running ones in parallel (each waits 1-2 s for QEMU to exit), so no
    # QEMU outlives libvirtd, then undefine all, so nothing is left in /etc/libvirt/qemu.
    local all=() others=()
    mapfile -t all < <(virsh -c "$LIBVIRT_URI" list --all --name 2>/dev/null | sed '/^$/d')
    for name in "${all[@]}"; do
      [[ " chassis compute storage edge.Gateway " == *" $name "* ]] || others+=("$name")
      case $(domain_state "$name") in
        running|paused|idle|"in shutdown"|blocked|pmsuspended) virsh_ destroy "$name" >/dev/null 2>&1 & ;;
      esac
    done
    wait
    ((${#others[@]} == 0)) || log "also removing domains defined by others on this sandbox: ${others[*]}"
    for name in "${all[@]}"; do
      [[ $(domain_state "$name") == "shut off" ]] || virsh_ destroy "$name" >/dev/null 2>&1 || true
      virsh_ undefine "$name" --snapshots-metadata --managed-save >/dev/null 2>&1 \
        || virsh_ undefine "$name" >/dev/null 2>&1 || true
      rm -f "/var/log/libvirt/qemu/$name.log" "/var/log/libvirt/qemu/$name.log".* "/var/log/libvirt/qemu/$name-serial.log"
    done
    # Serial logs (vsim's default <log file='…/DOMAIN-serial.log'>) of domains that tests defined and
    # undefined again while this libvirtd ran: only `*-serial.log` files written since it started
    # (its pid file's time; `up` refuses to run beside another libvirtd), nothing else.
    find /var/log/libvirt/qemu -maxdepth 1 -type f -name '*-serial.log' -newer "$RUN/libvirtd.pid" -delete 2>/dev/null || true
  fi
  stop_pid "$RUN/libvirtd.pid" libvirtd
  stop_pid "$RUN/virtlogd.pid" virtlogd
  stop_pid "$RUN/forwarder.pid" forwarder
  stop_pid "$RUN/sshd-hv1.pid" sshd-hv1
  stop_pid "$RUN/sshd-hv2.pid" sshd-hv2
  stop_pid "$RUN/sshd-hv3.pid" sshd-hv3
  if [[ -e $RUN/microvm-started ]]; then
    if [[ -x $MICROVM_DOWN ]]; then
      VSIM_SANDBOX_DIR=$SB VSIM_HV2_NETNS=$NS2 "$MICROVM_DOWN" 8>&- >>"$LOGS/microvm-down.log" 2>&1 \
        || log "warning: test/sandbox/microvm/down.sh failed (see .sandbox/logs/microvm-down.log)"
    fi
    rm -f "$RUN/microvm-started"
  fi
  local ns
  for ns in "$NS3" "$NS2" "$NS1"; do
    if [[ -e $RUN/created-netns-$ns ]]; then
      local left
      left=$(ip netns pids "$ns" 2>/dev/null || true)
      if [[ -n $left ]]; then
        # Someone else (another sandbox part) still runs processes in it: keep the namespace so
        # they are not stranded; a later `down` deletes it once it is empty.
        log "warning: keeping netns $ns: processes not started by sandbox.sh still in it: $(echo $left)"
        continue
      fi
      ip netns del "$ns" 2>/dev/null || true
      rm -f "$RUN/created-netns-$ns"
      log "deleted netns $ns"
    fi
  done
  rm -rf "$RUN/disks" "$RUN/domains" "$SB/env.json" "$SB/tmp" "$SB/run" "$SB/cache" "$SB/config"
  log "down in $(( $(now_ms) - t0 )) ms"
}

cmd_status() {
  local ok=0 port="" d name
  [[ -s $RUN/port ]] && port=$(cat "$RUN/port")
  st() { if pid_alive "$1"; then printf '  %-10s up   pid %s\n' "$2" "$(pid_of "$1")"; else printf '  %-10s DOWN\n' "$2"; ok=1; fi; }
  echo "vsim sandbox ($SB)"
  for ns in "$NS1" "$NS2" "$NS3"; do
    if netns_exists "$ns"; then printf '  netns      %s\n' "$ns"; else printf '  netns      %s MISSING\n' "$ns"; ok=1; fi
  done
  st "$RUN/sshd-hv1.pid" sshd-hv1
  st "$RUN/forwarder.pid" forwarder; [[ -n $port ]] && printf '             127.0.0.1:%s -> %s:22\n' "$port" "$NS1"
  if [[ -e $RUN/microvm-started ]]; then
    if netns_exists "$NS1" && hv2_port_open; then
      printf '  hv2        up   test/sandbox/microvm (sshd %s:22 answers)\n' "$HV2_ADDR"
    else
      printf '  hv2        DOWN test/sandbox/microvm (%s:22 does not answer)\n' "$HV2_ADDR"; ok=1
    fi
  else
    st "$RUN/sshd-hv2.pid" sshd-hv2
  fi
  st "$RUN/sshd-hv3.pid" sshd-hv3
  st "$RUN/virtlogd.pid" virtlogd
  st "$RUN/libvirtd.pid" libvirtd
  if pid_alive "$RUN/libvirtd.pid"; then
    for d in "${DOMAINS[@]}"; do
      read -r name _ <<<"$d"
      printf '  domain     %-12s %s\n' "$name" "$(domain_state "$name")"
    done
  fi
  [[ -s $SB/env.json ]] && echo "  env        $SB/env.json"
  return $ok
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
