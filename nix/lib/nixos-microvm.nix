# The microvm.nix part (needs microvm.nix's module for the `microvm.vms` option): the slots'
# declarations, and one unit per slot tap that enslaves it to the slot's bridge once microvm.nix
# has created it (seed 003's "bridge attachment" services). Pure, like nixos.nix.
{ util }:
{ hc, bins ? { } }:
let ip = bins.ip or "ip"; in
{
  microvm.vms = hc.microvm.vms;
  systemd.services = util.mapAttrs' (name: tb: util.nameValuePair "vsim-attach-${tb.tap}" {
    description = "vsim: attach ${tb.tap} to ${tb.bridge}";
    after = [ "microvm-tap-interfaces@${name}.service" ];
    bindsTo = [ "microvm-tap-interfaces@${name}.service" ];
    wantedBy = [ "microvm@${name}.service" ];
    before = [ "microvm@${name}.service" ];
    serviceConfig = { Type = "oneshot"; RemainAfterExit = true; };
    script = "${ip} link set ${tb.tap} master ${tb.bridge} && ${ip} link set ${tb.tap} up";
  }) hc.microvm.tapBridges;
}
