#!/usr/bin/env bash
# Aspen-style cloud-hypervisor cluster (seed 004) made of cloud-hypervisor STAND-INs.
# Each node is test/sandbox/stand-ins/cloud-hypervisor-stand-in.mjs (not the real VMM: it serves
# cloud-hypervisor's REST API and runs no guest). The VMs are created and booted through the REST
# API with `curl --unix-socket`, as seed 004 does.
#
#   ch-cluster.sh up [N]   start nodes 1..N (default 3), create + boot their VMs
#   ch-cluster.sh down     vmm.shutdown every node, wait for exit, stop only our recorded pids
#   ch-cluster.sh status   one line per node: node-N <pid> <socket> <state>
#
# Layout (VSIM_SANDBOX_DIR, default REPO/.sandbox):
#   ch/node-N.sock   API socket          ch/node-N.pid   stand-in pid     ch/node-N.log   its log
#   ch/cluster.json  nodes, sockets, TAPs (aspen-tapN-1), IPs 10.100.0.(N+1), bridge aspen-br0 10.100.0.1/24
#   ch/snapshots/    a place for vm.snapshot destination_url=file://… directories
set -euo pipefail
REPO="$(cd "$(dirname "$0")/../../.." && pwd)"
SB="${VSIM_SANDBOX_DIR:-$REPO/.sandbox}"
CH="$SB/ch"
STANDIN="$REPO/test/sandbox/stand-ins/cloud-hypervisor-stand-in.mjs"
GUEST="$SB/guest"

now_ms() { date +%s%3N; }
api() { # api SOCK METHOD PATH [JSON] -> prints body, returns 0 on 2xx
  local sock=$1 method=$2 p=$3 data=${4:-} out code
  if [ -n "$data" ]; then
    out=$(curl -sS --unix-socket "$sock" -X "$method" "http://localhost/api/v1/$p" -H 'Content-Type: application/json' -d "$data" -w '\n%{http_code}')
  else
    out=$(curl -sS --unix-socket "$sock" -X "$method" "http://localhost/api/v1/$p" -w '\n%{http_code}')
  fi
  code=${out##*$'\n'}; out=${out%$'\n'*}
  printf '%s' "$out"
  [[ $code == 2* ]] || { echo "ch-cluster: $method $p on $sock -> HTTP $code $out" >&2; return 1; }
}
wait_for() { # wait_for DEADLINE_MS CMD...
  local deadline=$(( $(now_ms) + $1 )); shift
  until "$@" 2>/dev/null; do
    [ "$(now_ms)" -lt "$deadline" ] || return 1
    sleep 0.02
  done
}
# A pid is alive if it exists and is not a zombie (our PID 1 may reap orphans late).
pid_alive() { local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) && [ -n "$st" ] && [ "$st" != Z ]; }
pid_gone() { ! pid_alive "$1"; }
alive() { [ -f "$1" ] && pid_alive "$(cat "$1")"; }

up() {
  local n=${1:-3} t0 i sock kernel initrd nodes=()
  t0=$(now_ms)
  mkdir -p "$CH/snapshots"
  # The stand-in runs no guest; the payload paths only need to look like a real lab's.
  # The paths examples/sandbox.vsim.yaml declares (/run/vsim-sandbox → this sandbox dir), so its plan matches.
  if [ "$(readlink /run/vsim-sandbox 2>/dev/null)" = "$SB" ]; then GUEST=/run/vsim-sandbox/guest; fi
  kernel="$GUEST/vmlinuz"; initrd="$GUEST/initramfs.gz"
  for i in $(seq 1 "$n"); do
    sock="$CH/node-$i.sock"
    if alive "$CH/node-$i.pid"; then echo "ch-cluster: node-$i already running (pid $(cat "$CH/node-$i.pid"))" >&2; continue; fi
    setsid node "$STANDIN" --api-socket "path=$sock" >"$CH/node-$i.log" 2>&1 < /dev/null &
    echo $! > "$CH/node-$i.pid"
  done
  for i in $(seq 1 "$n"); do
    sock="$CH/node-$i.sock"
    wait_for 5000 api "$sock" GET vmm.ping >/dev/null || { echo "ch-cluster: node-$i did not answer vmm.ping" >&2; exit 1; }
    local ip="10.100.0.$((i + 1))" tap="aspen-tap$((i - 1))"
    if ! api "$sock" GET vm.info >/dev/null 2>&1; then
      api "$sock" PUT vm.create "$(printf '{"cpus":{"boot_vcpus":2,"max_vcpus":2},"memory":{"size":536870912},"payload":{"kernel":"%s","initramfs":"%s","cmdline":"console=hvc0 vsim.hostname=aspen-node-%d vsim.ip=%s/24"},"net":[{"tap":"%s","mac":"02:a5:00:00:00:%02x"}],"serial":{"mode":"Pty"},"console":{"mode":"Off"}}' \
        "$kernel" "$initrd" "$i" "$ip" "$tap" "$((i + 1))")" >/dev/null
      api "$sock" PUT vm.boot >/dev/null
    fi
    nodes+=("$(printf '{"node":%d,"name":"aspen-node-%d","socket":"%s","pid":%s,"tap":"%s","ip":"%s"}' "$i" "$i" "$sock" "$(cat "$CH/node-$i.pid")" "$tap" "$ip")")
  done
  printf '{"standIn":true,"bridge":"aspen-br0","gateway":"10.100.0.1/24","nodes":[%s]}\n' "$(IFS=,; echo "${nodes[*]}")" > "$CH/cluster.json"
  echo "ch-cluster: $n node(s) up in $(( $(now_ms) - t0 )) ms; config $CH/cluster.json"
}

down() {
  local t0 f i sock pid
  t0=$(now_ms)
  shopt -s nullglob
  for f in "$CH"/node-*.pid; do
    i=${f##*/node-}; i=${i%.pid}; sock="$CH/node-$i.sock"; pid=$(cat "$f")
    if pid_alive "$pid"; then
      api "$sock" PUT vmm.shutdown >/dev/null 2>&1 || true
      if ! wait_for 3000 pid_gone "$pid"; then
        echo "ch-cluster: node-$i (pid $pid) ignored vmm.shutdown; sending SIGTERM" >&2
        kill "$pid" 2>/dev/null || true
        wait_for 3000 pid_gone "$pid" || kill -9 "$pid" 2>/dev/null || true
      fi
    fi
    rm -f "$f" "$sock" "$sock.lock"
  done
  rm -f "$CH/cluster.json"
  echo "ch-cluster: down in $(( $(now_ms) - t0 )) ms"
}

status() {
  shopt -s nullglob
  local f i sock state
  for f in "$CH"/node-*.pid; do
    i=${f##*/node-}; i=${i%.pid}; sock="$CH/node-$i.sock"
    if alive "$f"; then
      state=$(api "$sock" GET vm.info 2>/dev/null | sed -n 's/.*"state":"\([A-Za-z]*\)".*/\1/p'); state=${state:-NotCreated}
    else state=VmmNotRunning; fi
    echo "node-$i $(cat "$f") $sock $state"
  done
}

case "${1:-}" in
  up) shift; up "$@" ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up [N] | down | status" >&2; exit 1 ;;
esac
