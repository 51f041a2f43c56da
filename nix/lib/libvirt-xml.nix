# libvirt domain XML for the `libvirt` VMs of a topology: the same text, byte for byte, as the
# extension's renderer (src/backends/libvirt/renderDomainXml.ts); test/nix/run.mjs compares both
# with test/golden/*.json. Pure: builtins only. `topology` is `vsim export --json` output (every
# default explicit), read with lib.fromJSON.
{ util }:
let
  inherit (util) concatMap optional optionals escapeXML imap0 filterAttrs mod toLower hexDigit;
  x = v: escapeXML (toString v);
  sub = s: start: len: builtins.substring start len s;
in
rec {
  # Stable UUID from the name (renderUuid.ts): sha1("vsim:" + name) laid out as a v5-style UUID.
  domainUuid = name:
    let
      h = builtins.hashString "sha1" "vsim:${name}";
      v = sub "89ab" (util.mod (hexDigit (sub h 16 1)) 4) 1;
    in
    "${sub h 0 8}-${sub h 8 4}-5${sub h 13 3}-${v}${sub h 17 3}-${sub h 20 12}";

  # The domain a VM is on its host: its `domain`, else its key (domainName in src/model/types.ts).
  domainName = name: vm: vm.domain or name;

  # vda…vdz, vdaa…: libvirt's naming.
  diskTarget = i:
    let
      letter = n: sub "abcdefghijklmnopqrstuvwxyz" (mod n 26) 1;
      go = n: acc: let s = letter n + acc; next = n / 26 - 1; in if next >= 0 then go next s else s;
    in
    "vd" + go i "";

  # The accelerator: the VM's own, else tcg when its host has no KVM (export fills it already).
  vmAccel = topology: vm:
    vm.accel or (if (topology.hosts.${vm.host}.kvm or true) == false then "tcg" else "kvm");

  machineType = arch: accel: if arch == "aarch64" then "virt" else if accel == "kvm" then "q35" else "pc";
  defaultCmdline = arch: if arch == "aarch64" then "console=ttyAMA0" else "console=ttyS0";

  # Where a domain keeps its serial log (defaultSerialLog in renderDomainXml.ts): virtlogd writes
  # it whether or not a console is attached, afresh each boot; Show Boot Log reads it.
  defaultSerialLog = domain: "/var/log/libvirt/qemu/${domain}-serial.log";

  # The lines of one domain. `serialLog`: the virtlogd log file of the serial console (null: none).
  domainLines = { topology, name, serialLog ? defaultSerialLog (domainName name topology.vms.${name}) }:
    let
      vm = topology.vms.${name};
      domain = domainName name vm;
      arch = vm.arch or "x86_64";
      accel = vmAccel topology vm;
      nets = topology.networks or { };
      ind = d: t: builtins.concatStringsSep "" (builtins.genList (_: "  ") d) + t;
      attr = n: v: if v == null then "" else " ${n}='${x v}'";
      disk = i: d: [
        (ind 2 "<disk type='file' device='disk'>")
        (ind 3 "<driver name='qemu' type='${d.format or "qcow2"}'/>")
        (ind 3 "<source${attr "file" d.path}/>")
        (ind 3 "<target dev='${diskTarget i}' bus='virtio'/>")
      ] ++ optional (d.readonly or false) (ind 3 "<readonly/>") ++ [
        (ind 2 "</disk>")
      ];
      qos = vm.qos or { };
      nic = i: n:
        let
          net = nets.${n.network};
          q = if i == 0 then qos else { };
        in
        [ (ind 2 "<interface type='bridge'>") ]
        ++ optional (n ? mac) (ind 3 "<mac${attr "address" (toLower n.mac)}/>")
        ++ [ (ind 3 "<source${attr "bridge" (net.bridge or n.network)}/>") ]
        ++ optional ((net.kind or "bridge") == "ovs") (ind 3 "<virtualport type='openvswitch'/>")
        ++ optional (n ? tap) (ind 3 "<target${attr "dev" n.tap}/>")
        ++ [ (ind 3 "<model type='${n.model or "virtio"}'/>") ]
        ++ optionals (q ? inbound || q ? outbound) (
          [ (ind 3 "<bandwidth>") ]
          ++ concatMap (dir: optional (q ? ${dir})
            (ind 4 "<${dir}${attr "average" q.${dir}.average}${attr "peak" (q.${dir}.peak or null)}${attr "burst" (q.${dir}.burst or null)}/>"))
            [ "inbound" "outbound" ]
          ++ [ (ind 3 "</bandwidth>") ])
        ++ [ (ind 2 "</interface>") ];
    in
    [
      (ind 0 "<domain type='${if accel == "kvm" then "kvm" else "qemu"}'>")
      (ind 1 "<name>${x domain}</name>")
      (ind 1 "<uuid>${domainUuid domain}</uuid>")
      (ind 1 "<memory unit='MiB'>${x vm.memory}</memory>")
      (ind 1 "<vcpu>${x (vm.vcpus or 1)}</vcpu>")
      (ind 1 (if arch == "aarch64" then "<os firmware='efi'>" else "<os>"))
      (ind 2 "<type${attr "arch" arch}${attr "machine" (machineType arch accel)}>hvm</type>")
    ] ++ (if vm ? boot then
      [ (ind 2 "<kernel>${x vm.boot.kernel}</kernel>") ]
      ++ optional (vm.boot ? initrd) (ind 2 "<initrd>${x vm.boot.initrd}</initrd>")
      ++ [ (ind 2 "<cmdline>${x (vm.boot.cmdline or (defaultCmdline arch))}</cmdline>") ]
    else [ (ind 2 "<boot dev='hd'/>") ]) ++ [
      (ind 1 "</os>")
      (ind 1 "<features>")
      (ind 2 "<acpi/>")
      (ind 1 "</features>")
    ] ++ (if accel == "kvm" then [ (ind 1 "<cpu mode='host-passthrough'/>") ]
      else optionals (arch == "aarch64") [
        (ind 1 "<cpu mode='custom' match='exact'>")
        (ind 2 "<model fallback='allow'>cortex-a57</model>")
        (ind 1 "</cpu>")
      ]) ++ [
      (ind 1 "<devices>")
    ] ++ builtins.concatLists (imap0 disk (vm.disks or [ ]))
      ++ builtins.concatLists (imap0 nic (vm.nics or [ ]))
      ++ [ (ind 2 "<serial type='pty'>") ]
      ++ optional (serialLog != null) (ind 3 "<log${attr "file" serialLog}${attr "append" "off"}/>")
      ++ [
      (ind 3 "<target port='0'/>")
      (ind 2 "</serial>")
      (ind 2 "<console type='pty'>")
      (ind 3 "<target type='serial' port='0'/>")
      (ind 2 "</console>")
      (ind 1 "</devices>")
      (ind 0 "</domain>")
    ];

  domainXml = topology: name: builtins.concatStringsSep "\n" (domainLines { inherit topology name; }) + "\n";

  libvirtVms = topology: host:
    filterAttrs (_: vm: vm.backend == "libvirt" && (host == null || vm.host == host)) (topology.vms or { });

  # { VM = xml; } for the libvirt VMs (of `host`, or of every host when null).
  domains = topology: host: builtins.mapAttrs (name: _: domainXml topology name) (libvirtVms topology host);

  # The body of the vsim-setup-vms unit: create missing disk images, define every domain from its
  # XML file (the UUID is derived from the name, so a redefinition updates the same domain), and
  # set autostart. `xmlPath name` gives the file of each domain, `bins` the tools' paths.
  setupScript = { topology, host, xmlPath, bins ? { } }:
    let
      virsh = bins.virsh or "virsh";
      qemuImg = bins.qemu-img or "qemu-img";
      vms = libvirtVms topology host;
      order = builtins.filter (n: vms ? ${n}) (util.names topology "vms");
      q = util.escapeShellArg;
      perVm = name:
        let vm = vms.${name}; domain = domainName name vm; in
        concatMap (d: optional (d ? size)
          "[ -e ${q d.path} ] || ${qemuImg} create -f ${d.format or "qcow2"} ${q d.path} ${util.removeSuffix "iB" d.size}")
          (vm.disks or [ ])
        ++ [ "${virsh} define ${q (xmlPath name)}" ]
        ++ [ (if vm.autostart or false then "${virsh} autostart ${q domain}" else "${virsh} autostart --disable ${q domain}") ];
    in
    builtins.concatStringsSep "\n" ([ "set -eu" ] ++ concatMap perVm order) + "\n";
}
