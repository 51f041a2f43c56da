# dnsmasq configuration lines per network with `dhcp` (the same as src/deploy/renderDnsmasq.ts;
# pinned by test/golden/*.json): interface, range, domain, router, then a static lease for every
# VM NIC on the network with `mac` and `ip` (VMs in file order), then every slot on it with both;
# MACs lowercased, a MAC already listed is skipped. Pure: builtins only.
{ util }:
let
  inherit (util) filterAttrs mapAttrs concatMap parseCidr netmask optional toLower ipToInt intToIp pow2 homeHost;
in
rec {
  # Static leases on network `netName`: [ { mac; ip; name; } ].
  leases = topology: netName:
    let
      vmLeases = concatMap (vmName:
        concatMap (nic: optional (nic.network == netName && nic ? mac && nic ? ip)
          { mac = toLower nic.mac; inherit (nic) ip; name = vmName; })
          (topology.vms.${vmName}.nics or [ ]))
        (util.names topology "vms");
      slotLeases = concatMap (slotName:
        let s = topology.slots.${slotName}; in
        optional (s.network == netName && s ? mac && s ? ip) { mac = toLower s.mac; inherit (s) ip; name = slotName; })
        (util.names topology "slots");
    in
    builtins.foldl' (acc: l: if builtins.any (a: a.mac == l.mac) acc then acc else acc ++ [ l ]) [ ] (vmLeases ++ slotLeases);

  # The lines for one network ([] without dhcp).
  networkLines = topology: netName:
    let
      net = topology.networks.${netName};
      dhcp = net.dhcp;
      cidr = if net ? subnet then parseCidr net.subnet else null;
      mask = if cidr == null then "" else ",${netmask cidr.prefixLength}";
      size = pow2 (32 - cidr.prefixLength);
      base = let a = ipToInt cidr.address; in intToIp (a - util.mod a size);
    in
    if !(net ? dhcp) then [ ]
    else [ "interface=${net.hostInterface or net.bridge or netName}" ]
      ++ (if dhcp ? start && dhcp ? end then [ "dhcp-range=${dhcp.start},${dhcp.end}${mask},12h" ]
          else optional (cidr != null) "dhcp-range=${base},static${mask}")
      ++ optional (dhcp ? domain) "domain=${dhcp.domain}"
      ++ optional (net ? gateway) "dhcp-option=option:router,${net.gateway}"
      ++ map (l: "dhcp-host=${l.mac},${l.ip},${l.name}") (leases topology netName);

  # { NETWORK = [ lines ]; } for the networks with dhcp (of `host`, or of every host when null).
  lines = topology: host:
    let
      nets = filterAttrs (_: n: n ? dhcp && (host == null || homeHost n == host)) (topology.networks or { });
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
