{
  description = "vsim: the topology in the editor as the hypervisor's NixOS configuration";

  # No inputs: the library is builtins-only (evaluates offline). The NixOS module takes nixpkgs
  # from the system that imports it.
  outputs = { self }: {
    # lib.fromJSON ./lab.json, lib.fromTopology { … }, lib.hostConfig { topology; host; },
    # lib.goldenVector topology, and the per-output functions (libvirt, tc, dnsmasq, …).
    lib = import ./lib;

    nixosModules = {
      vsim = import ./module.nix { };
      # Also sets microvm.vms for the slots: import microvm.nix's host module as well.
      vsim-microvm = import ./module.nix { withMicrovm = true; };
      default = self.nixosModules.vsim;
    };
  };
}
