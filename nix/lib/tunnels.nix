# Networks that span hosts -> the tunnel ports of one host, the same list and argv as
# src/deploy/renderTunnels.ts (checked against test/golden/*.json `tunnels`): a Linux vxlan device
# per network (one remote, or a flood entry per peer with more than two hosts), point-to-point
# ports (OVS vxlan/gre, gretap) in a star around the network's first host. Pure: builtins only.
{ util }:
let
  inherit (util) concatMap optional optionalAttrs names networkHosts;
in
rec {
  overhead = t: if t.kind == "vxlan" then 50 else 38;
  minOf = l: builtins.foldl' (a: b: if b < a then b else a) (builtins.head l) l;
  mtuOf = topology: net: hosts:
    net.mtu or (minOf (map (h: topology.hosts.${h}.underlayMtu or 1500) hosts) - overhead net.tunnel);
  idOf = t: if t.kind == "vxlan" then t.vni or null else t.key or null;
  indexOf = x: l: let go = i: if i >= builtins.length l then -1 else if builtins.elemAt l i == x then i else go (i + 1); in go 0;
  range = n: builtins.genList (i: i) n;

  # [ port ] for `host`, networks in file order.
  ports = topology: host:
    concatMap (network:
      let
        net = topology.networks.${network};
        on = networkHosts net;
        me = indexOf host on;
        t = net.tunnel or null;
        id = if t == null then null else idOf t;
        h = topology.hosts.${host} or { };
        underlay = i: topology.hosts.${builtins.elemAt on i}.underlay or null;
        impl = if net.kind == "ovs" then "ovs" else "linux";
        base = {
          inherit network host impl id;
          bridge = net.bridge;
          kind = t.kind;
          local = h.underlay;
          mtu = mtuOf topology net on;
        } // optionalAttrs (t.kind == "vxlan") { dstport = t.port or 4789; }
          // optionalAttrs (h ? underlayInterface) { dev = h.underlayInterface; };
        others = builtins.filter (i: i != me) (range (builtins.length on));
        peers = if me == 0 then builtins.tail (range (builtins.length on)) else [ 0 ];
        prefix = if t.kind == "vxlan" then "vx" else "gt";
      in
      if builtins.length on < 2 || me < 0 || t == null || id == null || !(h ? underlay) then [ ]
      else if impl == "linux" && t.kind == "vxlan" then
        [ (base // { name = "vx${toString id}"; remotes = builtins.filter (a: a != null) (map underlay others); }) ]
      else
        concatMap (i: optional (underlay i != null) (base // { name = "${prefix}${toString id}-${toString i}"; remotes = [ (underlay i) ]; })) peers
    ) (names topology "networks");

  # The argv that (re)creates a port and attaches it to its bridge.
  setup = p:
    if p.impl == "ovs" then [
      [ "ovs-vsctl" "--if-exists" "del-port" p.bridge p.name ]
      ([ "ovs-vsctl" "add-port" p.bridge p.name "--" "set" "interface" p.name "type=${p.kind}" "options:remote_ip=${builtins.head p.remotes}"
        "options:local_ip=${p.local}" "options:key=${toString p.id}" ]
        ++ optional (p ? dstport) "options:dst_port=${toString p.dstport}" ++ [ "mtu_request=${toString p.mtu}" ])
    ] else
      let
        create = if p.kind == "vxlan" then
          [ "ip" "link" "add" p.name "type" "vxlan" "id" (toString p.id) ]
          ++ (if builtins.length p.remotes == 1 then [ "remote" (builtins.head p.remotes) ] else [ ])
          ++ [ "local" p.local "dstport" (toString (p.dstport or 4789)) ]
          ++ (if p ? dev then [ "dev" p.dev ] else [ ])
        else [ "ip" "link" "add" p.name "type" "gretap" "remote" (builtins.head p.remotes) "local" p.local "key" (toString p.id) ];
        flood = if p.kind == "vxlan" && builtins.length p.remotes > 1
          then map (r: [ "bridge" "fdb" "append" "00:00:00:00:00:00" "dev" p.name "dst" r ]) p.remotes else [ ];
      in
      [ [ "ip" "link" "del" "dev" p.name ] create ] ++ flood ++ [
        [ "ip" "link" "set" "dev" p.name "mtu" (toString p.mtu) ]
        [ "ip" "link" "set" "dev" p.name "master" p.bridge ]
        [ "ip" "link" "set" "dev" p.name "up" ]
      ];

  # { HOST = [ port // { setup } ]; } for the hosts with ports (or only `host` when not null): the golden shape.
  golden = topology: host:
    builtins.listToAttrs (concatMap (h:
      let ps = ports topology h; in
      optional (ps != [ ] && (host == null || host == h)) { name = h; value = map (p: p // { setup = setup p; }) ps; }
    ) (names topology "hosts"));
}
