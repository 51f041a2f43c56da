#!/usr/bin/env bash
# Idempotent install of the Debian packages the microvm host (hv2), the n3x-style QEMU guest
# and the stand-ins need. Safe to run concurrently with other installers (waits for the dpkg lock).
# Packages: qemu-system-x86 (qemu-system-x86_64, TCG), socat (QMP/serial sockets),
# openssh-server (sshd inside hv2), curl (cloud-hypervisor REST), systemd (PID 1 of hv2).
set -euo pipefail
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
command -v socat >/dev/null || need+=(socat)
[ -x /usr/sbin/sshd ] || need+=(openssh-server)
command -v curl >/dev/null || need+=(curl)
[ -x /lib/systemd/systemd ] || need+=(systemd)
command -v ip >/dev/null || need+=(iproute2)
[ ${#need[@]} -eq 0 ] && exit 0
# Keep the package's maintainer scripts from starting services (sshd on the host's port 22):
# the standard Debian policy-rc.d switch, removed again if we created it.
created_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && created_policy=1
fi
trap '[ $created_policy = 1 ] && rm -f /usr/sbin/policy-rc.d' EXIT
export DEBIAN_FRONTEND=noninteractive
inst() { apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "${need[@]}"; }
if ! inst; then
  apt-get -o DPkg::Lock::Timeout=900 update
  inst
fi
