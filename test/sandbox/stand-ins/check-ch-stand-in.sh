#!/usr/bin/env bash
# Checks the cloud-hypervisor stand-in with curl over its unix socket (state machine, status codes,
# snapshot/restore, vmm.shutdown). Prints "N passed, N failed"; exit 1 on any failure.
set -uo pipefail
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
SB=${VSIM_SANDBOX_DIR:-$REPO/.sandbox}
D=$SB/ch-check; rm -rf "$D"; mkdir -p "$D/snap"
S=$D/api.sock
pass=0 fail=0
node "$REPO/test/sandbox/stand-ins/cloud-hypervisor-stand-in.mjs" --api-socket "path=$S" "$@" 2>"$D/log" &
PID=$!
for _ in $(seq 100); do [[ -S $S ]] && break; sleep 0.05; done
req() { # METHOD PATH [JSON] -> "CODE BODY"
  local a=(-s --unix-socket "$S" -X "$1" "http://localhost/api/v1/$2" -w ' %{http_code}')
  [[ -n ${3:-} ]] && a+=(-H 'Content-Type: application/json' -d "$3")
  local out; out=$(curl "${a[@]}"); echo "${out##* } ${out% *}"
}
expect() { # NAME WANT_CODE WANT_SUBSTRING METHOD PATH [JSON]
  local name=$1 code=$2 sub=$3; shift 3
  local got; got=$(req "$@")
  if [[ ${got%% *} == "$code" && $got == *"$sub"* ]]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL $name: got $got"; fi
}
spec=0; [[ " $* " == *" --errors spec "* || " $* " == *" --errors=spec "* ]] && spec=1
c405() { if [[ $spec == 1 ]]; then echo 405; else echo 500; fi; }
CFG='{"cpus":{"boot_vcpus":1,"max_vcpus":1},"memory":{"size":268435456},"payload":{"kernel":"/k","cmdline":"console=hvc0"},"net":[{"tap":"t0"}]}'
expect ping 200 '"version":"48.0.0"' GET vmm.ping
expect info-none 404 'VM is not created' GET vm.info
expect boot-none 404 'The VM could not boot' PUT vm.boot
expect legacy-body 500 'No kernel specified' PUT vm.create '{"kernel":{"path":"/k"},"cmdline":{"args":"x"}}'
expect bad-json 400 'Failed to deserialize JSON' PUT vm.create '{'
expect create 204 '' PUT vm.create "$CFG"
expect create-again 500 'already created' PUT vm.create "$CFG"
expect info-created 200 '"state":"Created"' GET vm.info
expect pause-created "$(c405)" 'VM is not running' PUT vm.pause
expect boot 204 '' PUT vm.boot
expect info-running 200 '"memory_actual_size":268435456' GET vm.info
expect boot-again 500 'Invalid VM state transition: Running to Running' PUT vm.boot
expect resume-running "$(c405)" 'Invalid VM state transition' PUT vm.resume
expect snapshot-running "$(c405)" 'Trying to snapshot while VM is running' PUT vm.snapshot "{\"destination_url\":\"file://$D/snap\"}"
expect pause 204 '' PUT vm.pause
expect info-paused 200 '"state":"Paused"' GET vm.info
expect snapshot-missing-dir 500 'Snapshot error' PUT vm.snapshot "{\"destination_url\":\"file://$D/nope\"}"
expect snapshot 204 '' PUT vm.snapshot "{\"destination_url\":\"file://$D/snap\"}"
[[ -s $D/snap/config.json && -s $D/snap/state.json ]] && pass=$((pass + 1)) || { fail=$((fail + 1)); echo "FAIL snapshot files"; }
expect resume 204 '' PUT vm.resume
expect reboot 204 '' PUT vm.reboot
expect action-with-body 400 'Bad Request' PUT vm.pause '{}'
expect shutdown 204 '' PUT vm.shutdown
expect info-after-shutdown 200 '"state":"Created"' GET vm.info
expect shutdown-again "$(c405)" 'VM is not running' PUT vm.shutdown
if [[ $spec == 1 ]]; then rc=404; else rc=500; fi
expect restore-created "$rc" 'already created' PUT vm.restore "{\"source_url\":\"file://$D/snap\"}"
expect delete 204 '' PUT vm.delete
expect restore 204 '' PUT vm.restore "{\"source_url\":\"file://$D/snap\"}"
expect info-restored 200 '"state":"Paused"' GET vm.info
expect resume-restored 204 '' PUT vm.resume
expect unknown-path 404 'Not Found' GET vm.nothing
expect wrong-method 400 'Bad Request' GET vm.boot
expect power-button 204 '' PUT vm.power-button
# the guest powers off and, as upstream does, the VMM exits and removes its socket
for _ in $(seq 100); do kill -0 $PID 2>/dev/null || break; sleep 0.05; done
if ! kill -0 $PID 2>/dev/null && [[ ! -e $S ]]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL VMM did not exit after guest power-off"; kill $PID 2>/dev/null; fi
echo "$pass passed, $fail failed"
[[ $fail == 0 ]]
