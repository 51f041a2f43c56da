#!/usr/bin/env bash
# n3x-style guest (seed 001): QEMU started directly, no libvirt, controlled through unix sockets.
#   jetson-1: real qemu-system-x86_64 -accel tcg with the sandbox guest. In the seed jetson-1 is
#   an arm64 board under TCG; here it is x86_64 -- a stand-in ONLY in its architecture.
# Sockets (one client at a time each, see the note):
#   .sandbox/qemu/jetson-1/serial.sock   serial console (output also logged to serial.log)
#   .sandbox/qemu/jetson-1/qmp.sock      QMP
#   .sandbox/qemu/jetson-1/monitor.sock  HMP monitor (the seed stops the VM with `echo quit | socat - unix-connect:monitor.sock`)
# Runs inside netns vsim-hv1 when it exists, with a TAP on bridge vsimbr0 (guest 192.168.100.20/24)
# when that bridge exists; otherwise without a NIC. Records the pid in .sandbox/qemu/jetson-1/pid.
# Args: [NAME MAC IP/PREFIX TAP] (default jetson-1 52:54:00:00:00:20 192.168.100.20/24 tap-jetson1).
# Env: VSIM_SANDBOX_DIR (default REPO/.sandbox), VSIM_HV1_NETNS (vsim-hv1), VSIM_QEMU_BRIDGE (vsimbr0),
#      VSIM_QEMU_WAIT_READY (1: wait for "vsim-guest jetson-1 ready" in serial.log, max 120 s).
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
SB=${VSIM_SANDBOX_DIR:-$REPO/.sandbox}
mkdir -p "$SB"; SB=$(cd "$SB" && pwd)
NS=${VSIM_HV1_NETNS:-vsim-hv1}
BR=${VSIM_QEMU_BRIDGE:-vsimbr0}
# up.sh [NAME MAC IP/PREFIX TAP]: another guest of the same shape (tests use their own), default jetson-1.
NAME=${1:-jetson-1}
MAC=${2:-52:54:00:00:00:20}
IP=${3:-192.168.100.20/24}
TAP=${4:-tap-jetson1}
GW=192.168.100.1
[[ $NAME =~ ^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$ && $TAP =~ ^[A-Za-z0-9_-]{1,15}$ && $MAC =~ ^([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}$ && $IP =~ ^[0-9.]+/[0-9]+$ ]] \
  || { echo "usage: $0 [NAME MAC IP/PREFIX TAP]" >&2; exit 2; }
D=$SB/qemu/$NAME
GUEST=$SB/guest
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
log() { printf '[qemu %s] %s\n' "$(date +%H:%M:%S.%3N)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
wait_until() { local deadline=$(( $(now_ms) + $1 )) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do (( $(now_ms) < deadline )) || { log "timeout waiting for $what"; return 1; }; sleep 0.05; done; }
pid_alive() { local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) && [[ -n $st && $st != Z ]]; }
T0=$(now_ms)

command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing (test/sandbox/microvm/install-deps.sh)"
mkdir -p "$D"
if [[ -s $D/pid ]] && pid_alive "$(cat "$D/pid")" && [[ $(cat "/proc/$(cat "$D/pid")/comm") =~ ^qemu-(system-x86|$NAME)$ ]]; then
  log "$NAME already running (pid $(cat "$D/pid"))"; exit 0
fi
if [[ ! -s $GUEST/vmlinuz || ! -s $GUEST/initramfs.gz ]]; then
  [[ -x $REPO/test/sandbox/guest/build-guest.sh ]] && VSIM_SANDBOX_DIR=$SB "$REPO/test/sandbox/guest/build-guest.sh" >&2
  wait_until 600000 "the sandbox guest" test -s "$GUEST/vmlinuz" -a -s "$GUEST/initramfs.gz" || exit 1
fi
# (-name …,process=qemu-$NAME makes comm "qemu-jetson-1"; an older run may have lost its pid file)
if pgrep -f "process=qemu-$NAME( |$)" >/dev/null; then
  PID=$(pgrep -f "process=qemu-$NAME( |$)" | head -1); echo "$PID" >"$D/pid"; log "$NAME already running (pid $PID, pid file restored)"; exit 0
fi
rm -f "$D/serial.sock" "$D/qmp.sock" "$D/monitor.sock" "$D/pid" "$D/qemu.pid" "$D/tap"
: >"$D/serial.log"

prefix=()
net=(-nic none)
if [[ -e /run/netns/$NS ]]; then
  prefix=(ip netns exec "$NS")
  if ip -n "$NS" link show "$BR" >/dev/null 2>&1; then
    ip -n "$NS" link show "$TAP" >/dev/null 2>&1 || ip -n "$NS" tuntap add name "$TAP" mode tap
    ip -n "$NS" link set "$TAP" master "$BR"
    ip -n "$NS" link set "$TAP" up
    echo "$NS $TAP" >"$D/tap"
    net=(-netdev "tap,id=net0,ifname=$TAP,script=no,downscript=no" -device "virtio-net-pci,netdev=net0,mac=$MAC")
  fi
fi

"${prefix[@]}" qemu-system-x86_64 -name "$NAME,process=qemu-$NAME" \
  -machine pc -accel tcg -m 256 -smp 1 -nodefaults -no-user-config -display none \
  -chardev "socket,id=ser0,path=$D/serial.sock,server=on,wait=off,logfile=$D/serial.log,logappend=on" \
  -serial chardev:ser0 \
  -chardev "socket,id=qmp0,path=$D/qmp.sock,server=on,wait=off" -mon chardev=qmp0,mode=control \
  -chardev "socket,id=mon0,path=$D/monitor.sock,server=on,wait=off" -mon chardev=mon0,mode=readline \
  -kernel "$GUEST/vmlinuz" -initrd "$GUEST/initramfs.gz" \
  -append "console=ttyS0 panic=-1 vsim.hostname=$NAME vsim.ip=$IP vsim.gw=$GW" \
  "${net[@]}" \
  -pidfile "$D/qemu.pid" -daemonize
wait_until 10000 "QEMU pid file" test -s "$D/qemu.pid" || die "QEMU did not start"
PID=$(cat "$D/qemu.pid")
echo "$PID" >"$D/pid"
log "$NAME: QEMU pid $PID ($(( $(now_ms) - T0 )) ms); serial $D/serial.sock, qmp $D/qmp.sock"
if [[ ${VSIM_QEMU_WAIT_READY:-1} == 1 ]]; then
  wait_until 120000 "$NAME to boot" grep -q "vsim-guest $NAME ready" "$D/serial.log" || { tail -20 "$D/serial.log" >&2; exit 1; }
  log "$NAME ready $(( $(now_ms) - T0 )) ms after start"
fi
printf '%s up total_ms=%d\n' "$(date -Is)" $(( $(now_ms) - T0 )) >>"$D/timings.log"
