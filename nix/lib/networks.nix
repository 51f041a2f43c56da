# Networks of one host -> the `networking` options of NixOS: Linux bridges, Open vSwitch
# bridges (with the host interface as an internal port, seed 000's vnet0 on ovsbr0), gateway
# addresses and NAT. Pure: builtins only; `topology` is `vsim export --json` output.
{ util }:
let
  inherit (util) filterAttrs mapAttrs' nameValuePair attrOr parseCidr unique concatMap attrValues optional onHost homeHost;
in
rec {
  # The networks on `host` (a spanning network is on each of its hosts).
  hostNetworks = topology: host:
    filterAttrs (_: n: onHost n host) (attrOr topology "networks" { });

  # The interface that carries the gateway address: hostInterface when given, else the bridge.
  gatewayInterface = net: attrOr net "hostInterface" net.bridge;

  # { networking = { bridges; vswitches; interfaces; nat; }; } for `host`.
  networking = topology: host:
    let
      nets = hostNetworks topology host;
      linux = filterAttrs (_: n: n.kind == "bridge") nets;
      ovs = filterAttrs (_: n: n.kind == "ovs") nets;
      # Gateway address and NAT of a spanning network: on its first host only.
      home = filterAttrs (_: n: homeHost n == host) nets;
      withAddr = filterAttrs (_: n: n ? gateway && n ? subnet) home;
      natted = filterAttrs (_: n: attrOr n "nat" false != false && n ? subnet) home;
      withMtu = filterAttrs (_: n: n ? mtu && !(n ? gateway && n ? subnet && homeHost n == host && gatewayInterface n == n.bridge)) nets;
      externals = unique (concatMap (n: optional (builtins.isString n.nat) n.nat) (attrValues natted));
    in
    {
      bridges = mapAttrs' (_: n: nameValuePair n.bridge { interfaces = [ ]; }) linux;
      vswitches = mapAttrs' (_: n: nameValuePair n.bridge {
        interfaces = if n ? hostInterface then { ${n.hostInterface} = { type = "internal"; }; } else { };
      }) ovs;
      interfaces = mapAttrs' (_: n: nameValuePair n.bridge { mtu = n.mtu; }) withMtu
        // mapAttrs' (_: n: nameValuePair (gatewayInterface n) ({
        ipv4.addresses = [{ address = n.gateway; prefixLength = (parseCidr n.subnet).prefixLength; }];
      } // (if n ? mtu && gatewayInterface n == n.bridge then { mtu = n.mtu; } else { }))) withAddr;
      nat = {
        enable = natted != { };
        internalInterfaces = map (n: n.bridge) (attrValues natted);
        internalIPs = map (n: n.subnet) (attrValues natted);
      } // (if externals == [ ] then { } else { externalInterface = builtins.head externals; });
    };
}
