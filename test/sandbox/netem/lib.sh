# Helpers shared by up.sh and down.sh (sourced). DIR is the netem state directory.

# The QEMU of this netem host is running (its pid file names a live qemu process of ours).
netem_alive() {
  local dir=$1 pid
  [[ -s $dir/qemu.pid ]] || return 1
  pid=$(cat "$dir/qemu.pid")
  [[ $pid =~ ^[0-9]+$ ]] && [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q -- "-pidfile $dir/qemu.pid"
}

# ssh to the guest with the generated config.
netem_ssh() {
  local dir=$1; shift
  [[ -s $dir/ssh/config ]] || return 1
  ssh -F "$dir/ssh/config" -o ConnectTimeout=5 vsim-netem -- "$@"
}
