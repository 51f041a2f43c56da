# NixOS module: `services.vsim.topology` (the JSON from `vsim export --json`) and
# `services.vsim.host` (which of its hosts this machine is) -> bridges/OVS with addresses, NAT,
# dnsmasq (ranges, static leases, domain), libvirt domains defined by `vsim-setup-vms`,
# /etc/tc-simulate-constraints.sh and cloud-hypervisor launch units.
# The values come from lib/nixos.nix, a pure function also tested without nixpkgs.
# `withMicrovm = true` (nixosModules.vsim-microvm) also sets `microvm.vms` for the slots; import
# microvm.nix's host module next to it.
{ withMicrovm ? false }:
{ config, lib, pkgs, ... }:
let
  cfg = config.services.vsim;
  vsim = import ./lib;
  bins = {
    virsh = "${pkgs.libvirt}/bin/virsh";
    qemu-img = "${pkgs.qemu_kvm or pkgs.qemu}/bin/qemu-img";
    tc = "${pkgs.iproute2}/bin/tc";
    ip = "${pkgs.iproute2}/bin/ip";
    rm = "${pkgs.coreutils}/bin/rm";
    cloud-hypervisor = "${pkgs.cloud-hypervisor}/bin/cloud-hypervisor";
  };
  hc = vsim.hostConfig { topology = vsim.fromJSON cfg.topology; host = cfg.host; inherit bins; };
  nixosConfig = import ./lib/nixos.nix { inherit (vsim) util; } { inherit hc bins; };
  microvmConfig = import ./lib/nixos-microvm.nix { inherit (vsim) util; } { inherit hc bins; };
in
{
  options.services.vsim = {
    enable = lib.mkEnableOption "the vsim topology on this hypervisor";
    topology = lib.mkOption {
      type = lib.types.path;
      description = "The lab's topology as written by `vsim export --json FILE.vsim.yaml -o FILE.json`.";
      example = "./lab.json";
    };
    host = lib.mkOption {
      type = lib.types.str;
      description = "Which host of the topology this machine is (a key of `hosts`).";
      example = "outer-vm";
    };
  };

  config = lib.mkIf cfg.enable (lib.mkMerge ([
    {
      networking = nixosConfig.networking;
      services.dnsmasq = nixosConfig.services.dnsmasq;
      virtualisation.libvirtd = nixosConfig.virtualisation.libvirtd;
      environment.etc = nixosConfig.environment.etc;
      systemd.services = nixosConfig.systemd.services;
    }
  ] ++ lib.optional withMicrovm {
    microvm.vms = microvmConfig.microvm.vms;
    systemd.services = microvmConfig.systemd.services;
  }));
}
