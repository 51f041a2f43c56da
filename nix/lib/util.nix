# Tiny helpers on builtins only, so nix/lib evaluates without nixpkgs (offline, any Nix >= 2.4).
# Names follow nixpkgs' lib where they do the same thing.
let
  inherit (builtins)
    attrNames concatStringsSep elemAt filter foldl' genList head length listToAttrs
    replaceStrings split stringLength substring tail toString;
in
rec {
  # Lists and attribute sets -------------------------------------------------------------------
  concatMap = f: l: builtins.concatLists (map f l);
  concatMapStrings = f: l: concatStringsSep "" (map f l);
  concatMapStringsSep = sep: f: l: concatStringsSep sep (map f l);
  optional = cond: x: if cond then [ x ] else [ ];
  optionals = cond: l: if cond then l else [ ];
  optionalString = cond: s: if cond then s else "";
  optionalAttrs = cond: a: if cond then a else { };
  mapAttrs = builtins.mapAttrs;
  mapAttrsToList = f: a: map (n: f n a.${n}) (attrNames a);
  filterAttrs = pred: a: listToAttrs (concatMap (n: optional (pred n a.${n}) { name = n; value = a.${n}; }) (attrNames a));
  nameValuePair = name: value: { inherit name value; };
  mapAttrs' = f: a: listToAttrs (mapAttrsToList f a);
  attrValues = builtins.attrValues;
  attrOr = a: n: d: if a ? ${n} && a.${n} != null then a.${n} else d;
  unique = foldl' (acc: x: if builtins.elem x acc then acc else acc ++ [ x ]) [ ];
  imap0 = f: l: genList (i: f i (elemAt l i)) (length l);
  last = l: elemAt l (length l - 1);
  # Later sets win, recursively for nested attribute sets.
  recursiveUpdate = a: b:
    a // builtins.mapAttrs (n: v:
      if a ? ${n} && builtins.isAttrs v && builtins.isAttrs a.${n} then recursiveUpdate a.${n} v else v) b;
  # Merge a list of attribute sets whose values are lists (concatenated) or sets (merged).
  zipLists = sets: foldl' (acc: s: acc // builtins.mapAttrs (n: v: (acc.${n} or [ ]) ++ v) s) { } sets;

  # Strings ------------------------------------------------------------------------------------
  splitString = sep: s: filter builtins.isString (split (escapeRegex sep) s);
  escapeRegex = replaceStrings
    [ "\\" "[" "]" "{" "}" "(" ")" "." "*" "+" "?" "^" "$" "|" ]
    [ "\\\\" "\\[" "\\]" "\\{" "\\}" "\\(" "\\)" "\\." "\\*" "\\+" "\\?" "\\^" "\\$" "\\|" ];
  hasPrefix = p: s: substring 0 (stringLength p) s == p;
  hasSuffix = p: s:
    let ls = stringLength s; lp = stringLength p; in lp <= ls && substring (ls - lp) lp s == p;
  removePrefix = p: s: if hasPrefix p s then substring (stringLength p) (stringLength s - stringLength p) s else s;
  removeSuffix = p: s: if hasSuffix p s then substring 0 (stringLength s - stringLength p) s else s;
  escapeXML = replaceStrings [ "&" "<" ">" "'" "\"" ] [ "&amp;" "&lt;" "&gt;" "&apos;" "&quot;" ];
  # POSIX sh single quoting; plain words stay bare (as nixpkgs' escapeShellArg does since 23.11).
  escapeShellArg = s:
    let str = toString s; in
    if builtins.match "[A-Za-z0-9,._+:@%/=-]+" str != null then str
    else "'" + replaceStrings [ "'" ] [ "'\\''" ] str + "'";
  escapeShellArgs = concatMapStringsSep " " escapeShellArg;
  indent = prefix: s: concatMapStringsSep "\n" (l: if l == "" then l else prefix + l) (splitString "\n" s);
  toInt = s: builtins.fromJSON s;

  # IPv4 ---------------------------------------------------------------------------------------
  # "10.1.0.0/24" -> { address = "10.1.0.0"; prefixLength = 24; }
  parseCidr = cidr:
    let parts = splitString "/" cidr; in
    { address = head parts; prefixLength = toInt (elemAt parts 1); };
  ipToInt = ip: foldl' (acc: o: acc * 256 + toInt o) 0 (splitString "." ip);
  intToIp = n: concatMapStringsSep "." toString [
    (n / 16777216) (mod (n / 65536) 256) (mod (n / 256) 256) (mod n 256)
  ];
  mod = a: b: a - (a / b) * b;
  pow2 = n: foldl' (acc: _: acc * 2) 1 (genList (x: x) n);
  netmask = prefixLength: intToIp (4294967296 - pow2 (32 - prefixLength));

  # Key order ----------------------------------------------------------------------------------
  # Nix sorts attribute names; the topology file's order matters for output that lists things
  # (dnsmasq leases, tc commands, disks). `vsim export --json` writes 2-space-indented JSON, so
  # the order of each section's keys is read back from the text: top-level keys are the only
  # lines starting with exactly two spaces and a quote, their entries with exactly four.
  keyOrder = text:
    let
      parts = split "\n  \"([A-Za-z0-9_-]+)\": " text;
      sections = genList (i: { name = head (elemAt parts (2 * i + 1)); body = elemAt parts (2 * i + 2); })
        ((length parts - 1) / 2);
      keysOf = body: map head (filter builtins.isList (split "\n    \"([A-Za-z0-9_-]+)\": [{]" body));
    in
    listToAttrs (map (s: { inherit (s) name; value = keysOf s.body; }) sections);
  # The hosts a network is on (`hosts`, else [ host ]) and the one carrying its gateway, NAT and DHCP (the first).
  networkHosts = net: net.hosts or (if net ? host then [ net.host ] else [ ]);
  onHost = net: host: builtins.elem host (networkHosts net);
  homeHost = net: let hs = networkHosts net; in if hs == [ ] then null else builtins.head hs;

  # Names of `topology.${section}` in file order when known (topology._order), else sorted.
  names = topology: section:
    let set = topology.${section} or { }; in
    if topology ? _order && topology._order ? ${section}
      && length topology._order.${section} == length (attrNames set)
    then topology._order.${section}
    else attrNames set;

  # Case and hex -------------------------------------------------------------------------------
  toLower = replaceStrings
    [ "A" "B" "C" "D" "E" "F" "G" "H" "I" "J" "K" "L" "M" "N" "O" "P" "Q" "R" "S" "T" "U" "V" "W" "X" "Y" "Z" ]
    [ "a" "b" "c" "d" "e" "f" "g" "h" "i" "j" "k" "l" "m" "n" "o" "p" "q" "r" "s" "t" "u" "v" "w" "x" "y" "z" ];
  hexDigit = c: {
    "0" = 0; "1" = 1; "2" = 2; "3" = 3; "4" = 4; "5" = 5; "6" = 6; "7" = 7; "8" = 8; "9" = 9;
    "a" = 10; "b" = 11; "c" = 12; "d" = 13; "e" = 14; "f" = 15;
  }.${c};

  # "64GiB"/"20G"/"512MiB"/"1T" -> MiB; numbers are MiB already (the schema's memory/size forms).
  sizeMiB = v:
    if builtins.isInt v then v
    else
      let
        m = builtins.match "([0-9]+)(MiB|GiB|TiB|M|G|T)" v;
        n = toInt (elemAt m 0);
        u = elemAt m 1;
      in
      if m == null then throw "Invalid size ${builtins.toJSON v}"
      else if u == "GiB" || u == "G" then n * 1024
      else if u == "TiB" || u == "T" then n * 1048576
      else n;
}
