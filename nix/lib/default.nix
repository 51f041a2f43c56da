# vsim's Nix library: the topology in the editor -> the hypervisor's configuration.
# Builtins only (no nixpkgs), so it evaluates offline; the NixOS module (../module.nix) wires
# `hostConfig` into NixOS options. Usage:
#   let vsim = import ./nix/lib; t = vsim.fromJSON ./lab.json; in vsim.hostConfig { topology = t; host = "hv"; }
let
  util = import ./util.nix;
  topology = import ./topology.nix { inherit util; };
  networks = import ./networks.nix { inherit util; };
  dnsmasq = import ./dnsmasq.nix { inherit util; };
  libvirt = import ./libvirt-xml.nix { inherit util; };
  tc = import ./tc.nix { inherit util; };
  microvm = import ./microvm.nix { inherit util; };
  cloudHypervisor = import ./cloud-hypervisor.nix { inherit util; };
  tunnels = import ./tunnels.nix { inherit util; };
in
{
  inherit util networks dnsmasq libvirt tc microvm cloudHypervisor tunnels;
  inherit (topology) fromJSON fromTopology;

  # What the extension renders, for every host: the shape of test/golden/<example>.json.
  goldenVector = t: {
    libvirtXml = libvirt.domains t null;
    tc = tc.profiles t null;
    dnsmasq = dnsmasq.lines t null;
    tunnels = tunnels.golden t null;
  };

  # Everything one host (`host`, a key of topology.hosts) needs, as plain data. `bins` maps tool
  # names (virsh, qemu-img, tc, ip, rm, cloud-hypervisor) to paths; the module passes store paths.
  # `xmlPath name` is where the domain XML of `name` is installed (the module uses /etc).
  hostConfig = { topology, host, bins ? { }, xmlPath ? (name: "/etc/vsim/libvirt/${name}.xml") }:
    let
      t = topology;
      dnsLines = dnsmasq.lines t host;
      domains = libvirt.domains t host;
    in
    if !(t.hosts ? ${host}) then
      throw "vsim: host ${builtins.toJSON host} is not in the topology (hosts: ${builtins.concatStringsSep ", " (builtins.attrNames t.hosts)})"
    else {
      networking = networks.networking t host;
      dnsmasq = {
        lines = dnsLines;
        settings = dnsmasq.toSettings (builtins.concatLists (map (n: dnsLines.${n}) (builtins.filter (n: dnsLines ? ${n}) (util.names t "networks"))));
      };
      libvirt = {
        inherit domains;
        etc = util.mapAttrs' (name: xml: util.nameValuePair (util.removePrefix "/etc/" (xmlPath name)) { text = xml; }) domains;
        setupScript = libvirt.setupScript { topology = t; inherit host xmlPath bins; };
      };
      tc = {
        profiles = tc.profiles t host;
        script = tc.script { topology = t; inherit host bins; };
      };
      microvm = {
        vms = microvm.vms t host;
        tapBridges = microvm.tapBridges t host;
      };
      cloudHypervisor.services = cloudHypervisor.services { topology = t; inherit host bins; };
      tunnels = map (p: p // { setup = tunnels.setup p; }) (tunnels.ports t host);
    };
}
