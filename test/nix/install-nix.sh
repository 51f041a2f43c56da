#!/usr/bin/env bash
# Installs Debian's nix-bin (Nix 2.8) when nix is missing. Idempotent. Nothing else is configured
# here: test/nix/run.mjs passes its configuration in NIX_CONFIG and keeps state under .sandbox/nix.
set -euo pipefail
if command -v nix-instantiate >/dev/null 2>&1 && command -v nix >/dev/null 2>&1; then
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
if ! apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends nix-bin; then
  apt-get -o DPkg::Lock::Timeout=900 update
  apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends nix-bin
fi
nix --version
