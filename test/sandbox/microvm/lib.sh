# Shared by test/sandbox/microvm/up.sh and down.sh (sourced, not run).
# shellcheck shell=bash
MV_HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MV_REPO=$(cd "$MV_HERE/../../.." && pwd)
SB=${VSIM_SANDBOX_DIR:-$MV_REPO/.sandbox}
mkdir -p "$SB"
SB=$(cd "$SB" && pwd)
NS=${VSIM_HV2_NETNS:-vsim-hv2}
HV2=$SB/hv2                       # runtime state of the microvm host
CG_NAME=vsim-hv2                  # our cgroup v2 group (under the host's cgroup2 mount)
SLOTS=(${VSIM_MICROVM_SLOTS:-1 2 3})
AUTOSTART=(${VSIM_MICROVM_AUTOSTART:-1 2})

mv_log() { printf '[microvm %s] %s\n' "$(date +%H:%M:%S.%3N)" "$*" >&2; }
mv_die() { mv_log "ERROR: $*"; exit 1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
wait_until() { # deadline_ms description command... (polls every 50 ms)
  local deadline=$(( $(now_ms) + $1 )) what=$2; shift 2
  until "$@" >/dev/null 2>&1; do
    (( $(now_ms) < deadline )) || { mv_log "timeout waiting for $what"; return 1; }
    sleep 0.05
  done
}
# alive = exists and is not a zombie (the machine's PID 1 reaps orphans late)
pid_alive() { local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) && [[ -n $st && $st != Z ]]; }
pid_gone() { ! pid_alive "$1"; }
# the recorded systemd (PID 1 of hv2) if it is still ours: alive, comm systemd, container=vsim-hv2
hv2_pid() {
  local pid
  [[ -s $HV2/pid ]] || return 1
  pid=$(cat "$HV2/pid")
  pid_alive "$pid" || return 1
  [[ $(cat "/proc/$pid/comm" 2>/dev/null) == systemd ]] || return 1
  tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qx "container=$CG_NAME" || return 1
  echo "$pid"
}
cgroup2_root() { # where the host's cgroup v2 hierarchy is mounted
  awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts
}
