#!/usr/bin/env bash
# Starts the netem host: a QEMU (TCG) guest running this machine's Debian kernel, whose sshd is
# reachable only on 127.0.0.1:PORT (QEMU user-mode networking, hostfwd), with three endpoints
# (network namespaces ep1..ep3 on bridge br-netem, taps tap-ep1..3). See README.md beside this file.
# Idempotent: when the guest is already up and answers ssh, prints its line and exits 0.
# Output (last line, stdout): "vsim-netem 127.0.0.1 PORT SSH_CONFIG".
# Writes DIR/ssh/config (host alias vsim-netem; a snippet another config can Include) and DIR/env.json.
# Env: VSIM_NETEM_DIR (default REPO/.sandbox/netem), VSIM_NETEM_PORT (default: first free from 22340),
#      VSIM_NETEM_DEADLINE (seconds to wait for ssh, default 180).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
dir=${VSIM_NETEM_DIR:-$repo/.sandbox/netem}
deadline=${VSIM_NETEM_DEADLINE:-180}
mkdir -p "$dir/ssh"
# shellcheck source=lib.sh
. "$here/lib.sh"

# A guest booted from an older image than its build script describes is restarted.
if [[ -s $dir/initramfs.gz && $here/build-initramfs.sh -nt $dir/initramfs.gz ]]; then bash "$here/down.sh" >&2; fi
if netem_alive "$dir" && netem_ssh "$dir" true 2>/dev/null; then
  echo "vsim-netem 127.0.0.1 $(cat "$dir/port") $dir/ssh/config"
  exit 0
fi
# A stale pid file (guest gone or not answering): stop what is ours, start again.
bash "$here/down.sh" >/dev/null

for b in qemu-system-x86_64 ssh ssh-keygen cpio gzip modinfo; do
  command -v "$b" >/dev/null || { echo "netem: $b missing: run test/sandbox/install-deps.sh" >&2; exit 1; }
done
[[ -s $dir/ssh/client_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C vsim-netem-client -f "$dir/ssh/client_ed25519"
[[ -s $dir/ssh/host_ed25519_key ]] || ssh-keygen -q -t ed25519 -N '' -C vsim-netem-host -f "$dir/ssh/host_ed25519_key"
bash "$here/build-initramfs.sh" "$dir" >&2

port=${VSIM_NETEM_PORT:-}
if [[ -z $port ]]; then
  for p in $(seq 22340 22399); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
  done
fi
[[ -n $port ]] || { echo "netem: no free port in 22340-22399" >&2; exit 1; }
echo "$port" >"$dir/port"

echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$dir/ssh/host_ed25519_key.pub")" >"$dir/ssh/known_hosts"
cat >"$dir/ssh/config" <<EOF
# vsim netem host (test/sandbox/netem/up.sh): QEMU TCG guest, sshd on loopback only.
Host vsim-netem
  HostName 127.0.0.1
  Port $port
  User root
  IdentityFile $dir/ssh/client_ed25519
  IdentitiesOnly yes
  UserKnownHostsFile $dir/ssh/known_hosts
  StrictHostKeyChecking yes
  BatchMode yes
  ConnectTimeout 10
  ServerAliveInterval 15
EOF
cat >"$dir/env.json" <<EOF
{
  "sshConfig": "$dir/ssh/config",
  "hosts": { "vsim-netem": { "address": "127.0.0.1", "port": $port, "user": "root" } },
  "endpoints": {
    "ep1": { "tap": "tap-ep1", "ip": "10.99.0.11", "mac": "52:54:00:99:00:11", "netns": "ep1" },
    "ep2": { "tap": "tap-ep2", "ip": "10.99.0.12", "mac": "52:54:00:99:00:12", "netns": "ep2" },
    "ep3": { "tap": "tap-ep3", "ip": "10.99.0.13", "mac": "52:54:00:99:00:13", "netns": "ep3" }
  }
}
EOF

t0=$(date +%s%N)
rm -f "$dir/console.log"
qemu-system-x86_64 -name vsim-netem -accel tcg -machine pc -cpu max -smp 1 -m 384 \
  -kernel "$dir/vmlinuz" -initrd "$dir/initramfs.gz" -append "console=ttyS0 panic=-1" \
  -netdev "user,id=n0,net=10.0.2.0/24,hostfwd=tcp:127.0.0.1:$port-:22" -device virtio-net-pci,netdev=n0 \
  -display none -monitor none -serial "file:$dir/console.log" -no-reboot \
  -pidfile "$dir/qemu.pid" -daemonize
end=$(( $(date +%s) + deadline ))
until netem_ssh "$dir" true 2>/dev/null; do
  if ! netem_alive "$dir"; then echo "netem: QEMU exited; console: $dir/console.log" >&2; tail -n 20 "$dir/console.log" >&2 || true; exit 1; fi
  if (( $(date +%s) > end )); then
    echo "netem: no ssh on 127.0.0.1:$port after ${deadline}s; console: $dir/console.log" >&2
    tail -n 20 "$dir/console.log" >&2 || true
    bash "$here/down.sh" >&2
    exit 1
  fi
  sleep 1
done
until grep -q 'vsim-netem ready' "$dir/console.log"; do
  (( $(date +%s) <= end )) || { echo "netem: endpoints not ready; console: $dir/console.log" >&2; exit 1; }
  sleep 0.5
done
t1=$(date +%s%N)
echo "netem: up in $(( (t1 - t0) / 1000000 )) ms (pid $(cat "$dir/qemu.pid"))" >&2
echo "vsim-netem 127.0.0.1 $port $dir/ssh/config"
