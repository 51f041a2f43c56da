#!/usr/bin/env bash
# Builds the netem host's initramfs into DIR (default REPO/.sandbox/netem): the Debian kernel of
# /boot (vmlinuz) and a busybox-static userland with, copied from this machine with the libraries
# ldd lists: OpenSSH's sshd, iproute2's ip and tc, tcpdump, dash (as `sh`, so that `tc`/`ip` are
# iproute2's and not busybox's applets), util-linux's unshare (vsim's netem probe) and procps'
# pgrep (the capture tests check no tcpdump is left), plus the
# kernel modules for netem, tbf, htb, ingress, u32, mirred, gact, ifb, veth and the bridge.
# The ssh host key and the authorized client key (DIR/ssh/) are baked in.
# Inside the guest (init: /etc/rcS): eth0 10.0.2.15/24 (QEMU user-mode network), sshd on :22
# (respawned by init), bridge br-netem 10.99.0.1/24 and three endpoints = network namespaces
# ep1..ep3 whose eth0 (10.99.0.1N/24, MAC 52:54:00:99:00:1N) is the peer of veth tap-epN on the bridge.
# Prints "vsim-netem ready" on the console when all that is up.
# Usage: build-initramfs.sh DIR   (idempotent: nothing to do when newer than its inputs)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
out=${1:?usage: build-initramfs.sh DIR}
mkdir -p "$out"

kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n1 || true)
[[ -n $kernel ]] || { echo "netem: no /boot/vmlinuz-*; run test/sandbox/install-deps.sh" >&2; exit 1; }
kver=${kernel#/boot/vmlinuz-}
busybox=$(command -v busybox || true)
if [[ -z $busybox ]] || ldd "$busybox" >/dev/null 2>&1; then
  echo "netem: need a static busybox (busybox-static)" >&2; exit 1
fi
bins=(/usr/sbin/sshd /usr/sbin/tc /usr/sbin/ip /usr/bin/tcpdump /usr/bin/dash /usr/bin/unshare /usr/bin/pgrep)
for b in "${bins[@]}"; do
  [[ -x $b ]] || { echo "netem: $b missing (Debian packages openssh-server iproute2 tcpdump dash util-linux procps)" >&2; exit 1; }
done
[[ -s $out/ssh/host_ed25519_key && -s $out/ssh/client_ed25519.pub ]] || { echo "netem: keys missing in $out/ssh (up.sh makes them)" >&2; exit 1; }

exec 9>"$out/.build.lock"
flock 9

if [[ ${VSIM_NETEM_FORCE:-0} != 1 && -s $out/initramfs.gz && -s $out/vmlinuz && $(cat "$out/kernel-version" 2>/dev/null) == "$kver" ]]; then
  fresh=1
  for i in "${BASH_SOURCE[0]}" "$kernel" "$busybox" "${bins[@]}" "$out/ssh/host_ed25519_key" "$out/ssh/client_ed25519.pub"; do
    [[ $out/initramfs.gz -nt $i ]] || fresh=0
  done
  if [[ $fresh == 1 ]]; then echo "netem: initramfs up to date"; exit 0; fi
fi

t0=$(date +%s%N)
work=$(mktemp -d "$out/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,usr/local/sbin,proc,sys,dev,run,tmp,root/.ssh,etc/ssh,var,var/empty,lib/modules}
mkdir -p "$root/var/log"
cp "$busybox" "$root/bin/busybox"
ln -s busybox "$root/bin/sh"
ln -s /run "$root/var/run"

# Dynamic binaries and their libraries, under the same paths as here.
copy_with_libs() {
  local b=$1 dest=$2 lib
  install -D -m 0755 "$b" "$root$dest"
  for lib in $(ldd "$b" | awk '/=>/ { print $3 } /^\s*\/lib/ { print $1 }'); do
    [[ -e $root$lib ]] || install -D -m 0755 "$lib" "$root$lib"
  done
}
copy_with_libs /usr/sbin/sshd /usr/sbin/sshd
copy_with_libs /usr/sbin/tc /usr/local/sbin/tc
copy_with_libs /usr/sbin/ip /usr/local/sbin/ip
copy_with_libs /usr/bin/tcpdump /usr/local/sbin/tcpdump
copy_with_libs /usr/bin/dash /usr/local/bin/sh
copy_with_libs /usr/bin/unshare /usr/local/bin/unshare
copy_with_libs /usr/bin/pgrep /usr/local/bin/pgrep
# Debian's layout: /lib -> usr/lib is a symlink here but libraries are named /lib/...; keep both resolvable.
[[ -d $root/lib64 ]] || mkdir -p "$root/lib64"
[[ -e $root/lib64/ld-linux-x86-64.so.2 ]] || install -D -m 0755 /lib64/ld-linux-x86-64.so.2 "$root/lib64/ld-linux-x86-64.so.2"
[[ -d /usr/lib/tc ]] && cp -r /usr/lib/tc "$root/usr/lib/tc"

# Kernel modules with their dependencies, in load order.
wanted=(virtio_pci virtio_net sch_netem sch_tbf sch_htb sch_ingress cls_u32 act_mirred act_gact ifb veth bridge)
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
  [[ -n $src && -f $src ]] || continue   # built in
  case $src in
    *.ko.xz)  xz -dc "$src" >"$root/lib/modules/$m.ko" ;;
    *.ko.zst) zstd -qdc "$src" >"$root/lib/modules/$m.ko" ;;
    *.ko.gz)  gzip -dc "$src" >"$root/lib/modules/$m.ko" ;;
    *.ko)     cp "$src" "$root/lib/modules/$m.ko" ;;
    *) echo "netem: unexpected module file $src" >&2; exit 1 ;;
  esac
  echo "$m" >>"$root/lib/modules/load.list"
done

cat >"$root/etc/passwd" <<'P'
root:x:0:0:root:/root:/usr/local/bin/sh
sshd:x:101:65534::/run/sshd:/bin/false
tcpdump:x:102:102::/nonexistent:/bin/false
nobody:x:65534:65534:nobody:/:/bin/false
P
cat >"$root/etc/group" <<'G'
root:x:0:
tcpdump:x:102:
nogroup:x:65534:
G
echo 'hosts: files' >"$root/etc/nsswitch.conf"
echo '127.0.0.1 localhost vsim-netem' >"$root/etc/hosts"
install -m 0600 "$out/ssh/host_ed25519_key" "$root/etc/ssh/ssh_host_ed25519_key"
install -m 0600 "$out/ssh/client_ed25519.pub" "$root/root/.ssh/authorized_keys"
cat >"$root/etc/ssh/sshd_config" <<'S'
Port 22
HostKey /etc/ssh/ssh_host_ed25519_key
AuthorizedKeysFile /root/.ssh/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
PidFile /run/sshd.pid
SetEnv PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
S

cat >"$root/etc/inittab" <<'I'
::sysinit:/etc/rcS
::respawn:/usr/sbin/sshd -D -e -f /etc/ssh/sshd_config
::ctrlaltdel:/bin/poweroff -f
::shutdown:/bin/sync
I

cat >"$root/etc/rcS" <<'R'
#!/usr/local/bin/sh
export PATH=/usr/local/sbin:/usr/local/bin:/bin:/sbin:/usr/bin:/usr/sbin
hostname vsim-netem
while read -r m; do a=""; [ "$m" = ifb ] && a=numifbs=0; insmod "/lib/modules/$m.ko" $a 2>/dev/null || echo "netem: insmod $m failed"; done </lib/modules/load.list
mkdir -p /run/sshd /run/netns
chmod 0755 /run/sshd
ip link set lo up
n=0
while [ ! -e /sys/class/net/eth0 ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n+1)); done
ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up && ip route add default via 10.0.2.2
ip link add br-netem type bridge
ip addr add 10.99.0.1/24 dev br-netem
ip link set br-netem up
for i in 1 2 3; do
  ip netns add ep$i
  ip link add tap-ep$i type veth peer name eth0 netns ep$i
  ip link set tap-ep$i master br-netem up
  ip -n ep$i link set lo up
  ip -n ep$i link set eth0 address 52:54:00:99:00:1$i
  ip -n ep$i addr add 10.99.0.1$i/24 dev eth0
  ip -n ep$i link set eth0 up
done
echo "vsim-netem ready"
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

(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet -R 0:0) | gzip -6n >"$work/initramfs.gz"
install -m 0644 "$kernel" "$work/vmlinuz"
mv -f "$work/vmlinuz" "$out/vmlinuz"
mv -f "$work/initramfs.gz" "$out/initramfs.gz"
echo "$kver" >"$out/kernel-version"
t1=$(date +%s%N)
echo "netem: built initramfs (kernel $kver, modules: $(tr '\n' ' ' <"$root/lib/modules/load.list")) in $(( (t1 - t0) / 1000000 )) ms"
