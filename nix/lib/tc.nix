# Traffic-control profiles -> tc/ip argv lists (the same as src/tc/renderProfile.ts and
# src/tc/targets.ts; pinned by test/golden/*.json) and the seeds' /etc/tc-simulate-constraints.sh
# with its `default|constrained|lossy|status` interface. Pure: builtins only.
{ util }:
let
  inherit (util) concatMap optional optionals attrOr escapeShellArgs escapeShellArg concatMapStringsSep unique;
  sub = s: start: len: builtins.substring start len s;
  shapingKeys = [ "rate" "burst" "delay" "jitter" "loss" "corrupt" "duplicate" ];
in
rec {
  tbfLatency = "50ms";
  mirredPref = 40000;

  # tc rate -> bit/s (integer), kbit = 1000 bit, kbps = 8000 bit/s.
  rateBits = rate:
    let
      m = builtins.match "([0-9]+(\\.[0-9]+)?)(bit|kbit|mbit|gbit|tbit|bps|kbps|mbps|gbps)" rate;
      units = { bit = 1; kbit = 1000; mbit = 1000000; gbit = 1000000000; tbit = 1000000000000;
                bps = 8; kbps = 8000; mbps = 8000000; gbps = 8000000000; };
      n = builtins.fromJSON (builtins.elemAt m 0);
      f = units.${builtins.elemAt m 2};
    in
    if m == null then throw "Invalid tc rate ${builtins.toJSON rate} (e.g. 10mbit)"
    else if builtins.isInt n then n * f else builtins.floor (n * f + 0.5);

  # One timer tick's worth at 250 Hz, at least 1600 bytes.
  defaultBurstBytes = bits: let b = (bits + 1999) / 2000; in if b > 1600 then b else 1600;

  ifbName = iface:
    let plain = "ifb-${iface}"; in
    if builtins.stringLength plain <= 15 then plain
    else "ifb-${sub iface 0 6}${sub (builtins.hashString "sha1" iface) 0 5}";

  # The profile's values for a target: top level, replaced field by field by the first override
  # among `names` (link before VM).
  shapingFor = profile: names:
    let
      top = builtins.listToAttrs (concatMap (k: optional (profile ? ${k}) { name = k; value = profile.${k}; }) shapingKeys);
      overrides = profile.overrides or { };
      hits = builtins.filter (n: overrides ? ${n}) names;
      o = if hits == [ ] then { } else overrides.${builtins.head hits};
    in
    top // builtins.listToAttrs (concatMap (k: optional (o ? ${k}) { name = k; value = o.${k}; }) shapingKeys);

  needsNetem = s: s ? delay || s ? loss || s ? corrupt || s ? duplicate;

  netemArgs = s:
    optionals (s ? delay) ([ "delay" s.delay ] ++ optional (s ? jitter) s.jitter)
    ++ optionals (s ? loss) [ "loss" s.loss ]
    ++ optionals (s ? corrupt) [ "corrupt" s.corrupt ]
    ++ optionals (s ? duplicate) [ "duplicate" s.duplicate ];

  tbfArgs = s: [ "rate" s.rate "burst" (s.burst or "${toString (defaultBurstBytes (rateBits s.rate))}b") "latency" tbfLatency ];

  renderShaping = dev: s:
    if needsNetem s then
      [ ([ "tc" "qdisc" "add" "dev" dev "root" "handle" "1:" "netem" ] ++ netemArgs s) ]
      ++ optional (s ? rate) ([ "tc" "qdisc" "add" "dev" dev "parent" "1:1" "handle" "10:" "tbf" ] ++ tbfArgs s)
    else optional (s ? rate) ([ "tc" "qdisc" "add" "dev" dev "root" "handle" "1:" "tbf" ] ++ tbfArgs s);

  renderIngressRedirect = iface:
    let ifb = ifbName iface; in [
      [ "ip" "link" "add" "name" ifb "type" "ifb" ]
      [ "ip" "link" "set" "dev" ifb "up" ]
      [ "tc" "qdisc" "add" "dev" iface "handle" "ffff:" "ingress" ]
      [ "tc" "filter" "add" "dev" iface "parent" "ffff:" "protocol" "all" "prio" (toString mirredPref)
        "u32" "match" "u32" "0" "0" "action" "mirred" "egress" "redirect" "dev" ifb ]
    ];

  # Commands applying `profile` on target { iface; names; } (clean interface assumed).
  renderProfile = profile: target:
    let
      s = shapingFor profile target.names;
      dir = profile.direction or "egress";
    in
    if !(s ? rate) && !(needsNetem s) then [ ]
    else optionals (dir == "egress" || dir == "both") (renderShaping target.iface s)
      ++ optionals (dir == "ingress" || dir == "both") (renderIngressRedirect target.iface ++ renderShaping (ifbName target.iface) s);

  # Removing vsim's shaping from an interface; each command may fail (nothing there). The ingress
  # qdisc stays (partitions keep their drop filters there): only the ifb redirect filter goes.
  renderClear = iface: [
    [ "tc" "qdisc" "del" "dev" iface "root" ]
    [ "tc" "filter" "del" "dev" iface "parent" "ffff:" "protocol" "all" "prio" (toString mirredPref) ]
    [ "ip" "link" "del" "dev" (ifbName iface) ]
  ];

  vmTaps = topology: vm: extraNames:
    let v = topology.vms.${vm} or null; in
    if v == null then [ ]
    else map (n: { host = v.host; inherit vm; iface = n.tap; names = extraNames ++ [ vm ]; })
      (builtins.filter (n: n ? tap) (v.nics or [ ]));

  # Targets of profile `name` (targets.ts): its `targets` (VM taps; a link's both ends), else every
  # VM NIC with a tap in file order; a tap twice on one host is kept once (first wins).
  profileTargets = topology: name:
    let
      p = topology.profiles.${name};
      list =
        if (p.targets or [ ]) != [ ] then
          concatMap (t:
            if (topology.links or { }) ? ${t} then concatMap (vm: vmTaps topology vm [ t ]) topology.links.${t}.endpoints
            else vmTaps topology t [ ]) p.targets
        else concatMap (vm: vmTaps topology vm [ ]) (util.names topology "vms");
    in
    builtins.foldl' (acc: t:
      if builtins.any (a: a.host == t.host && a.iface == t.iface) acc then acc else acc ++ [ t ]) [ ] list;

  # { PROFILE = { TAP = argv[][]; }; } for every profile (the golden vectors' `tc`), restricted to
  # the targets on `host` unless host is null.
  profiles = topology: host:
    builtins.mapAttrs (name: p:
      builtins.listToAttrs (map (t: { name = t.iface; value = renderProfile p t; })
        (builtins.filter (t: host == null || t.host == host) (profileTargets topology name))))
      (topology.profiles or { });

  # The seeds' /etc/tc-simulate-constraints.sh for `host`: `PROFILE` clears every tap of the host
  # then applies the profile (so `default`, empty, just clears), `status` shows what the kernel has.
  # Taps of VMs that are not running are skipped with a note (checked with `ip link show`, which
  # sees the caller's network namespace, unlike /sys/class/net). `bins`: tc and ip paths.
  script = { topology, host, bins ? { } }:
    let
      tc = bins.tc or "tc";
      ip = bins.ip or "ip";
      # The tools' names in argv become the configured paths.
      cmd = argv: escapeShellArgs ([ (if builtins.head argv == "tc" then tc else ip) ] ++ builtins.tail argv);
      allTaps = unique (map (t: t.iface) (builtins.filter (t: t.host == host)
        (concatMap (vm: vmTaps topology vm [ ]) (util.names topology "vms"))));
      names = util.names topology "profiles";
      perProfile = profiles topology host;
      present = iface: "${ip} link show dev ${iface} >/dev/null 2>&1";
      clearAll = concatMap (iface: [
        "if ${present iface}; then"
      ] ++ map (a: "  ${cmd a} 2>/dev/null || true") (renderClear iface) ++ [
        "fi"
      ]) allTaps;
      apply = pname:
        let per = perProfile.${pname}; in
        concatMap (iface:
          let cmds = per.${iface}; in
          optionals (cmds != [ ]) ([
            "if ${present iface}; then"
          ] ++ map (a: "  ${cmd a}") cmds ++ [
            "  echo ${escapeShellArg "${iface}: ${pname}"}"
            "else"
            "  echo ${escapeShellArg "${iface}: not present (VM not running?), skipped"}"
            "fi"
          ])) (unique (map (t: t.iface) (builtins.filter (t: t.host == host) (profileTargets topology pname))));
      profileCase = pname: [
        "  ${escapeShellArg pname})"
      ] ++ map (l: "    " + l) (clearAll ++ apply pname) ++ [
        "    ;;"
      ];
      usageNames = unique ([ "default" ] ++ names ++ [ "status" ]);
    in
    builtins.concatStringsSep "\n" ([
      "#!/bin/sh"
      "# Generated by vsim (nix/lib/tc.nix) from the topology ${topology.name or ""}, host ${host}."
      "# Usage: $0 ${builtins.concatStringsSep "|" usageNames}"
      "set -u"
      "case \"\${1:-}\" in"
    ] ++ optionals (!(builtins.elem "default" names)) ([ "  default)" ] ++ map (l: "    " + l) clearAll ++ [ "    echo cleared" "    ;;" ])
      ++ concatMap profileCase names
      ++ [ "  status)" ]
      ++ concatMap (iface: [
        "    echo ${escapeShellArg "== ${iface}"}"
        "    ${tc} -s qdisc show dev ${iface} 2>/dev/null || echo '   (not present)'"
      ]) allTaps
      ++ [
        "    ;;"
        "  *)"
        "    echo \"usage: $0 ${builtins.concatStringsSep "|" usageNames}\" >&2"
        "    exit 2"
        "    ;;"
        "esac"
      ]) + "\n";
}
