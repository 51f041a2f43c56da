// Parity and build tests of nix/ with the real `nix` (Debian's nix-bin, offline).
// For each example: `vsim export --json` (the CLI), then one Nix evaluation of the library and the
// module (test/nix/eval-example.nix), compared with test/golden/<example>.json and the export.
// Plus: the flake evaluated through `nix eval`, the generated shell scripts parsed by `sh -n`,
// the tc script run for real in a network namespace of its own, and a real offline `nix build`
// of nix/examples/tiny-image (default builds, failing fails with its message).
// Writes test-results/nix.json = { passed, failed, skipped, failures: [...] , timings }.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
const STATE = join(ROOT, '.sandbox/nix');
const OUT = join(STATE, 'export');
for (const d of ['home', 'cache', 'config', 'data', 'state', 'etc', 'export']) mkdirSync(join(STATE, d), { recursive: true });
mkdirSync(join(ROOT, 'test-results'), { recursive: true });

// Nix's configuration and every per-user directory point into .sandbox/nix: nothing is written
// outside /nix and the repo (see ../shared/notes/sandbox-hypervisor.md, "nix").
const env = {
  ...process.env,
  HOME: join(STATE, 'home'),
  XDG_CACHE_HOME: join(STATE, 'cache'),
  XDG_CONFIG_HOME: join(STATE, 'config'),
  XDG_DATA_HOME: join(STATE, 'data'),
  XDG_STATE_HOME: join(STATE, 'state'),
  NIX_CONF_DIR: join(STATE, 'etc'),
  NIX_USER_CONF_FILES: '',
  NIX_CONFIG: ['build-users-group =', 'sandbox = false', 'substituters =', 'experimental-features = nix-command flakes'].join('\n'),
};

const results = { passed: 0, failed: 0, skipped: 0, failures: [], timings: {} };
function pass(name, extra = '') {
  results.passed++;
  console.log(`  ok    ${name}${extra ? `  (${extra})` : ''}`);
}
function fail(name, detail) {
  results.failed++;
  results.failures.push({ name, detail: String(detail).slice(0, 4000) });
  console.log(`  FAIL  ${name}\n        ${String(detail).split('\n').slice(0, 12).join('\n        ')}`);
}
function skip(name, why) {
  results.skipped++;
  console.log(`  skip  ${name}: ${why}`);
}
function check(name, fn) {
  try {
    const r = fn();
    if (r === true || r === undefined) pass(name);
    else if (typeof r === 'string') pass(name, r);
    else fail(name, r.detail ?? 'failed');
  } catch (err) {
    fail(name, err.stack ?? err);
  }
}
function run(cmd, args, opts = {}) {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 64 << 20, ...opts });
  return { ...r, ms: Number(process.hrtime.bigint() - t0) / 1e6 };
}
function firstDiff(a, b, path = '') {
  if (isDeepStrictEqual(a, b)) return undefined;
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const d = firstDiff(a[k], b[k], `${path}/${k}`);
      if (d) return d;
    }
  }
  return `${path || '/'}: nix ${JSON.stringify(a)?.slice(0, 600)}\n  expected ${JSON.stringify(b)?.slice(0, 600)}`;
}
const same = (actual, expected) => (isDeepStrictEqual(actual, expected) ? true : { detail: firstDiff(actual, expected) });

// --- nix itself ------------------------------------------------------------------------------
console.log('nix:');
const inst = run('bash', [join(ROOT, 'test/nix/install-nix.sh')]);
if (inst.status !== 0) {
  fail('nix is installed (test/nix/install-nix.sh)', inst.stderr || inst.stdout);
  finish();
}
const ver = run('nix', ['--version']);
pass('nix is installed', ver.stdout.trim());

// --- per example -----------------------------------------------------------------------------
const { parse } = await import(join(ROOT, 'node_modules/yaml/dist/index.js'));
const examples = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.vsim.yaml')).map((f) => f.replace(/\.vsim\.yaml$/, '')).sort();
const evals = {};
for (const ex of examples) {
  console.log(`\n${ex}:`);
  const src = join(ROOT, 'examples', `${ex}.vsim.yaml`);
  const exported = join(OUT, `${ex}.json`);
  const raw = join(OUT, `${ex}.raw.json`);
  const tsx = join(ROOT, 'node_modules/.bin/tsx');
  const exp = run(tsx, ['src/cli.ts', 'export', '--json', src, '-o', exported]);
  if (exp.status !== 0) {
    fail(`${ex}: vsim export --json`, exp.stderr);
    continue;
  }
  pass(`${ex}: vsim export --json`, `${exp.ms.toFixed(0)} ms`);
  const rawValue = parse(readFileSync(src, 'utf8'));
  writeFileSync(raw, JSON.stringify(rawValue));
  const exportedValue = JSON.parse(readFileSync(exported, 'utf8'));

  const ev = run('nix-instantiate', ['--eval', '--strict', '--json', 'test/nix/eval-example.nix',
    '--arg', 'exported', exported, '--arg', 'raw', raw]);
  results.timings[`eval ${ex} (ms)`] = Math.round(ev.ms);
  if (ev.status !== 0) {
    fail(`${ex}: nix evaluation of the library and module`, ev.stderr);
    continue;
  }
  pass(`${ex}: nix evaluation of the library and module`, `${ev.ms.toFixed(0)} ms`);
  const v = JSON.parse(ev.stdout);
  evals[ex] = v;
  const goldenFile = join(ROOT, 'test/golden', `${ex}.json`);
  if (!existsSync(goldenFile)) {
    skip(`${ex}: golden vector`, `no test/golden/${ex}.json`);
  } else {
    const golden = JSON.parse(readFileSync(goldenFile, 'utf8'));
    // libvirt XML: exact text, byte for byte (no whitespace normalization).
    check(`${ex}: libvirt domain XML = golden (exact text, ${Object.keys(golden.libvirtXml).length} domains)`, () => same(v.golden.libvirtXml, golden.libvirtXml));
    check(`${ex}: tc argv = golden (${Object.keys(golden.tc).length} profiles)`, () => same(v.golden.tc, golden.tc));
    check(`${ex}: dnsmasq lines = golden (${Object.keys(golden.dnsmasq).length} networks)`, () => same(v.golden.dnsmasq, golden.dnsmasq));
    check(`${ex}: tunnel ports and their argv = golden (${Object.values(golden.tunnels ?? {}).flat().length} ports)`, () => same(v.golden.tunnels, golden.tunnels ?? {}));
  }
  check(`${ex}: nix fromTopology (raw file) fills the same defaults as vsim export`, () => same(v.fromTopology, exportedValue));
  check(`${ex}: nix fromJSON (exported) leaves it unchanged`, () => same(v.normalized, exportedValue));
  check(`${ex}: NixOS module (stub lib) declares enable/topology/host, is guarded by enable and defines exactly the pure config`, () => {
    for (const [h, hv] of Object.entries(v.hosts)) {
      const m = hv.module;
      if (!isDeepStrictEqual(m.options, ['enable', 'host', 'topology'])) return { detail: `${h}: options ${m.options}` };
      if (!m.guardedByEnable) return { detail: `${h}: config not under mkIf enable` };
      if (!m.matchesPure) return { detail: `${h}: module definitions differ from nix/lib/nixos.nix` };
      if (!m.microvmVms) return { detail: `${h}: microvm.vms differ` };
    }
    return `${Object.keys(v.hosts).length} hosts`;
  });
  check(`${ex}: generated shell scripts parse (sh -n: tc-simulate-constraints.sh, vsim-setup-vms)`, () => {
    for (const [h, hv] of Object.entries(v.hosts)) {
      for (const [what, text] of [['tc script', hv.tcScript], ['setup script', hv.setupScript]]) {
        const r = spawnSync('sh', ['-n'], { input: text, encoding: 'utf8' });
        if (r.status !== 0) return { detail: `${h} ${what}: ${r.stderr}` };
      }
    }
    return true;
  });
}

// --- what the examples must produce beyond the golden vectors -----------------------------------
console.log('\nhost configuration:');
const hv = (ex, h) => evals[ex]?.hosts?.[h];
check('chassis-emulator: OVS bridge ovsbr0 with vnet0 as internal port carrying 192.168.100.1/24; dnsmasq range and domain', () => {
  const c = hv('chassis-emulator', 'outer-vm');
  if (!c) return { detail: 'no evaluation' };
  return same({ vs: c.networking.vswitches, addr: c.networking.interfaces.vnet0, dns: [c.dnsmasq.settings.interface, c.dnsmasq.settings['dhcp-range'], c.dnsmasq.settings.domain] },
    { vs: { ovsbr0: { interfaces: { vnet0: { type: 'internal' } } } }, addr: { ipv4: { addresses: [{ address: '192.168.100.1', prefixLength: 24 }] } },
      dns: ['vnet0', '192.168.100.100,192.168.100.200,255.255.255.0,12h', 'local'] });
});
check('chassis-emulator: vsim-setup-vms creates the disks and defines the three domains', () => {
  const c = hv('chassis-emulator', 'outer-vm');
  const s = c?.nixos?.systemd?.services?.['vsim-setup-vms'];
  if (!s) return { detail: 'no vsim-setup-vms unit' };
  const defs = s.script.split('\n').filter((l) => l.includes(' define '));
  const etc = Object.keys(c.nixos.environment.etc).sort();
  return same({ defs: defs.length, etc, creates: s.script.includes('qemu-img create -f qcow2 /var/lib/libvirt/images/storage-data.qcow2 50G') },
    { defs: 3, etc: ['tc-simulate-constraints.sh', 'vsim/libvirt/chassis.xml', 'vsim/libvirt/compute.xml', 'vsim/libvirt/storage.xml'], creates: true });
});
check('simple-microvm-infra: five Linux bridges br-slotN with 10.N.0.1/24, NAT out of enP2p4s0, five microvm.vms', () => {
  const c = hv('simple-microvm-infra', 'hypervisor');
  if (!c) return { detail: 'no evaluation' };
  const s1 = c.microvm.vms.slot1.config;
  return same({
    bridges: Object.keys(c.networking.bridges).sort(),
    br1: c.networking.interfaces['br-slot1'],
    nat: [c.networking.nat.enable, c.networking.nat.externalInterface, c.networking.nat.internalInterfaces.length],
    vms: Object.keys(c.microvm.vms).sort(),
    slot1: [s1.microvm.interfaces, s1.microvm.mem, s1.systemd.network.networks['10-lan'].address],
  }, {
    bridges: ['br-slot1', 'br-slot2', 'br-slot3', 'br-slot4', 'br-slot5'],
    br1: { ipv4: { addresses: [{ address: '10.1.0.1', prefixLength: 24 }] } },
    nat: [true, 'enP2p4s0', 5],
    vms: ['slot1', 'slot2', 'slot3', 'slot4', 'slot5'],
    slot1: [[{ type: 'tap', id: 'vm-slot1', mac: '02:00:00:00:00:01' }], 4096, ['10.1.0.2/24']],
  });
});
check('sandbox: a slot with console.kind unix gets its serial on console.sock (microvm.qemu.serialConsole = false + extraArgs); a journal slot keeps microvm.nix\'s default', () => {
  const s1 = hv('sandbox', 'vsim-hv2')?.microvm?.vms?.slot1?.config?.microvm;
  const j1 = hv('simple-microvm-infra', 'hypervisor')?.microvm?.vms?.slot1?.config?.microvm;
  if (!s1 || !j1) return { detail: 'no evaluation' };
  return same({ s1: [s1.qemu, s1.kernelParams], j1: [j1.qemu, j1.kernelParams] }, {
    s1: [{ serialConsole: false, extraArgs: ['-chardev', 'socket,id=vsim-serial,path=/var/lib/microvms/slot1/console.sock,server=on,wait=off,logfile=/var/lib/microvms/slot1/console.log,logappend=off', '-serial', 'chardev:vsim-serial'] }, ['console=ttyS0']],
    j1: [undefined, undefined],
  });
});
for (const [h, peer, ovsPort] of [['hv1', '10.99.0.2', 'gt7-1'], ['hv2', '10.99.0.1', 'gt7-0']]) {
  check(`two-host-fabric: ${h} gets vxlan unit vsim-tunnel-vx42 (remote ${peer}) on bridge fabric (MTU 1450) and OVS gre port ${ovsPort} on ovs-stor; gateway and DHCP on hv1 only`, () => {
    const c = hv('two-host-fabric', h);
    const u = c?.nixos?.systemd?.services?.['vsim-tunnel-vx42'];
    if (!u) return { detail: `no vsim-tunnel-vx42 unit on ${h}` };
    const vs = c.nixos.networking.vswitches['ovs-stor'];
    return same({
      create: u.script.split('\n').find((l) => l.includes(' add ')),
      vs: [Object.keys(vs.interfaces), vs.extraOvsctlCmds.split(' ').slice(0, 4)],
      fabric: c.networking.interfaces.fabric,
      dhcp: Object.keys(c.dnsmasq.lines),
    }, {
      create: `/nix/store/stub-iproute2/bin/ip link add vx42 type vxlan id 42 remote ${peer} local ${h === 'hv1' ? '10.99.0.1' : '10.99.0.2'} dstport 4789 dev eth1`,
      vs: [[ovsPort], ['set', 'interface', ovsPort, 'type=gre']],
      fabric: h === 'hv1' ? { ipv4: { addresses: [{ address: '10.30.0.1', prefixLength: 24 }] }, mtu: 1450 } : { mtu: 1450 },
      dhcp: h === 'hv1' ? ['fabric'] : [],
    });
  });
}
check('aspen-cluster: three cloud-hypervisor units with API socket, TAP on aspen-br0, kernel boot', () => {
  const c = hv('aspen-cluster', 'aspen-dev');
  const u = c?.cloudHypervisor?.services?.['vsim-ch-node-2'];
  if (!u) return { detail: 'no vsim-ch-node-2' };
  return same({ n: Object.keys(c.cloudHypervisor.services).length, start: u.serviceConfig.ExecStart, pre: u.serviceConfig.ExecStartPre.slice(1, 3) }, {
    n: 3,
    start: 'cloud-hypervisor --api-socket path=/run/aspen/node-2.sock --cpus boot=2 --memory size=512M --kernel /run/aspen/bzImage --cmdline console=hvc0 --net tap=aspen-tap1,mac=02:a5:00:00:00:03 --serial off --console tty',
    pre: ['ip tuntap add dev aspen-tap1 mode tap', 'ip link set aspen-tap1 master aspen-br0'],
  });
});

// --- the tc script for real, in a network namespace of our own ---------------------------------
console.log('\ntc script (real tc):');
{
  const c = hv('sandbox', 'vsim-hv1');
  const name = 'sandbox: /etc/tc-simulate-constraints.sh constrained → tbf 10Mbit on the taps; status; default clears';
  const unshare = run('unshare', ['-n', 'true']);
  if (!c) fail(name, 'no evaluation');
  else if (unshare.status !== 0) skip(name, `cannot create a network namespace (${unshare.stderr.trim()})`);
  else {
    const script = join(STATE, 'tc-simulate-constraints.sh');
    writeFileSync(script, c.tcScript, { mode: 0o755 });
    const inner = [
      'set -e',
      'for t in tap-chassis tap-compute; do ip tuntap add dev $t mode tap; ip link set $t up; done',
      `sh ${script} constrained`,
      'echo ===after-constrained; tc qdisc show dev tap-chassis; tc qdisc show dev tap-compute',
      `sh ${script} status >/dev/null`,
      `sh ${script} default`,
      'echo ===after-default; tc qdisc show dev tap-chassis',
      `sh ${script} bogus 2>/dev/null && exit 9 || true`,
    ].join('\n');
    const r = run('unshare', ['-n', 'sh', '-c', inner]);
    results.timings['tc script in netns (ms)'] = Math.round(r.ms);
    const [, afterC = '', afterD = ''] = r.stdout.split(/===after-constrained|===after-default/);
    const tbf = (afterC.match(/qdisc tbf 1: root .*rate 10Mbit burst 4Kb/g) ?? []).length;
    if (r.status === 0 && tbf === 2 && !/tbf/.test(afterD) && /tap-storage: not present/.test(r.stdout)) pass(name, `${r.ms.toFixed(0)} ms`);
    else fail(name, `exit ${r.status}\n${r.stdout}\n${r.stderr}`);
  }
}

// --- the flake through `nix eval` and a real `nix build` ------------------------------------------
console.log('\nflakes:');
{
  const exported = join(OUT, 'chassis-emulator.json');
  const r = run('nix', ['eval', '--offline', '--no-use-registries', '--impure', '--json', `path:${join(ROOT, 'nix')}#lib`,
    '--apply', `lib: (lib.goldenVector (lib.fromJSON ${exported})).dnsmasq`]);
  results.timings['nix eval flake lib (ms)'] = Math.round(r.ms);
  const golden = JSON.parse(readFileSync(join(ROOT, 'test/golden/chassis-emulator.json'), 'utf8'));
  if (r.status === 0 && isDeepStrictEqual(JSON.parse(r.stdout), golden.dnsmasq)) pass('nix eval path:nix#lib (flake output) gives the golden dnsmasq lines', `${r.ms.toFixed(0)} ms`);
  else fail('nix eval path:nix#lib (flake output) gives the golden dnsmasq lines', r.stderr || r.stdout);

  const m = run('nix', ['eval', '--offline', '--no-use-registries', '--json', `path:${join(ROOT, 'nix')}#nixosModules`, '--apply', 'ms: builtins.mapAttrs (_: builtins.isFunction) ms']);
  if (m.status === 0 && isDeepStrictEqual(JSON.parse(m.stdout), { default: true, vsim: true, 'vsim-microvm': true })) pass('flake exposes nixosModules.vsim, vsim-microvm, default (functions)');
  else fail('flake exposes nixosModules.vsim, vsim-microvm, default (functions)', m.stderr || m.stdout);

  const flake = `path:${join(ROOT, 'nix/examples/tiny-image')}`;
  const b = run('nix', ['build', '--offline', '--no-use-registries', '--no-link', '--json', `${flake}#default`]);
  results.timings['nix build tiny-image (ms)'] = Math.round(b.ms);
  let out;
  try {
    out = JSON.parse(b.stdout)[0].outputs.out;
  } catch {
    out = undefined;
  }
  if (b.status === 0 && out && readFileSync(join(out, 'image.txt'), 'utf8') === 'vsim tiny image\n') pass('nix build tiny-image#default (offline, builtins.derivation + /bin/sh)', `${b.ms.toFixed(0)} ms, ${out}`);
  else fail('nix build tiny-image#default (offline, builtins.derivation + /bin/sh)', `exit ${b.status}\n${b.stderr}`);

  const f = run('nix', ['build', '--offline', '--no-use-registries', '--no-link', '-L', `${flake}#failing`]);
  if (f.status !== 0 && /fails on purpose/.test(f.stderr)) pass('nix build tiny-image#failing fails with its message', `exit ${f.status}`);
  else fail('nix build tiny-image#failing fails with its message', `exit ${f.status}\n${f.stderr}`);
}

finish();

function finish() {
  writeFileSync(join(ROOT, 'test-results/nix.json'), JSON.stringify(results, null, 2) + '\n');
  console.log(`\nnix: ${results.passed} passed, ${results.failed} failed, ${results.skipped} skipped`);
  console.log(`timings: ${JSON.stringify(results.timings)}`);
  process.exit(results.failed ? 1 : 0);
}
