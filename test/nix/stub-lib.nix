# A stand-in for the few nixpkgs `lib` functions nix/module.nix uses, so the module function can be
# called without nixpkgs sources (not available offline). It records what the module declares and
# defines (mkIf/mkMerge as nixpkgs represents them: { _type = "if"; … }); it does not merge.
{
  mkOption = o: { _type = "option"; } // o;
  mkEnableOption = name: { _type = "option"; type = "bool"; default = false; description = "Whether to enable ${name}."; };
  types = { path = "path"; str = "str"; bool = "bool"; };
  mkIf = condition: content: { _type = "if"; inherit condition content; };
  mkMerge = contents: { _type = "merge"; inherit contents; };
  optional = cond: x: if cond then [ x ] else [ ];
}
