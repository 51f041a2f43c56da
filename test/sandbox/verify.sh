#!/usr/bin/env bash
# End-to-end check of the sandbox hypervisor, N cycles (default 3) of:
#   up (cold) -> up (warm) -> ssh hv1 virsh list -> ssh hv2 (ProxyJump) -> virsh console over ssh -tt
#   -> ACPI shutdown of compute -> snapshot create/revert on storage -> down -> nothing left behind.
# Prints one line per figure; exit 1 on the first failure (the sandbox is left up for inspection).
#   bash test/sandbox/verify.sh [CYCLES]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
SB=${VSIM_SANDBOX_DIR:-$repo/.sandbox}
CFG=$SB/ssh/config
cycles=${1:-3}

ms() { echo $(( $(date +%s%N) / 1000000 )); }
fail() { echo "FAIL: $*" >&2; exit 1; }
timed() { # label command...
  local label=$1 t0 rc=0; shift; t0=$(ms)
  "$@" >"$SB/logs/verify-last.out" 2>&1 || rc=$?
  local dt=$(( $(ms) - t0 ))
  ((rc == 0)) || { cat "$SB/logs/verify-last.out" >&2; fail "$label ($dt ms)"; }
  printf '  %-44s %6d ms\n' "$label" "$dt"
}

check_gone() {
  local left=""
  ip netns list | grep -qE '^vsim-hv[12]( |$)' && left+=" netns:$(ip netns list | grep -E '^vsim-hv[12]' | tr '\n' ' ')"
  for f in "$SB"/hv1/*.pid; do [[ -e $f ]] && left+=" pidfile:$(basename "$f")"; done
  local p
  for p in $(pgrep -x libvirtd || true) $(pgrep -x virtlogd || true); do
    [[ $(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) == Z ]] || left+=" $(cat "/proc/$p/comm" 2>/dev/null):$p"
  done
  for p in $(pgrep -f -- "$SB/(ssh|hv1)/|guest=(chassis|compute|storage|edge\.Gateway),|TCP-LISTEN:.*vsim-hv1" || true); do
    [[ $(awk '{print $3}' "/proc/$p/stat" 2>/dev/null) == Z ]] || left+=" pid:$p($(cat "/proc/$p/comm" 2>/dev/null))"
  done
  for p in chassis compute storage edge.Gateway; do [[ -e /etc/libvirt/qemu/$p.xml ]] && left+=" /etc/libvirt/qemu/$p.xml"; done
  [[ -z $left ]] || fail "left behind after down:$left"
}

mkdir -p "$SB/logs"
for ((c = 1; c <= cycles; c++)); do
  echo "cycle $c/$cycles"
  bash "$here/sandbox.sh" down >/dev/null 2>&1 || true
  check_gone
  timed "up (cold)" bash "$here/sandbox.sh" up
  timed "up (warm)" bash "$here/sandbox.sh" up
  timed "status" bash "$here/sandbox.sh" status
  timed "ssh vsim-hv1 virsh -q list --all" ssh -F "$CFG" -o BatchMode=yes vsim-hv1 virsh -q list --all
  grep -qE 'chassis +running' "$SB/logs/verify-last.out" || fail "chassis not running"
  grep -qE 'compute +running' "$SB/logs/verify-last.out" || fail "compute not running"
  grep -qE 'storage +shut off' "$SB/logs/verify-last.out" || fail "storage not shut off"
  timed "ssh vsim-hv2 true (ProxyJump)" ssh -F "$CFG" -o BatchMode=yes vsim-hv2 true
  timed "ssh vsim-hv2 hostname" ssh -F "$CFG" -o BatchMode=yes vsim-hv2 hostname
  grep -qx vsim-hv2 "$SB/logs/verify-last.out" || fail "hv2 hostname: $(cat "$SB/logs/verify-last.out")"
  timed "virsh console chassis (ssh -tt) prompt+detach" node "$here/lib/console-check.mjs" "$CFG" vsim-hv1 chassis
  sed 's/^/    /' "$SB/logs/verify-last.out"
  timed "virsh shutdown compute -> shut off (ACPI)" ssh -F "$CFG" -o BatchMode=yes vsim-hv1 \
    'virsh -q shutdown compute >/dev/null; for i in $(seq 300); do [ "$(virsh -q domstate compute)" = "shut off" ] && exit 0; sleep 0.05; done; exit 1'
  timed "virsh start storage" ssh -F "$CFG" -o BatchMode=yes vsim-hv1 virsh -q start storage
  timed "snapshot-create-as storage s1" ssh -F "$CFG" -o BatchMode=yes vsim-hv1 virsh -q snapshot-create-as storage s1
  timed "snapshot-revert storage s1" ssh -F "$CFG" -o BatchMode=yes vsim-hv1 virsh -q snapshot-revert storage s1
  timed "down" bash "$here/sandbox.sh" down
  check_gone
  echo "  nothing left behind (processes, netns, pid files, libvirt domain XML)"
done
echo "verify: $cycles cycle(s) passed"
