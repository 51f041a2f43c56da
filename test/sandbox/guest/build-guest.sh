#!/usr/bin/env bash
# Builds the tiny sandbox guest into REPO/.sandbox/guest/:
#   vmlinuz       the Debian kernel (linux-image-amd64), copied from /boot
#   initramfs.gz  busybox-static userland + ACPI (button, evdev) and NIC modules
# Shared with the microvm sandbox: keep these two output paths stable.
# Guest kernel cmdline understood by the init script:
#   vsim.hostname=NAME         hostname (uname -n), default "vsim-guest"
#   vsim.ip=ADDR/PREFIX        static address on eth0 (optional)
#   vsim.gw=ADDR               default route (optional)
# Runs dropbear (dropbear-bin, with its libraries) on port 22 when the builder has it, so the guest's
# SSH port answers (vsim's boot progress "SSH reachable"); its host key is made at the first connection.
# Prints "vsim-guest NAME ready" on the console once acpid, sshd and the network are up,
# then keeps a root shell (prompt "/ # ") respawning on ttyS0 (and on hvc0 if present).
# Idempotent: does nothing when the outputs are newer than all inputs. Env:
#   VSIM_SANDBOX_DIR   default REPO/.sandbox     VSIM_GUEST_FORCE=1  rebuild anyway
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
sandbox=${VSIM_SANDBOX_DIR:-$repo/.sandbox}
out=$sandbox/guest
mkdir -p "$out"

kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n1 || true)
if [[ -z $kernel ]]; then
  echo "build-guest: no /boot/vmlinuz-*; run test/sandbox/install-deps.sh" >&2; exit 1
fi
kver=${kernel#/boot/vmlinuz-}
busybox=$(command -v busybox || true)
dropbear=$(command -v dropbear || { [[ -x /usr/sbin/dropbear ]] && echo /usr/sbin/dropbear; } || true)
if [[ -z $busybox ]] || ldd "$busybox" >/dev/null 2>&1; then
  echo "build-guest: need a static busybox (busybox-static)" >&2; exit 1
fi

# One builder at a time (the microvm sandbox may call this concurrently).
exec 9>"$out/.lock"
flock 9

up_to_date() {
  [[ ${VSIM_GUEST_FORCE:-0} != 1 ]] || return 1
  local f
  for f in "$out/vmlinuz" "$out/initramfs.gz"; do
    [[ -s $f ]] || return 1
    for i in "${BASH_SOURCE[0]}" "$kernel" "$busybox" ${dropbear:+"$dropbear"}; do
      [[ $f -nt $i ]] || return 1
    done
  done
  [[ -f $out/kernel-version && $(cat "$out/kernel-version") == "$kver" ]]
}
if up_to_date; then
  echo "build-guest: up to date ($out, kernel $kver)"
  exit 0
fi

t0=$(date +%s%N)
work=$(mktemp -d "$out/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,run,tmp,root,etc/acpi/PWRF,var/log,var/run,lib/modules}
cp "$busybox" "$root/bin/busybox"
# Applets are linked at boot (busybox --install), which also covers applets we do not list.
ln -s busybox "$root/bin/sh"
if [[ -n $dropbear ]]; then
  cp "$dropbear" "$root/usr/sbin/dropbear"
  mkdir -p "$root/etc/dropbear"
  ldd "$dropbear" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
fi

# Kernel modules, with their dependencies, in load order.
wanted=(button evdev virtio_pci virtio_net virtio_blk e1000)
declare -A seen=()
order=()
add_mod() {
  local m=$1 d deps
  [[ -n ${seen[$m]:-} ]] && return 0
  seen[$m]=1
  deps=$(modinfo -k "$kver" -F depends "$m" 2>/dev/null || true)
  for d in ${deps//,/ }; do add_mod "$d"; done
  order+=("$m")
}
for m in "${wanted[@]}"; do add_mod "$m"; done
: >"$root/lib/modules/load.list"
for m in "${order[@]}"; do
  src=$(modinfo -k "$kver" -n "$m" 2>/dev/null || true)
  if [[ -z $src || ! -f $src ]]; then
    # built into the kernel (or absent): nothing to load
    continue
  fi
  case $src in
    *.ko.xz)  xz -dc "$src" >"$root/lib/modules/$m.ko" ;;
    *.ko.zst) zstd -qdc "$src" >"$root/lib/modules/$m.ko" ;;
    *.ko.gz)  gzip -dc "$src" >"$root/lib/modules/$m.ko" ;;
    *.ko)     cp "$src" "$root/lib/modules/$m.ko" ;;
    *) echo "build-guest: unexpected module file $src" >&2; exit 1 ;;
  esac
  echo "$m" >>"$root/lib/modules/load.list"
done

cat >"$root/etc/passwd" <<'P'
root:x:0:0:root:/root:/bin/sh
P
cat >"$root/etc/group" <<'G'
root:x:0:
G
cat >"$root/etc/profile" <<'PR'
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export PS1='\w \$ '
export HOME=/root
cd /
PR

# ACPI power button -> immediate poweroff (busybox acpid; it needs /var/log for its log).
cat >"$root/etc/acpi/PWRF/00000080" <<'A'
#!/bin/sh
echo "vsim-guest: ACPI power button, powering off" >/dev/console
poweroff -f
A
chmod +x "$root/etc/acpi/PWRF/00000080"

cat >"$root/etc/inittab" <<'I'
::sysinit:/etc/rcS
ttyS0::respawn:-/bin/sh
hvc0::respawn:-/bin/sh
::ctrlaltdel:/bin/poweroff -f
::shutdown:/bin/sync
I

cat >"$root/etc/rcS" <<'R'
#!/bin/sh
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
hostname="vsim-guest"; ip=""; gw=""
for arg in $(cat /proc/cmdline); do
  case "$arg" in
    vsim.hostname=*) hostname="${arg#vsim.hostname=}" ;;
    vsim.ip=*) ip="${arg#vsim.ip=}" ;;
    vsim.gw=*) gw="${arg#vsim.gw=}" ;;
  esac
done
hostname "$hostname"
echo "$hostname" >/etc/hostname
while read -r m; do
  insmod "/lib/modules/$m.ko" 2>/dev/null || true
done </lib/modules/load.list
mdev -s 2>/dev/null || true
acpid
ip link set lo up
if [ -n "$ip" ]; then
  # The NIC driver binds asynchronously after insmod: wait for eth0 (max ~5 s).
  n=0
  while [ ! -e /sys/class/net/eth0 ] && [ $n -lt 50 ]; do sleep 0.1; n=$((n+1)); done
  ip addr add "$ip" dev eth0 && ip link set eth0 up
  [ -n "$gw" ] && ip route add default via "$gw"
fi
[ -x /usr/sbin/dropbear ] && /usr/sbin/dropbear -R -p 22
echo "vsim-guest $hostname ready"
R
chmod +x "$root/etc/rcS"

cat >"$root/init" <<'N'
#!/bin/busybox sh
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
exec /bin/busybox init
N
chmod +x "$root/init"

(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet -R 0:0) | gzip -9n >"$work/initramfs.gz"
install -m 0644 "$kernel" "$work/vmlinuz"
mv -f "$work/vmlinuz" "$out/vmlinuz"
mv -f "$work/initramfs.gz" "$out/initramfs.gz"
echo "$kver" >"$out/kernel-version"
t1=$(date +%s%N)
echo "build-guest: built $out/vmlinuz + initramfs.gz (kernel $kver, modules: $(tr '\n' ' ' <"$root/lib/modules/load.list")) in $(( (t1 - t0) / 1000000 )) ms"
