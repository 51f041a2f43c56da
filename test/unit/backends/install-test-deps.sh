#!/bin/sh
# Idempotent: tools the backend unit tests use when present (they skip with a reason otherwise).
# virt-xml-validate (libvirt-clients) needs xmllint (libxml2-utils).
set -eu
need=""
command -v xmllint >/dev/null 2>&1 || need="$need libxml2-utils"
command -v virt-xml-validate >/dev/null 2>&1 || need="$need libvirt-clients"
command -v tc >/dev/null 2>&1 || need="$need iproute2"
# dnsmasq --test checks the rendered dnsmasq lines (dnsmasq-base: the binary, no service).
command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] || need="$need dnsmasq-base"
[ -z "$need" ] && exit 0
# shellcheck disable=SC2086
apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends $need ||
  { apt-get update && apt-get -o DPkg::Lock::Timeout=900 install -y --no-install-recommends $need; }
