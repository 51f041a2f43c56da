#!/usr/bin/env bash
# Stops the microvm host hv2 started by test/sandbox/microvm/up.sh:
#   `nsenter -t PID -a systemctl poweroff` (the microvm@ units stop their guests through QMP
#   system_powerdown), waits for systemd (and the unshare that started it) to exit, removes the
#   empty cgroup, the br-slotN bridges in the netns, and /var/lib/microvms if up.sh created it.
# Only the recorded pids are ever signalled. Env: VSIM_SANDBOX_DIR, VSIM_HV2_NETNS.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
T0=$(now_ms)
[[ $(id -u) == 0 ]] || mv_die "must run as root"

if PID=$(hv2_pid); then
  # "Failed to connect to bus" is printed although the request is delivered (see the note).
  nsenter -t "$PID" -a systemctl poweroff >/dev/null 2>&1 || true
  if ! wait_until 60000 "hv2 systemd (pid $PID) to power off" pid_gone "$PID"; then
    mv_log "systemd pid $PID still running after 60 s: SIGKILL (ends its pid namespace)"
    kill -KILL "$PID" 2>/dev/null || true
    wait_until 10000 "pid $PID to die" pid_gone "$PID" || true
  fi
  mv_log "systemd (pid $PID) gone after $(( $(now_ms) - T0 )) ms"
else
  mv_log "hv2 is not running"
fi
if [[ -s $HV2/unshare.pid ]]; then
  U=$(cat "$HV2/unshare.pid")
  if pid_alive "$U" && [[ $(cat "/proc/$U/comm" 2>/dev/null) == unshare ]]; then
    wait_until 5000 "unshare (pid $U) to exit" pid_gone "$U" || kill -TERM "$U" 2>/dev/null || true
  fi
fi
rm -f "$HV2/pid" "$HV2/unshare.pid"

# the cgroup (and the empty sub-groups systemd made in it)
CGROOT=$(cgroup2_root)
if [[ -n $CGROOT && -d $CGROOT/$CG_NAME ]]; then
  if [[ -z $(cat "$CGROOT/$CG_NAME/cgroup.procs") ]] || wait_until 5000 "cgroup $CG_NAME to empty" \
       bash -c "! find '$CGROOT/$CG_NAME' -name cgroup.procs -exec cat {} + | grep -q ."; then
    find "$CGROOT/$CG_NAME" -depth -type d -exec rmdir {} + 2>/dev/null || true
  fi
  [[ -d $CGROOT/$CG_NAME ]] && mv_log "warning: cgroup $CGROOT/$CG_NAME not removed (still in use?)"
fi

# bridges made by up.sh (the TAPs went away with their QEMUs / tap-down)
if [[ -e /run/netns/$NS ]]; then
  for br in $(ip -n "$NS" -o link show type bridge 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E '^br-slot[0-9]+$' || true); do
    ip -n "$NS" link del "$br" 2>/dev/null || true
  done
  for tap in $(ip -n "$NS" -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep -E '^vm-slot[0-9]+$' || true); do
    ip -n "$NS" link del "$tap" 2>/dev/null || true
  done
fi

if [[ -e $HV2/created-var-lib-microvms ]]; then
  rmdir /var/lib/microvms 2>/dev/null && rm -f "$HV2/created-var-lib-microvms" || true
fi
T_END=$(now_ms)
printf '%s down total_ms=%d\n' "$(date -Is)" $((T_END - T0)) >>"$HV2/timings.log" 2>/dev/null || true
mv_log "hv2 down in $((T_END - T0)) ms"
