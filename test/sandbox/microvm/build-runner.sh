#!/usr/bin/env bash
# Builds a microvm.nix-style runner for one slot and points the slot's `current` symlink at it.
# Inside hv2 it is on PATH as `vsim-build-microvm SLOT [--memory MB]` (a stand-in for
# `nix build .#nixosConfigurations.SLOT.config.microvm.declaredRunner -o /var/lib/microvms/SLOT/current`:
# NixOS closures cannot be built offline here). Like a Nix store path, a runner directory is named
# after the hash of its contents and never changes; a changed config gives a new directory, so
# `current` (newest build) and `booted` (what microvm@SLOT runs) can differ: configuration drift.
#
# Runner layout (microvm.nix's, QEMU hypervisor):
#   bin/microvm-run        execs qemu-system-x86_64 -accel tcg, serial console on the unix socket
#                          SLOT/console.sock (one client at a time), its output also in SLOT/console.log
#                          (rewritten at each boot) -- what nix/'s module sets up with microvm.nix's
#                          qemu.serialConsole = false + qemu.extraArgs
#   bin/microvm-shutdown   QMP system_powerdown on SLOT.sock, waits for QEMU to exit (max 30 s)
#   bin/tap-up, bin/tap-down   TAP vm-SLOT on bridge br-SLOT
#   share/microvm/tap-interfaces, share/microvm/vmlinuz, share/microvm/initrd, share/microvm/config
#
# Env: VSIM_MICROVM_ROOT  where /var/lib/microvms physically is (default /var/lib/microvms)
#      VSIM_GUEST_DIR     vmlinuz + initramfs.gz to use (default: those of the slot's current runner)
#      VSIM_MICROVM_MEMORY default memory in MiB (default: current runner's, else 256)
# Prints the runner path as seen inside hv2.
set -euo pipefail
slot=${1:-}
[[ $slot =~ ^slot([0-9]+)$ ]] || { echo "usage: $0 slotN [--memory MB]" >&2; exit 1; }
n=${BASH_REMATCH[1]}
shift
ROOT=${VSIM_MICROVM_ROOT:-/var/lib/microvms}
L=/var/lib/microvms                      # the path inside hv2
cur="$ROOT/$slot/current"
mem=${VSIM_MICROVM_MEMORY:-}
if [[ -z $mem && -r $cur/share/microvm/config ]]; then mem=$(sed -n 's/^memory=//p' "$cur/share/microvm/config"); fi
mem=${mem:-256}
while [[ $# -gt 0 ]]; do
  case $1 in
    --memory) mem=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 1 ;;
  esac
done
[[ $mem =~ ^[0-9]+$ ]] || { echo "bad memory $mem" >&2; exit 1; }
if [[ -n ${VSIM_GUEST_DIR:-} ]]; then
  kernel=$VSIM_GUEST_DIR/vmlinuz; initrd=$VSIM_GUEST_DIR/initramfs.gz
else
  kernel=$cur/share/microvm/vmlinuz; initrd=$cur/share/microvm/initrd
fi
[[ -s $kernel && -s $initrd ]] || { echo "no guest kernel/initrd ($kernel, $initrd)" >&2; exit 1; }

tmp=$(mktemp -d "$ROOT/.store/.build-XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/share/microvm"
cp -l "$kernel" "$tmp/share/microvm/vmlinuz" 2>/dev/null || cp "$kernel" "$tmp/share/microvm/vmlinuz"
cp -l "$initrd" "$tmp/share/microvm/initrd" 2>/dev/null || cp "$initrd" "$tmp/share/microvm/initrd"
printf 'name=%s\nhypervisor=qemu\naccel=tcg\nmemory=%s\nvcpu=1\nip=10.%s.0.2/24\ntap=vm-%s\nbridge=br-%s\n' \
  "$slot" "$mem" "$n" "$slot" "$slot" >"$tmp/share/microvm/config"
echo "vm-$slot" >"$tmp/share/microvm/tap-interfaces"
mac=$(printf '02:00:00:00:%02x:02' "$n")
# RUNNER_REV: bump when the scripts below change shape (they are part of what the hash names).
RUNNER_REV=3
kh=$({ cat "$tmp/share/microvm/vmlinuz" "$tmp/share/microvm/initrd" "$tmp/share/microvm/config"; echo "rev $RUNNER_REV"; } | sha256sum | cut -c1-32)
name="$kh-microvm-qemu-$slot"
store="$L/.store/$name"

cat >"$tmp/bin/microvm-run" <<EOF
#!/bin/sh
# microvm-run for $slot (vsim sandbox; shaped like microvm.nix's QEMU runner, TCG only)
set -e
cd $L/$slot
# microvm.nix volumes have autoCreate: a state made by \`vm-state create\` has no disk until first boot.
[ -e data.img ] || truncate -s 64M data.img
exec qemu-system-x86_64 -name $slot,process=microvm-$slot \\
  -machine pc -accel tcg -m $mem -smp 1 \\
  -nodefaults -no-user-config -display none \\
  -chardev socket,id=con0,path=$L/$slot/console.sock,server=on,wait=off,logfile=$L/$slot/console.log,logappend=off -serial chardev:con0 \\
  -qmp unix:$L/$slot/$slot.sock,server=on,wait=off \\
  -kernel $store/share/microvm/vmlinuz -initrd $store/share/microvm/initrd \\
  -append 'console=ttyS0 panic=-1 vsim.hostname=$slot vsim.ip=10.$n.0.2/24 vsim.gw=10.$n.0.1' \\
  -drive id=data,file=$L/$slot/data.img,format=raw,if=none -device virtio-blk-pci,drive=data \\
  -netdev tap,id=net0,ifname=vm-$slot,script=no,downscript=no \\
  -device virtio-net-pci,netdev=net0,mac=$mac
EOF
cat >"$tmp/bin/microvm-shutdown" <<EOF
#!/bin/sh
# Asks the guest to power off through QMP and waits (max 30 s) for QEMU to close the socket.
sock=$L/$slot/$slot.sock
[ -S "\$sock" ] || exit 0
# stdin must stay open (ignoreeof): QEMU drops queued commands when the client half-closes.
printf '%s\n%s\n' '{"execute":"qmp_capabilities"}' '{"execute":"system_powerdown"}' |
  timeout 30 socat -t 0.1 -,ignoreeof "UNIX-CONNECT:\$sock" >/dev/null 2>&1 || true
EOF
cat >"$tmp/bin/tap-up" <<EOF
#!/bin/sh
set -e
ip link show vm-$slot >/dev/null 2>&1 || ip tuntap add name vm-$slot mode tap
ip link set vm-$slot master br-$slot
ip link set vm-$slot up
EOF
cat >"$tmp/bin/tap-down" <<EOF
#!/bin/sh
ip link del vm-$slot 2>/dev/null || true
EOF
chmod 755 "$tmp"/bin/*
# The scripts are a pure function of slot, memory and the store path, so hashing kernel, initrd
# and config names the whole runner. An identical build reuses the existing directory.
if [[ ! -d $ROOT/.store/$name ]]; then
  mv "$tmp" "$ROOT/.store/$name"
  trap - EXIT
fi
ln -sTf "$store" "$ROOT/$slot/current.tmp"
mv -Tf "$ROOT/$slot/current.tmp" "$ROOT/$slot/current"
echo "$store"
