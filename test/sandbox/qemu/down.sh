#!/usr/bin/env bash
# Stops the n3x-style QEMU guest started by test/sandbox/qemu/up.sh: QMP `quit` (the seed's
# `echo quit | socat - unix-connect:monitor.sock` does the same over HMP), then waits for the
# recorded pid; SIGTERM/SIGKILL to that pid only if it does not exit. Removes its TAP.
set -euo pipefail
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
SB=${VSIM_SANDBOX_DIR:-$REPO/.sandbox}
NAME=${1:-jetson-1}   # down.sh [NAME]
[[ $NAME =~ ^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$ ]] || { echo "usage: $0 [NAME]" >&2; exit 2; }
D=$SB/qemu/$NAME
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
log() { printf '[qemu %s] %s\n' "$(date +%H:%M:%S.%3N)" "$*" >&2; }
pid_alive() { local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) && [[ -n $st && $st != Z ]]; }
wait_gone() { local deadline=$(( $(now_ms) + $2 )); while pid_alive "$1"; do (( $(now_ms) < deadline )) || return 1; sleep 0.05; done; }
T0=$(now_ms)
if [[ -s $D/pid ]]; then
  PID=$(cat "$D/pid")
  if pid_alive "$PID" && [[ $(cat "/proc/$PID/comm" 2>/dev/null) =~ ^qemu-(system-x86|$NAME)$ ]]; then
    if [[ -S $D/qmp.sock ]]; then
      printf '%s\n%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"quit"}' |
        timeout 5 socat -t 0.1 -,ignoreeof "UNIX-CONNECT:$D/qmp.sock" >/dev/null 2>&1 || true
    fi
    if ! wait_gone "$PID" 5000; then
      log "QEMU $PID ignored quit: SIGTERM"; kill -TERM "$PID" 2>/dev/null || true
      wait_gone "$PID" 5000 || kill -KILL "$PID" 2>/dev/null || true
    fi
    log "stopped QEMU pid $PID"
  fi
fi
if [[ -s $D/tap ]]; then
  read -r ns tap <"$D/tap"
  ip -n "$ns" link del "$tap" 2>/dev/null || true
fi
rm -f "$D/pid" "$D/qemu.pid" "$D/tap" "$D/serial.sock" "$D/qmp.sock" "$D/monitor.sock"
log "down in $(( $(now_ms) - T0 )) ms"
