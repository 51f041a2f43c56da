# cloud-hypervisor launch units for an Aspen-style cluster (seed 004): one systemd service per
# `cloud-hypervisor` VM that creates its TAP on the bridge, runs cloud-hypervisor with the REST
# API on the VM's `sockets.api` and boots the kernel directly. Plain data (the `systemd.services`
# values) plus the argv, so tests can check them without cloud-hypervisor. Pure: builtins only.
{ util }:
let
  inherit (util) filterAttrs concatMap optional optionals concatMapStringsSep replaceStrings;
in
rec {
  chVms = topology: host:
    filterAttrs (_: vm: vm.backend == "cloud-hypervisor" && (host == null || vm.host == host)) (topology.vms or { });

  unitName = name: "vsim-ch-${name}";

  # systemd's command-line quoting: words with spaces, quotes or backslashes in double quotes.
  systemdArg = s:
    if builtins.match "[A-Za-z0-9,._+:@%/=-]+" s != null then s
    else "\"" + builtins.replaceStrings [ "\\" "\"" ] [ "\\\\" "\\\"" ] s + "\"";
  systemdCmd = argv: concatMapStringsSep " " systemdArg argv;

  # The cloud-hypervisor argv of one VM.
  argv = { topology, name, bin ? "cloud-hypervisor" }:
    let
      vm = topology.vms.${name};
      console = vm.console.kind or "none";
    in
    [ bin "--api-socket" "path=${vm.sockets.api}" "--cpus" "boot=${toString (vm.vcpus or 1)}" "--memory" "size=${toString vm.memory}M" ]
    ++ optionals (vm ? boot) ([ "--kernel" vm.boot.kernel ]
      ++ optionals (vm.boot ? initrd) [ "--initramfs" vm.boot.initrd ]
      ++ optionals (vm.boot ? cmdline) [ "--cmdline" vm.boot.cmdline ])
    ++ concatMap (d: [ "--disk" "path=${d.path}${if d.readonly or false then ",readonly=on" else ""}" ]) (vm.disks or [ ])
    ++ concatMap (n: [ "--net" "tap=${n.tap}${if n ? mac then ",mac=${n.mac}" else ""}" ]) (builtins.filter (n: n ? tap) (vm.nics or [ ]))
    ++ (if console == "unix" then [ "--serial" "socket=${vm.console.path}" "--console" "off" ]
        else [ "--serial" "off" "--console" "tty" ]);

  # { "vsim-ch-NAME" = systemd service; } for the cloud-hypervisor VMs of `host`.
  services = { topology, host, bins ? { } }:
    let
      ip = bins.ip or "ip";
      rm = bins.rm or "rm";
      bin = bins.cloud-hypervisor or "cloud-hypervisor";
      one = name:
        let
          vm = topology.vms.${name};
          taps = builtins.filter (n: n ? tap) (vm.nics or [ ]);
          bridgeOf = n: topology.networks.${n.network}.bridge;
        in
        {
          description = "vsim: cloud-hypervisor VM ${name}";
          wantedBy = optional (vm.autostart or false) "multi-user.target";
          after = [ "network.target" ];
          serviceConfig = {
            Type = "simple";
            ExecStartPre =
              concatMap (n: [
                "-${ip} link del ${n.tap}"
                "${ip} tuntap add dev ${n.tap} mode tap"
                "${ip} link set ${n.tap} master ${bridgeOf n}"
                "${ip} link set ${n.tap} up"
              ]) taps
              ++ [ "${rm} -f ${vm.sockets.api}" ];
            ExecStart = systemdCmd (argv { inherit topology name bin; });
            ExecStopPost = map (n: "-${ip} link del ${n.tap}") taps;
            Restart = "no";
          };
        };
    in
    builtins.listToAttrs (map (name: { name = unitName name; value = one name; })
      (builtins.filter (n: (chVms topology host) ? ${n}) (util.names topology "vms")));
}
