# Reading a topology: `vsim export --json` output (defaults already explicit) or a topology written
# as a Nix attribute set (defaults filled here exactly as src/export/toJson.ts does). Pure.
{ util }:
let
  inherit (util) mapAttrs optionalAttrs sizeMiB;
  defaultConsole = { libvirt = "pty"; qemu = "unix"; microvm = "journal"; "cloud-hypervisor" = "unix"; };
in
rec {
  # Reads the exported JSON; keeps the file's key order in `_order` (Nix sorts attribute names).
  fromJSON = path:
    let text = builtins.readFile path; in
    fromTopology (builtins.fromJSON text // { _order = util.keyOrder text; });

  # Fills every default (idempotent: exported JSON comes back unchanged).
  fromTopology = t:
    let
      hosts = mapAttrs (_: h: h // {
        arch = h.arch or "x86_64";
        kvm = h.kvm or true;
        libvirtUri = h.libvirtUri or "qemu:///system";
      } // optionalAttrs (!(h ? sshConfigHost)) { user = h.user or "root"; port = h.port or 22; }) t.hosts;
      vm = v:
        let
          path = v.console.path or v.sockets.serial or null;
          kind0 = v.console.kind or defaultConsole.${v.backend};
          kind = if !(v ? console && v.console ? kind) && kind0 == "unix" && path == null then "none" else kind0;
        in
        v // {
          arch = v.arch or "x86_64";
          accel = v.accel or (if (hosts.${v.host}.kvm or true) == false then "tcg" else "kvm");
          vcpus = v.vcpus or 1;
          memory = sizeMiB (v.memory or 512);
          console = { inherit kind; } // optionalAttrs (path != null && (kind == "unix" || v ? console && v.console ? path)) { inherit path; };
          autostart = v.autostart or false;
        } // optionalAttrs (v ? disks) { disks = map (d: d // { format = d.format or "qcow2"; readonly = d.readonly or false; }) v.disks; }
          // optionalAttrs (v ? nics) { nics = map (n: n // { model = n.model or "virtio"; }) v.nics; };
    in
    builtins.removeAttrs t [ "layout" ] // { version = 1; inherit hosts; }
    // optionalAttrs (t ? networks) {
      networks = mapAttrs (name: n: n // { kind = n.kind or "bridge"; bridge = n.bridge or name; nat = n.nat or false; }) t.networks;
    }
    // optionalAttrs (t ? vms) { vms = mapAttrs (_: vm) t.vms; }
    // optionalAttrs (t ? profiles) { profiles = mapAttrs (_: p: p // { direction = p.direction or "egress"; }) t.profiles; };
}
