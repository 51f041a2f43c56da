#!/usr/bin/env bash
# Installs the Debian packages the local sandbox hypervisor needs (run as root), or, given package
# names, just those (test/unit/backends/install-test-deps.sh uses it for the unit tests' programs).
# Idempotent: a fast no-op when every package is already installed. Services are not started.
#   VSIM_SANDBOX_OVS=1  also install openvswitch-switch (optional, user-space OVS).
#   VSIM_SANDBOX_LINT=1 also install shellcheck (to lint these scripts).
set -euo pipefail

if (($# > 0)); then
  pkgs=("$@")
else
  pkgs=(openssh-server libvirt-daemon-system libvirt-clients qemu-system-x86 qemu-utils
        linux-image-amd64 busybox-static cpio socat iproute2 nix-bin xz-utils zstd jq curl
        tcpdump dropbear-bin)
  if [[ "${VSIM_SANDBOX_OVS:-0}" == 1 ]]; then pkgs+=(openvswitch-switch); fi
  if [[ "${VSIM_SANDBOX_LINT:-0}" == 1 ]]; then pkgs+=(shellcheck); fi
fi

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#pkgs[@]} packages present"
  exit 0
fi

if [[ $(id -u) != 0 ]]; then
  echo "install-deps: missing ${missing[*]}; run as root" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt_install() {
  apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends "$@"
}
# Do not let package maintainer scripts start services (there is no init system anyway).
policy=/usr/sbin/policy-rc.d
made_policy=0
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"; chmod +x "$policy"; made_policy=1
fi
trap 'if [[ $made_policy == 1 ]]; then rm -f "$policy"; fi' EXIT

if ! apt_install "${missing[@]}"; then
  apt-get -o DPkg::Lock::Timeout=900 update
  apt_install "${missing[@]}"
fi
echo "install-deps: done"
