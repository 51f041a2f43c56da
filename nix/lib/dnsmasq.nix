# dnsmasq configuration lines per network (those with `dhcp`): the interface, the dynamic
# range (or a static-only range), the domain, and a static lease for every VM NIC on the network
# that has both `mac` and `ip`. Pure: builtins only.
{ util }:
let
  inherit (util) filterAttrs mapAttrs concatMap attrOr parseCidr netmask optional mapAttrsToList splitString;
  networksLib = import ./networks.nix { inherit util; };
in
rec {
  # Static leases on network `netName`: [ { mac; ip; name; } ] in VM order, then NIC order.
  leases = topology: netName:
    concatMap (vmName:
      let vm = topology.vms.${vmName}; in
      concatMap (nic: optional (nic.network == netName && nic ? mac && nic ? ip) { inherit (nic) mac ip; name = vmName; })
        (attrOr vm "nics" [ ]))
      (util.names topology "vms");

  # The lines for one network.
  networkLines = topology: netName:
    let
      net = topology.networks.${netName};
      dhcp = net.dhcp;
      mask = netmask (parseCidr net.subnet).prefixLength;
      range =
        if dhcp ? start && dhcp ? end then "dhcp-range=${dhcp.start},${dhcp.end},${mask},12h"
        else "dhcp-range=${(parseCidr net.subnet).address},static,${mask},12h";
    in
    [ "interface=${networksLib.gatewayInterface net}" range ]
    ++ optional (net ? gateway) "dhcp-option=option:router,${net.gateway}"
    ++ optional (dhcp ? domain) "domain=${dhcp.domain}"
    ++ map (l: "dhcp-host=${l.mac},${l.ip},${l.name}") (leases topology netName);

  # { NETWORK = [ lines ]; } for the networks with dhcp (of `host`, or of every host when null).
  lines = topology: host:
    let
      nets = filterAttrs (_: n: n ? dhcp && n ? subnet && (host == null || n.host == host)) (attrOr topology "networks" { });
    in
    mapAttrs (name: _: networkLines topology name) nets;

  # Lines -> services.dnsmasq.settings (repeated keys become lists, bare words `true`).
  toSettings = ls:
    let
      kv = map (l:
        let parts = builtins.match "([^=]+)=(.*)" l; in
        if parts == null then { name = l; value = true; } else { name = builtins.elemAt parts 0; value = builtins.elemAt parts 1; }) ls;
      grouped = builtins.foldl' (acc: p: acc // { ${p.name} = (acc.${p.name} or [ ]) ++ [ p.value ]; }) { } kv;
    in
    mapAttrs (_: vs: if builtins.length vs == 1 then builtins.head vs else vs) grouped;
}
