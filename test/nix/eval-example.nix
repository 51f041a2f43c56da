# Everything test/nix/run.mjs checks for one example, in one evaluation (builtins only; the
# module is called with test/nix/stub-lib.nix instead of nixpkgs' lib).
{ exported, raw }:
let
  vsim = import ../../nix/lib;
  stub = import ./stub-lib.nix;
  t = vsim.fromJSON exported;
  stubPkgs = builtins.listToAttrs (map (n: { name = n; value = "/nix/store/stub-${n}"; })
    [ "libvirt" "qemu_kvm" "iproute2" "coreutils" "cloud-hypervisor" ]);
  perHost = h:
    let
      module = import ../../nix/module.nix { withMicrovm = true; } {
        config.services.vsim = { enable = true; topology = exported; host = h; };
        lib = stub;
        pkgs = stubPkgs;
      };
      bins = {
        virsh = "/nix/store/stub-libvirt/bin/virsh";
        qemu-img = "/nix/store/stub-qemu_kvm/bin/qemu-img";
        tc = "/nix/store/stub-iproute2/bin/tc";
        ip = "/nix/store/stub-iproute2/bin/ip";
        rm = "/nix/store/stub-coreutils/bin/rm";
        cloud-hypervisor = "/nix/store/stub-cloud-hypervisor/bin/cloud-hypervisor";
      };
      hc = vsim.hostConfig { topology = t; host = h; };
      hcStub = vsim.hostConfig { topology = t; host = h; inherit bins; };
      nixos = import ../../nix/lib/nixos.nix { inherit (vsim) util; } { hc = hcStub; inherit bins; };
      contents = module.config.content.contents;
    in
    {
      inherit (hc) networking dnsmasq microvm cloudHypervisor;
      tcScript = hc.tc.script;
      setupScript = hc.libvirt.setupScript;
      nixos = nixos;
      module = {
        options = builtins.attrNames module.options.services.vsim;
        guardedByEnable = module.config._type == "if" && module.config.condition == true;
        # The module's definitions are exactly the pure function's (with the module's tool paths).
        matchesPure = builtins.head contents == {
          inherit (nixos) networking environment;
          services.dnsmasq = nixos.services.dnsmasq;
          virtualisation.libvirtd = nixos.virtualisation.libvirtd;
          systemd.services = nixos.systemd.services;
        };
        microvmVms = (builtins.elemAt contents 1).microvm.vms == hcStub.microvm.vms;
      };
    };
in
{
  golden = vsim.goldenVector t;
  normalized = builtins.removeAttrs t [ "_order" ];
  fromTopology = vsim.fromTopology (builtins.fromJSON (builtins.readFile raw));
  hosts = builtins.mapAttrs (h: _: perHost h) t.hosts;
}
