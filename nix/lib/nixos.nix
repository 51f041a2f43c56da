# The config-producing part of the NixOS module, as a pure function: hostConfig (default.nix) ->
# NixOS option values. Kept apart from ../module.nix so it evaluates (and is tested) without
# nixpkgs' module system. `bins` are the tools' store paths, given by the module.
{ util }:
{ hc, bins ? { } }:
let
  inherit (util) optionalAttrs mapAttrs' escapeShellArgs concatMapStringsSep;
  inherit (builtins) listToAttrs elemAt genList length;
  hasLibvirt = hc.libvirt.domains != { };
  hasDnsmasq = hc.dnsmasq.lines != { };
  # Tunnel ports (lib/tunnels.nix): OVS ones become ports of their vswitch (type and options through
  # extraOvsctlCmds, the same `set interface` words vsim's apply runs); Linux ones a oneshot unit
  # each running the same argv as `vsim apply` (the delete before the create, and a flood entry
  # that already exists, are allowed to fail).
  ovsPorts = builtins.filter (p: p.impl == "ovs") hc.tunnels;
  linuxPorts = builtins.filter (p: p.impl == "linux") hc.tunnels;
  tool = argv: [ (bins.${builtins.head argv} or (builtins.head argv)) ] ++ builtins.tail argv;
  tolerated = argv: builtins.elemAt argv 2 == "del" || builtins.head argv == "bridge";
  line = argv: escapeShellArgs (tool argv) + (if tolerated argv then " || true" else "");
  vswitches = builtins.mapAttrs (br: v:
    let mine = builtins.filter (p: p.bridge == br) ovsPorts; in
    v // optionalAttrs (mine != [ ]) {
      interfaces = (v.interfaces or { }) // listToAttrs (map (p: { name = p.name; value = { type = p.kind; }; }) mine);
      # The words after `--` of the add-port argv: `set interface NAME type=… options:…`.
      extraOvsctlCmds = concatMapStringsSep "\n" (p: let a = elemAt p.setup 1; in escapeShellArgs (genList (i: elemAt a (i + 5)) (length a - 5))) mine;
    }) hc.networking.vswitches;
  tunnelUnits = listToAttrs (map (p: {
    name = "vsim-tunnel-${p.name}";
    value = {
      description = "vsim: ${p.kind} tunnel port ${p.name} of network ${p.network} on ${p.bridge}";
      after = [ "network-setup.service" "${p.bridge}-netdev.service" ];
      wants = [ "network-setup.service" ];
      wantedBy = [ "multi-user.target" ];
      serviceConfig = { Type = "oneshot"; RemainAfterExit = true; };
      script = concatMapStringsSep "\n" line p.setup;
    };
  }) linuxPorts);
in
{
  networking = {
    inherit (hc.networking) bridges interfaces;
    inherit vswitches;
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
  systemd.services = hc.cloudHypervisor.services // tunnelUnits // optionalAttrs hasLibvirt {
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
