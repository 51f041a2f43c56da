#!/usr/bin/env bash
# Microvm host "hv2" (the microvm.nix lab style of seeds 002/003) for the vsim sandbox.
#
# Real systemd 252 runs as PID 1 of its own container (pid/mount/cgroup/uts/ipc namespaces) that
# is joined to the existing network namespace VSIM_HV2_NETNS (default vsim-hv2, made by
# test/sandbox/sandbox.sh with 10.77.0.2/24). Inside it:
#   sshd-hv2.service          real sshd on 10.77.0.2:22 (hv1 users ProxyJump into it)
#   microvm@.service          microvm.nix's template: ExecStart=/var/lib/microvms/%i/current/bin/microvm-run
#   microvm-tap-interfaces@   creates TAP vm-slotN on bridge br-slotN (10.N.0.1/24; guest 10.N.0.2)
#   microvms.target           wants microvm@slot1 + microvm@slot2; slot3 stays stopped
#   vm-state                  the vm-state STAND-IN (test/sandbox/stand-ins/vm-state), in PATH
# Each runner execs real QEMU (TCG) with the sandbox guest; its serial console is the unix socket
# /var/lib/microvms/slotN/console.sock (interactive, one client at a time), its output kept in
# console.log beside it; `journalctl -u microvm@slotN` has the unit's and QEMU's own lines.
#
# Safety (../shared/notes/sandbox-hypervisor.md, "systemd units"): own cgroup v2 group, masks for
# every sysinit/sockets/timers unit except journald, tmpfs /run /tmp /var/tmp /var/log/journal,
# read-only /sys, cgroup2 at /sys/fs/cgroup. /var/lib/microvms is a bind mount of
# REPO/.sandbox/hv2/microvms in the container's mount namespace only.
#
# Env: VSIM_SANDBOX_DIR (default REPO/.sandbox), VSIM_HV2_NETNS (vsim-hv2), VSIM_HV2_ADDRESS
# (10.77.0.2), VSIM_HV2_SSH_PORT (22), VSIM_SSH_DIR (SANDBOX/ssh), VSIM_HV2_HOST_KEY
# (SSH_DIR/hv2_host_ed25519_key), VSIM_AUTHORIZED_KEYS (SSH_DIR/authorized_keys),
# VSIM_MICROVM_SLOTS ("1 2 3"), VSIM_MICROVM_AUTOSTART ("1 2"), VSIM_MICROVM_MEMORY (256 MiB),
# VSIM_MICROVM_WAIT_GUESTS (1: wait for "vsim-guest slotN ready" on each started console),
# VSIM_MICROVM_KEEP_STATE (0: start from fresh states; 1: keep .sandbox/hv2/microvms),
# VSIM_MICROVM_DRIFT (slot names whose `current` runner gets rebuilt after boot, so that
# booted != current, e.g. "slot2").
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

ADDR=${VSIM_HV2_ADDRESS:-10.77.0.2}
SSH_PORT=${VSIM_HV2_SSH_PORT:-22}
SSH_DIR=${VSIM_SSH_DIR:-$SB/ssh}
HOST_KEY=${VSIM_HV2_HOST_KEY:-$SSH_DIR/hv2_host_ed25519_key}
AUTH_KEYS=${VSIM_AUTHORIZED_KEYS:-$SSH_DIR/authorized_keys}
MEMORY=${VSIM_MICROVM_MEMORY:-256}
GUEST=$SB/guest
T0=$(now_ms)

[[ $(id -u) == 0 ]] || mv_die "must run as root"
[[ -e /run/netns/$NS ]] || mv_die "network namespace $NS does not exist (test/sandbox/sandbox.sh up creates it)"
[[ -s $HOST_KEY && -s $AUTH_KEYS ]] || mv_die "missing $HOST_KEY or $AUTH_KEYS (test/sandbox/sandbox.sh up creates them)"
for c in qemu-system-x86_64 socat jq unshare nsenter; do command -v "$c" >/dev/null || mv_die "$c not installed (test/sandbox/microvm/install-deps.sh)"; done
[[ -x /lib/systemd/systemd && -x /usr/sbin/sshd ]] || mv_die "systemd or sshd missing (test/sandbox/microvm/install-deps.sh)"
if pid=$(hv2_pid); then mv_log "hv2 already running (systemd pid $pid)"; exit 0; fi

if ip netns exec "$NS" socat -u OPEN:/dev/null "TCP:$ADDR:$SSH_PORT,connect-timeout=1" 2>/dev/null; then
  mv_die "$ADDR:$SSH_PORT in netns $NS is already served by another process (stop it first, or set VSIM_HV2_SSH_PORT)"
fi

# --- guest image: built by test/sandbox/guest/build-guest.sh (idempotent, flock'ed) ------------
if [[ ! -s $GUEST/vmlinuz || ! -s $GUEST/initramfs.gz ]]; then
  if [[ -x $MV_REPO/test/sandbox/guest/build-guest.sh ]]; then
    VSIM_SANDBOX_DIR=$SB "$MV_REPO/test/sandbox/guest/build-guest.sh" >&2
  fi
  wait_until 600000 "the sandbox guest ($GUEST/vmlinuz, initramfs.gz)" \
    test -s "$GUEST/vmlinuz" -a -s "$GUEST/initramfs.gz" || exit 1
fi

# --- runtime directories ----------------------------------------------------------------------
mkdir -p "$HV2"
MV=$HV2/microvms               # appears as /var/lib/microvms inside hv2
if [[ ${VSIM_MICROVM_KEEP_STATE:-0} != 1 ]]; then rm -rf "$MV"; fi
mkdir -p "$MV/states" "$MV/.store" "$HV2/bin" "$HV2/units" "$HV2/etc"
rm -f "$HV2/pid" "$HV2/unshare.pid" "$HV2/console.log"

# vm-state stand-in and helpers, put on PATH inside hv2 (a bind mount over /usr/local/sbin there)
install -m 755 "$MV_REPO/test/sandbox/stand-ins/vm-state" "$HV2/bin/vm-state"
install -m 755 "$MV_HERE/build-runner.sh" "$HV2/bin/vsim-build-microvm"
echo vsim-hv2 >"$HV2/etc/hostname"

# --- networks: one bridge per slot (seed 003: br-slotN 10.N.0.1/24, the slot at 10.N.0.2) -----
ip -n "$NS" link set lo up
for n in "${SLOTS[@]}"; do
  br=br-slot$n
  ip -n "$NS" link show "$br" >/dev/null 2>&1 || ip -n "$NS" link add "$br" type bridge stp_state 0 forward_delay 0
  ip -n "$NS" addr replace "10.$n.0.1/24" dev "$br"
  ip -n "$NS" link set "$br" up
done

# --- slots, states and runners ----------------------------------------------------------------
for n in "${SLOTS[@]}"; do
  s=slot$n
  mkdir -p "$MV/$s" "$MV/states/$s"
  # the state's persistent disk (sparse); the slot's data.img points at its assigned state
  [[ -e $MV/states/$s/data.img ]] || truncate -s 64M "$MV/states/$s/data.img"
  [[ -L $MV/$s/data.img ]] || ln -sTf "/var/lib/microvms/states/$s/data.img" "$MV/$s/data.img"
  VSIM_MICROVM_ROOT=$MV VSIM_GUEST_DIR=$GUEST VSIM_MICROVM_MEMORY=$MEMORY "$MV_HERE/build-runner.sh" "$s" >/dev/null
done

# --- sshd config ------------------------------------------------------------------------------
cat >"$HV2/etc/sshd_config" <<EOF
# sshd of the microvm host hv2 (vsim sandbox)
ListenAddress $ADDR:$SSH_PORT
HostKey $HOST_KEY
AuthorizedKeysFile $AUTH_KEYS
PermitRootLogin prohibit-password
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowTcpForwarding yes
PidFile /run/sshd-hv2.pid
Subsystem sftp internal-sftp
SetEnv VSIM_HOST=vsim-hv2
EOF

# --- units ------------------------------------------------------------------------------------
U=$HV2/units
cat >"$U/vsim-hv2.target" <<'EOF'
[Unit]
Description=vsim sandbox microvm host hv2
Wants=sshd-hv2.service microvms.target systemd-journald.service
After=sshd-hv2.service
AllowIsolate=yes
EOF
{
  echo '[Unit]'
  echo 'Description=Autostarted MicroVMs'
  printf 'Wants='; for n in "${AUTOSTART[@]}"; do printf 'microvm@slot%s.service ' "$n"; done; echo
} >"$U/microvms.target"
cat >"$U/sshd-hv2.service" <<EOF
[Unit]
Description=OpenBSD Secure Shell server (hv2)

[Service]
ExecStartPre=/bin/mkdir -p /run/sshd
ExecStart=/usr/sbin/sshd -D -e -f /run/vsim-hv2/sshd_config
ExecReload=/bin/kill -HUP \$MAINPID
KillMode=process
Restart=on-failure
Type=simple
EOF
# A unit that fails on purpose at its first start (the Services node's tests): it exits 3 after a
# line and some bytes that are not text, unless /run/vsim-flaky.ok exists, which that first start
# leaves behind; the next start runs. Not wanted by any target: tests start it themselves.
cat >"$HV2/bin/vsim-flaky" <<'EOS'
#!/bin/sh
if [ ! -e /run/vsim-flaky.ok ]; then
  : >/run/vsim-flaky.ok
  echo "vsim-flaky: failing on purpose (first start)"
  printf 'vsim-flaky: binary junk \001\002\377\376 \033]0;title\007 end\n'
  exit 3
fi
echo "vsim-flaky: running"
exec sleep 1000000
EOS
chmod 755 "$HV2/bin/vsim-flaky"
cat >"$U/vsim-flaky.service" <<'EOF'
[Unit]
Description=vsim sandbox: fails on purpose at its first start

[Service]
Type=simple
ExecStart=/usr/local/sbin/vsim-flaky
EOF
# The templates below follow microvm.nix's nixos-modules/host/default.nix (User=microvm dropped:
# the sandbox has no such user; everything runs as root inside the container).
cat >"$U/microvm-tap-interfaces@.service" <<'EOF'
[Unit]
Description=Setup MicroVM '%i' TAP interfaces
Before=microvm@%i.service
PartOf=microvm@%i.service
ConditionPathExists=/var/lib/microvms/%i/current/bin/tap-up

[Service]
Type=oneshot
RemainAfterExit=true
SyslogIdentifier=microvm-tap-interfaces@%i
ExecStart=/var/lib/microvms/%i/current/bin/tap-up
# microvm@'s ExecStopPost removes `booted` before this unit stops: fall back to `current`
ExecStop=/bin/sh -c 'cd /var/lib/microvms/%i && if [ -e booted ]; then exec booted/bin/tap-down; else exec current/bin/tap-down; fi'
EOF
cat >"$U/microvm@.service" <<'EOF'
[Unit]
Description=MicroVM '%i'
Requires=microvm-tap-interfaces@%i.service
After=network.target microvm-tap-interfaces@%i.service
ConditionPathExists=/var/lib/microvms/%i/current/bin/microvm-run

[Service]
Type=simple
WorkingDirectory=/var/lib/microvms/%i
ExecStartPre=/bin/sh -c 'rm -f booted && ln -s $(readlink current) booted'
ExecStart=/var/lib/microvms/%i/current/bin/microvm-run
ExecStop=/var/lib/microvms/%i/booted/bin/microvm-shutdown
ExecStopPost=/bin/rm -f booted
TimeoutStopSec=150
Restart=always
RestartSec=5s
SyslogIdentifier=microvm@%i
LimitNOFILE=1048576
EOF

# --- the container's init: runs as PID 1 of the new pid namespace, then execs systemd ---------
cat >"$HV2/prep.sh" <<'EOF'
#!/bin/bash
# PREP for hv2 (see test/sandbox/microvm/up.sh). Runs in fresh pid/mount/cgroup/uts/ipc namespaces.
set -euo pipefail
HV2=$1
mount --make-rprivate /
hostname vsim-hv2
# /run: a tmpfs of our own with the units and the masks
mount -t tmpfs -o mode=755,nosuid,nodev tmpfs /run
mkdir -p /run/systemd/system /run/vsim-hv2 /run/sshd /run/lock
cp "$HV2"/units/* /run/systemd/system/
cp "$HV2/etc/sshd_config" /run/vsim-hv2/sshd_config
mask() { [[ -e /run/systemd/system/$1 ]] || ln -s /dev/null "/run/systemd/system/$1"; }
shopt -s nullglob
for d in /lib/systemd/system /etc/systemd/system; do
  for w in sysinit.target.wants sockets.target.wants timers.target.wants; do
    for u in "$d/$w"/*; do
      u=${u##*/}
      case $u in systemd-journald.service|systemd-journald.socket|systemd-journald-dev-log.socket) continue ;; esac
      mask "$u"
    done
  done
done
for u in systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket systemd-udev-trigger.service \
         systemd-udev-settle.service systemd-remount-fs.service systemd-pstore.service systemd-timesyncd.service \
         systemd-tmpfiles-setup.service systemd-tmpfiles-setup-dev.service systemd-tmpfiles-clean.service \
         systemd-tmpfiles-clean.timer systemd-sysctl.service systemd-modules-load.service systemd-binfmt.service \
         systemd-random-seed.service systemd-firstboot.service systemd-sysusers.service systemd-machine-id-commit.service \
         systemd-journald-audit.socket systemd-journal-flush.service systemd-update-utmp.service \
         systemd-hwdb-update.service systemd-journal-catalog-update.service ldconfig.service \
         systemd-logind.service dbus.service dbus.socket getty.target console-getty.service \
         systemd-networkd.service systemd-resolved.service networking.service ssh.service ssh.socket \
         libvirtd.service libvirtd.socket virtlogd.service virtlogd.socket virtlockd.service virtlockd.socket \
         postgresql.service e2scrub_reap.service apt-daily.timer apt-daily-upgrade.timer \
         dev-hugepages.mount dev-mqueue.mount sys-kernel-debug.mount sys-kernel-tracing.mount \
         sys-kernel-config.mount sys-fs-fuse-connections.mount proc-sys-fs-binfmt_misc.automount \
         tmp.mount var-lib-machines.mount; do
  mask "$u"
done
# private scratch filesystems
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /var/tmp
if [[ -d /var/log/journal ]]; then mount -t tmpfs -o mode=755 tmpfs /var/log/journal; fi
# /var/lib/microvms, hostname, PATH additions: bind mounts visible in this namespace only
mount --bind "$HV2/microvms" /var/lib/microvms
mount --bind "$HV2/bin" /usr/local/sbin
mount --bind "$HV2/etc/hostname" /etc/hostname
# read-only /sys, our own cgroup2 view
mount -o remount,bind,ro /sys
mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 /sys/fs/cgroup
exec env -i container=vsim-hv2 PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
  /lib/systemd/systemd --system --unit=vsim-hv2.target --log-target=console --show-status=false
EOF
chmod 755 "$HV2/prep.sh"

# The mount point for /var/lib/microvms must exist on the host (an empty directory; down.sh
# removes it again when it made it).
if [[ ! -d /var/lib/microvms ]]; then mkdir /var/lib/microvms; touch "$HV2/created-var-lib-microvms"; fi

# --- start systemd in its container -----------------------------------------------------------
CGROOT=$(cgroup2_root)
[[ -n $CGROOT ]] || mv_die "no cgroup2 hierarchy mounted"
CG=$CGROOT/$CG_NAME
mkdir -p "$CG"
T_START=$(now_ms)
(
  echo "$BASHPID" >"$CG/cgroup.procs"
  exec setsid ip netns exec "$NS" env container=vsim-hv2 \
    unshare --pid --fork --mount --cgroup --uts --ipc --mount-proc "$HV2/prep.sh" "$HV2"
) </dev/null >"$HV2/console.log" 2>&1 &
LAUNCH=$!
echo "$LAUNCH" >"$HV2/unshare.pid"

# systemd = the child of unshare (the launcher pid execs setsid -> ip -> env -> unshare)
find_systemd() {
  local c
  for c in $(cat "/proc/$LAUNCH/task/$LAUNCH/children" 2>/dev/null); do
    [[ $(cat "/proc/$c/comm" 2>/dev/null) == systemd ]] && { echo "$c"; return 0; }
  done
  return 1
}
wait_until 10000 "systemd to start in hv2" find_systemd || { cat "$HV2/console.log" >&2; exit 1; }
PID=$(find_systemd)
echo "$PID" >"$HV2/pid"
in_hv2() { nsenter -t "$PID" -a "$@"; }
is_up() { local s; s=$(in_hv2 systemctl is-system-running 2>/dev/null || true); [[ $s == running || $s == degraded ]]; }
wait_until 30000 "systemd in hv2 to reach vsim-hv2.target" is_up || { in_hv2 systemctl --failed --no-pager >&2 || true; exit 1; }
T_READY=$(now_ms)
mv_log "systemd up as pid $PID (ready in $((T_READY - T_START)) ms); state: $(in_hv2 systemctl is-system-running 2>/dev/null || true)"

sshd_listening() { ip netns exec "$NS" socat -u OPEN:/dev/null "TCP:$ADDR:$SSH_PORT,connect-timeout=1"; }
wait_until 10000 "sshd on $ADDR:$SSH_PORT" sshd_listening || { in_hv2 journalctl -u sshd-hv2 --no-pager >&2 || true; exit 1; }

T_GUESTS=$T_READY
if [[ ${VSIM_MICROVM_WAIT_GUESTS:-1} == 1 ]]; then
  guest_ready() { grep -qa "vsim-guest $1 ready" "$HV2/microvms/$1/console.log" 2>/dev/null; }
  for n in "${AUTOSTART[@]}"; do
    wait_until 120000 "guest slot$n to boot" guest_ready "slot$n" ||
      { in_hv2 journalctl -u "microvm@slot$n" --no-pager | tail -20 >&2; tail -20 "$HV2/microvms/slot$n/console.log" >&2 || true; exit 1; }
  done
  T_GUESTS=$(now_ms)
  mv_log "guests ${AUTOSTART[*]/#/slot} ready $((T_GUESTS - T_READY)) ms after systemd"
fi

for s in ${VSIM_MICROVM_DRIFT:-}; do
  in_hv2 vsim-build-microvm "$s" --memory $((MEMORY + 64)) >/dev/null
  mv_log "rebuilt the runner of $s: current != booted until microvm@$s restarts"
done

T_END=$(now_ms)
printf '%s up total_ms=%d systemd_ready_ms=%d guests_ms=%d\n' "$(date -Is)" $((T_END - T0)) \
  $((T_READY - T_START)) $((T_GUESTS - T_READY)) >>"$HV2/timings.log"
mv_log "hv2 up in $((T_END - T0)) ms: systemd pid $PID, sshd $ADDR:$SSH_PORT, slots ${SLOTS[*]/#/slot} (running: ${AUTOSTART[*]/#/slot})"
