{
  description = "vsim test image: a tiny derivation that builds offline (stand-in for a NixOS image)";

  # No inputs and no nixpkgs: builtins.derivation with the host's /bin/sh (needs `sandbox = false`).
  # `nix build --offline --no-use-registries 'path:nix/examples/tiny-image#default'`
  outputs = { self }:
    let
      system = "x86_64-linux";
      mk = name: script: builtins.derivation {
        inherit name system;
        builder = "/bin/sh";
        args = [ "-c" script ];
        PATH = "/usr/bin:/bin";
      };
    in
    {
      packages.${system} = {
        default = mk "vsim-tiny-image" ''
          echo "vsim tiny image: step 1/2, writing image"
          mkdir -p "$out"
          echo "vsim tiny image" > "$out/image.txt"
          echo "vsim tiny image: step 2/2, done"
        '';
        failing = mk "vsim-tiny-image-failing" ''
          echo "vsim tiny image: this build fails on purpose (package 'failing')" >&2
          exit 1
        '';
      };
    };
}
