# The config-producing part of the NixOS module, as a pure function: hostConfig (default.nix) ->
# NixOS option values. Kept apart from ../module.nix so it evaluates (and is tested) without
# nixpkgs' module system. `bins` are the tools' store paths, given by the module.
{ util }:
{ hc, bins ? { } }:
let
  inherit (util) optionalAttrs mapAttrs';
  hasLibvirt = hc.libvirt.domains != { };
  hasDnsmasq = hc.dnsmasq.lines != { };
in
{
  networking = {
    inherit (hc.networking) bridges vswitches interfaces;
    nat = hc.networking.nat;
  };
  services.dnsmasq = optionalAttrs hasDnsmasq {
    enable = true;
    settings = hc.dnsmasq.settings // { bind-interfaces = true; };
  };
  virtualisation.libvirtd = optionalAttrs hasLibvirt { enable = true; };
  environment.etc = hc.libvirt.etc // {
    "tc-simulate-constraints.sh" = { text = hc.tc.script; mode = "0755"; };
  };
  systemd.services = hc.cloudHypervisor.services // optionalAttrs hasLibvirt {
    vsim-setup-vms = {
      description = "vsim: define the topology's libvirt domains";
      after = [ "libvirtd.service" ];
      requires = [ "libvirtd.service" ];
      wantedBy = [ "multi-user.target" ];
      # Redefine when a domain's XML changes.
      restartTriggers = map (n: hc.libvirt.domains.${n}) (builtins.attrNames hc.libvirt.domains);
      serviceConfig = { Type = "oneshot"; RemainAfterExit = true; };
      script = hc.libvirt.setupScript;
    };
  };
}
