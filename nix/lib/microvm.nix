# microvm.nix declarations for the `microvm` VMs (slots) of a host: the attribute set that would
# be assigned to `microvm.vms` on the hypervisor (seeds 002/003: QEMU, /nix/store shared
# read-only over virtiofs, one tap per slot on the slot's bridge, static IP 10.N.0.2 with the
# bridge as gateway). microvm.nix itself is not evaluated here (not available offline): this is
# plain data, checked by test/nix/run.mjs. Pure: builtins only.
{ util }:
let
  inherit (util) filterAttrs parseCidr optionalAttrs;
in
rec {
  microvmVms = topology: host:
    filterAttrs (_: vm: vm.backend == "microvm" && (host == null || vm.host == host)) (topology.vms or { });

  # One `microvm.vms.<name>` value.
  declaration = topology: name:
    let
      vm = topology.vms.${name};
      slot = if vm ? slot then topology.slots.${vm.slot} or { } else { };
      nic = if (vm.nics or [ ]) != [ ] then builtins.head vm.nics else { network = slot.network; };
      net = topology.networks.${nic.network};
      mac = nic.mac or slot.mac or null;
      ip = nic.ip or slot.ip or null;
      prefix = if net ? subnet then (parseCidr net.subnet).prefixLength else 24;
      # console.kind unix: the guest's ttyS0 on a unix socket that vsim attaches to (one client at a
      # time), its output also written to console.log next to it (truncated at each boot).
      serialSocket = (vm.console.kind or "journal") == "unix";
      consolePath = vm.console.path or "/var/lib/microvms/${name}/console.sock";
      consoleLog = "${builtins.dirOf consolePath}/console.log";
    in
    {
      autostart = vm.autostart or false;
      config = {
        networking.hostName = name;
        microvm = {
          hypervisor = "qemu";
          vcpu = vm.vcpus or 1;
          mem = vm.memory;
          interfaces = [ ({ type = "tap"; id = nic.tap or "vm-${name}"; } // optionalAttrs (mac != null) { inherit mac; }) ];
          shares = [{ tag = "ro-store"; source = "/nix/store"; mountPoint = "/nix/.ro-store"; proto = "virtiofs"; }];
          volumes = map (d: { image = d.path; mountPoint = null; size = util.sizeMiB (d.size or "1GiB"); readOnly = d.readonly or false; }) (vm.disks or [ ]);
        } // optionalAttrs serialSocket {
          # microvm.nix's QEMU runner puts ttyS0 on stdio (the unit's journal) unless serialConsole
          # is false; then the socket chardev below is the serial port, and the kernel is told so.
          qemu.serialConsole = false;
          qemu.extraArgs = [
            "-chardev" "socket,id=vsim-serial,path=${consolePath},server=on,wait=off,logfile=${consoleLog},logappend=off"
            "-serial" "chardev:vsim-serial"
          ];
          kernelParams = [ "console=ttyS0" ];
        };
        systemd.network.enable = true;
        systemd.network.networks."10-lan" = {
          matchConfig.Type = "ether";
          address = if ip != null then [ "${ip}/${toString prefix}" ] else [ ];
          gateway = if net ? gateway then [ net.gateway ] else [ ];
          networkConfig.DHCP = if ip != null then "no" else "yes";
        };
      };
    };

  # { NAME = declaration; } for the microvm VMs of `host` (null: all hosts).
  vms = topology: host: builtins.mapAttrs (name: _: declaration topology name) (microvmVms topology host);

  # Taps to attach to their slot bridges (microvm.nix creates the tap; the host enslaves it).
  tapBridges = topology: host:
    builtins.mapAttrs (name: d:
      let nic = builtins.head (topology.vms.${name}.nics or [ { network = topology.slots.${topology.vms.${name}.slot}.network; } ]); in
      { tap = (builtins.head d.config.microvm.interfaces).id; bridge = topology.networks.${nic.network}.bridge; })
      (vms topology host);
}
