#!/usr/bin/env bash
# Stops the netem host started by up.sh: only the QEMU whose pid file is in DIR (checked against
# its command line), then removes the runtime files (keys, kernel and initramfs are kept for reuse).
# Env: VSIM_NETEM_DIR (default REPO/.sandbox/netem). Idempotent.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
dir=${VSIM_NETEM_DIR:-$repo/.sandbox/netem}
# shellcheck source=lib.sh
. "$here/lib.sh"

if netem_alive "$dir"; then
  pid=$(cat "$dir/qemu.pid")
  kill -TERM "$pid"
  for _ in $(seq 50); do [[ -d /proc/$pid ]] || break; sleep 0.1; done
  if [[ -d /proc/$pid ]]; then kill -KILL "$pid"; fi
  echo "netem: stopped QEMU pid $pid"
else
  echo "netem: not running"
fi
rm -f "$dir/qemu.pid" "$dir/port" "$dir/env.json"
