#!/bin/sh
# Idempotent: the real programs the unit tests run (they skip with a reason when one is missing).
# virt-xml-validate (libvirt-clients) needs xmllint (libxml2-utils); dnsmasq --test checks the
# rendered dnsmasq lines (dnsmasq-base: the binary, no service); sshd for the real-sshd tests and
# ssh -G / ssh-keygen -F (openssh-server brings the openssh-client of its own version: the tests
# compare with that client); socat, QEMU, tcpdump and busybox for the QMP, launcher and capture tests.
set -eu
need=""
command -v xmllint >/dev/null 2>&1 || need="$need libxml2-utils"
command -v virt-xml-validate >/dev/null 2>&1 || need="$need libvirt-clients"
command -v tc >/dev/null 2>&1 || need="$need iproute2"
command -v dnsmasq >/dev/null 2>&1 || [ -x /usr/sbin/dnsmasq ] || need="$need dnsmasq-base"
[ -x /usr/sbin/sshd ] || need="$need openssh-server"
command -v socat >/dev/null 2>&1 || need="$need socat"
command -v qemu-system-x86_64 >/dev/null 2>&1 || need="$need qemu-system-x86"
command -v tcpdump >/dev/null 2>&1 || [ -x /usr/bin/tcpdump ] || need="$need tcpdump"
command -v busybox >/dev/null 2>&1 || [ -x /bin/busybox ] || need="$need busybox-static"
[ -z "$need" ] && exit 0
# shellcheck disable=SC2086
exec bash "$(dirname "$0")/../../sandbox/install-deps.sh" $need
