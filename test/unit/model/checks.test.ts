// The topology checks: examples are clean; every semantic check, the schema errors and bad input
// give the right message at the exact range.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../../src/model/analyze';
import { BASE, EXAMPLES, marked, mutate, mutateText, prng } from './helpers';

/** The two-host example (spanning networks) with one-line mutations. */
const FABRIC = readFileSync(join(EXAMPLES, 'two-host-fabric.vsim.yaml'), 'utf8');
const fabric = (...edits: [string, string][]): string => mutateText(FABRIC, ...edits);

/** Asserts a problem with `code` whose range is exactly the «marked» one, and whose message has `msg`. */
function expectProblem(src: string, code: string, msg: string | RegExp, severity: 'error' | 'warning' = 'error') {
  const { text, start, end } = marked(src);
  const a = analyze(text);
  const hit = a.problems.find((p) => p.code === code && p.start === start && p.end === end);
  const pos = (o: number) => a.parsed.lines.position(o);
  assert.ok(hit, `expected ${code} at ${JSON.stringify(pos(start))}–${JSON.stringify(pos(end))} ` +
    `(${JSON.stringify(text.slice(start, end))}); got:\n${a.problems.map((p) => `  ${p.code} ${JSON.stringify(pos(p.start))} ${JSON.stringify(text.slice(p.start, p.end))}: ${p.message}`).join('\n')}`);
  if (typeof msg === 'string') assert.ok(hit.message.includes(msg), `message ${JSON.stringify(hit.message)} should contain ${JSON.stringify(msg)}`);
  else assert.match(hit.message, msg);
  assert.equal(hit.severity, severity);
  // The same range in line/column terms, as editors and the CLI show it.
  assert.deepEqual(a.parsed.lines.position(hit.start), pos(start));
  assert.deepEqual(a.parsed.lines.position(hit.end), pos(end));
  return hit;
}

describe('examples', () => {
  const files = readdirSync(EXAMPLES).filter((f) => f.endsWith('.vsim.yaml'));
  test('there are examples', () => assert.ok(files.length >= 5));
  for (const f of files) {
    test(`${f} validates with zero problems`, () => {
      const a = analyze(readFileSync(join(EXAMPLES, f), 'utf8'));
      assert.deepEqual(a.problems.map((p) => `${p.code}: ${p.message}`), []);
      assert.ok(a.ok && a.topology);
    });
  }
  test('the base fixture validates with zero problems', () => assert.deepEqual(analyze(BASE).problems, []));
});

// [check code, message substring, marked text, severity]
const SEMANTIC: [string, string, string, ('error' | 'warning')?][] = [
  ['unknown-reference', 'No profile named `slwo`. Did you mean `slow`?', mutate(['profile: slow }', 'profile: «slwo» }'])],
  ['unknown-reference', 'No network named `lna`', mutate(['      - network: lan\n        mac: "52:54:00:00:00:01"', '      - network: «lna»\n        mac: "52:54:00:00:00:01"'])],
  ['unknown-reference', 'No host named `hv9` (or write it as user@host:port)', mutate(['    address: 10.0.0.1\n', '    address: 10.0.0.1\n    proxyJump: «hv9»\n'])],
  ['unknown-reference', 'No VM named `zz`', mutate(['    a: { x: 0, y: 0 }', '    «zz»: { x: 0, y: 0 }']), 'warning'],
  ['unknown-reference', 'No state named `st2`', mutate(['state: st1 }', 'state: «st2» }'])],
  ['name-backend', 'VM name `b.x` is not valid for backend qemu: it becomes the start log `b.x.start.log`', mutate(['  b:\n    host: hv1\n    backend: qemu', '  «b.x»:\n    host: hv1\n    backend: qemu'])],
  ['domain-not-libvirt', '`domain` names a libvirt domain, but VM `m` has backend microvm', mutate(['    backend: microvm\n', '    backend: microvm\n    «domain»: other\n'])],
  ['domain-numeric', 'libvirt domain `42` (VM `a`) is made of digits only', mutate(['    backend: libvirt\n    vcpus: 2', '    backend: libvirt\n    domain: «"42"»\n    vcpus: 2'])],
  ['domain-taken', 'VM `c` and VM `a` both are libvirt domain `a` on host `hv1`', mutate(['  m:\n', '  c:\n    host: hv1\n    backend: libvirt\n    domain: «a»\n  m:\n'])],
  ['ambiguous-name', '`ab` is both a VM and a link name', mutate(['  m:\n', '  ab:\n    host: hv1\n    backend: libvirt\n  m:\n'], ['  ab: { endpoints', '  «ab»: { endpoints'])],
  ['subnet-host-bits', 'Subnet 192.168.1.5/24 has host bits set; the network is 192.168.1.0/24', mutate(['subnet: 192.168.1.0/24', 'subnet: «192.168.1.5/24»']), 'warning'],
  ['ip-outside-subnet', 'Gateway 192.168.2.1 is outside subnet 192.168.1.0/24 of network `lan`', mutate(['gateway: 192.168.1.1', 'gateway: «192.168.2.1»'])],
  ['ip-outside-subnet', 'VM `a` NIC 0: 192.168.5.10 is outside subnet 192.168.1.0/24', mutate(['ip: 192.168.1.10', 'ip: «192.168.5.10»'])],
  ['ip-outside-subnet', 'DHCP range end 192.168.9.1 is outside subnet', mutate(['end: 192.168.1.200', 'end: «192.168.9.1»'])],
  ['dhcp-range-reversed', 'DHCP range ends (192.168.1.100) before it starts (192.168.1.200)', mutate(['dhcp: { start: 192.168.1.100, end: 192.168.1.200 }', 'dhcp: { start: 192.168.1.200, end: «192.168.1.100» }'])],
  ['subnet-overlap', 'Subnet 192.168.1.128/25 of `lan2` overlaps 192.168.1.0/24 of `lan` on host `hv1`', mutate(['  slotnet:\n', '  lan2: { host: hv1, subnet: «192.168.1.128/25» }\n  slotnet:\n'])],
  ['ip-reserved', '192.168.1.255 is the broadcast address of 192.168.1.0/24', mutate(['ip: 192.168.1.10', 'ip: «192.168.1.255»'])],
  ['ip-reserved', '192.168.1.0 is the network address', mutate(['ip: 192.168.1.10', 'ip: «192.168.1.0»'])],
  ['duplicate-ip', '192.168.1.1 is the gateway of network `lan`', mutate(['ip: 192.168.1.10', 'ip: «192.168.1.1»'])],
  ['duplicate-ip', 'VM `b` NIC 0: 192.168.1.10 is already used by VM `a` NIC 0', mutate(['ip: 192.168.1.11', 'ip: «192.168.1.10»'])],
  ['duplicate-mac', 'MAC 52:54:00:00:00:01 is already used by VM `a` NIC 0', mutate(['mac: "52:54:00:00:00:02"', 'mac: «"52:54:00:00:00:01"»'])],
  ['multicast-mac', 'MAC 53:54:00:00:00:02 is a multicast address', mutate(['mac: "52:54:00:00:00:02"', 'mac: «"53:54:00:00:00:02"»'])],
  ['duplicate-interface', 'interface `tap-a` is already used by VM `a` NIC 0 on host `hv1`', mutate(['tap: tap-b', 'tap: «tap-a»'])],
  ['duplicate-interface', 'interface `tap-a` is already used by network `tap-a`', mutate(['  slotnet:\n', '  tap-a: { host: hv1 }\n  slotnet:\n'], ['tap: tap-a', 'tap: «tap-a»'])],
  ['tap-reserved-prefix', 'libvirt reserves interface names starting with vnet', mutate(['tap: tap-a', 'tap: «vnet-a»']), 'warning'],
  ['ip-in-dhcp-range', '192.168.1.150 is inside the DHCP range 192.168.1.100–192.168.1.200 of `lan`', mutate(['ip: 192.168.1.10', 'ip: «192.168.1.150»']), 'warning'],
  ['arch-kvm-mismatch', 'VM `a` is aarch64 with kvm on host `hv1`, which is x86_64', mutate(['    vcpus: 2\n', '    vcpus: 2\n    arch: «aarch64»\n'])],
  ['arch-kvm-mismatch', 'Set `accel: tcg`', mutate(['    vcpus: 2\n', '    vcpus: 2\n    arch: aarch64\n    accel: «kvm»\n'])],
  ['kvm-unavailable', 'VM `a` uses kvm but host `hv1` has `kvm: false`', mutate(['    address: 10.0.0.1\n', '    address: 10.0.0.1\n    kvm: false\n'], ['vms:\n  a:\n', 'vms:\n  «a»:\n'])],
  ['backend-no-tcg', 'cloud-hypervisor has no software emulation', mutate(['    backend: qemu\n', '    backend: cloud-hypervisor\n    accel: «tcg»\n'])],
  ['microvm-without-slot', 'microvm VM `m` has no `slot`', mutate(['  m:\n    host: hv2\n    backend: microvm\n    arch: aarch64\n    slot: s1\n', '  «m»:\n    host: hv2\n    backend: microvm\n    arch: aarch64\n'])],
  ['slot-not-microvm', 'Only microvm VMs use slots; VM `a` has backend libvirt', mutate(['    vcpus: 2\n', '    vcpus: 2\n    slot: «s1»\n'])],
  ['slot-taken', 'Slot `s1` is already used by VM `m`', mutate(['slots:\n', '  m2:\n    host: hv2\n    backend: microvm\n    arch: aarch64\n    slot: «s1»\nslots:\n'])],
  ['host-mismatch', 'VM `m` is on host `hv1` but its slot `s1` is on `hv2`', mutate(['  m:\n    host: hv2\n', '  m:\n    host: «hv1»\n'])],
  ['host-mismatch', 'Network `slotnet` is on host `hv2`, but VM `a` runs on `hv1`', mutate(['      - network: lan\n        mac: "52:54:00:00:00:01"', '      - network: «slotnet»\n        mac: "52:54:00:00:00:01"'])],
  ['host-mismatch', 'Network `lan` is on host `hv1`, but slot `s1` is on `hv2`', mutate(['network: slotnet, ip: 10.1.0.2', 'network: «lan», ip: 10.1.0.2'])],
  ['qemu-without-qmp', 'qemu VM `b` needs a monitor socket', mutate(['    sockets: { qmp: /run/b.qmp }', '    «sockets»: { serial: /run/b.sock }'])],
  ['ch-without-api', 'cloud-hypervisor VM `b` needs `sockets.api`', mutate(['    backend: qemu\n    sockets:', '    backend: cloud-hypervisor\n    «sockets»:'])],
  ['console-without-path', 'Console of `a` is a unix socket but no `console.path` or `sockets.serial` is given', mutate(['    vcpus: 2\n', '    vcpus: 2\n    console: { kind: «unix» }\n'])],
  ['qos-ignored', '`qos` is libvirt\'s <bandwidth>; backend qemu ignores it', mutate(['    sockets: { qmp: /run/b.qmp }\n', '    sockets: { qmp: /run/b.qmp }\n    «qos»: { inbound: { average: 100 } }\n']), 'warning'],
  ['jitter-without-delay', 'Profile `slow`: jitter needs a `delay`', mutate(['slow: { rate: 10mbit, delay: 50ms, jitter: 5ms', 'slow: { rate: 10mbit, jitter: «5ms»'])],
  ['jitter-without-delay', 'Profile `fast`, `a`: jitter needs a `delay`', mutate(['links:\n', '  fast: { rate: 1gbit, overrides: { a: { jitter: «1ms» } } }\nlinks:\n'])],
  ['link-self', 'Link `ab` connects `a` to itself', mutate(['ab: { endpoints: [a, b]', 'ab: { «endpoints»: [a, a]'])],
  ['jump-loop', 'Host `hv1` jumps through itself', mutate(['    address: 10.0.0.1\n', '    address: 10.0.0.1\n    proxyJump: «hv1»\n'])],
  ['unknown-reference', 'No VM named `c`', mutate(['    backend: libvirt\n    vcpus: 2\n', '    backend: libvirt\n    vcpus: 2\n    after: [b, «c»]\n'])],
  ['after-cycle', 'Start order loops: `a` → `b` → `a`', mutate(['    backend: libvirt\n    vcpus: 2\n', '    backend: libvirt\n    vcpus: 2\n    after: [«b»]\n'],
    ['    sockets: { qmp: /run/b.qmp }\n', '    sockets: { qmp: /run/b.qmp }\n    after: [a]\n'])],
  ['after-cycle', 'VM `a` is listed in its own `after`', mutate(['    backend: libvirt\n    vcpus: 2\n', '    backend: libvirt\n    vcpus: 2\n    after: [«a»]\n'])],
  ['after-other-host', '`m` runs on host `hv2`, not `hv1`', mutate(['    backend: libvirt\n    vcpus: 2\n', '    backend: libvirt\n    vcpus: 2\n    after: [«m»]\n']), 'warning'],
  ['service-template', '`foo@` is a template without an instance: name one, e.g. `foo@NAME`', mutate(['    arch: aarch64\nnetworks:', '    arch: aarch64\n    services: [«foo@»]\nnetworks:'])],
  ['service-default', '`dnsmasq` is shown under every host\'s Services anyway', mutate(['    arch: aarch64\nnetworks:', '    arch: aarch64\n    services: [«dnsmasq»]\nnetworks:']), 'warning'],
  ['service-microvm', '`microvm@m` is the unit of microvm VM `m` on `hv2`', mutate(['    arch: aarch64\nnetworks:', '    arch: aarch64\n    services: [«microvm@m»]\nnetworks:']), 'warning'],
  ['start-ignored', '`start` is the launcher of a qemu VM; backend libvirt', mutate(['    backend: libvirt\n    vcpus: 2\n', '    backend: libvirt\n    vcpus: 2\n    «start»: { argv: [true] }\n']), 'warning'],
  // Networks spanning hosts (examples/two-host-fabric.vsim.yaml).
  ['underlay-taken', 'Host `hv2` has the same underlay address 10.99.0.1 as host `hv1`', fabric(['underlay: 10.99.0.2', 'underlay: «10.99.0.1»'])],
  ['underlay-missing', 'Host `hv2` has no `underlay` address: the vxlan tunnel of network `fabric` ends there', fabric(['    underlay: 10.99.0.2\n', ''], ['    hosts: [hv1, hv2]\n    tunnel: { kind: vxlan', '    hosts: [hv1, «hv2»]\n    tunnel: { kind: vxlan'])],
  ['host-and-hosts', 'Network `fabric` gives both `host` and `hosts`', fabric(['    hosts: [hv1, hv2]\n    tunnel: { kind: vxlan', '    host: hv1\n    «hosts»: [hv1, hv2]\n    tunnel: { kind: vxlan'])],
  ['span-without-tunnel', 'Network `fabric` spans hv1, hv2 but has no `tunnel`', fabric(['    hosts: [hv1, hv2]\n    tunnel: { kind: vxlan, vni: 42 }\n', '    «hosts»: [hv1, hv2]\n'])],
  ['tunnel-unused', 'Network `fabric` is on one host: its `tunnel` is not used', fabric(['    hosts: [hv1, hv2]\n    tunnel: { kind: vxlan, vni: 42 }\n', '    host: hv1\n    «tunnel»: { kind: vxlan, vni: 42 }\n']), 'warning'],
  ['tunnel-without-id', 'The vxlan tunnel of network `fabric` needs a `vni`', fabric(['    tunnel: { kind: vxlan, vni: 42 }\n', '    «tunnel»: { kind: vxlan }\n'])],
  ['tunnel-id-taken', 'GRE key 7 is already the tunnel of network `storage`', fabric(['    subnet: 10.31.0.0/24\n', '    subnet: 10.31.0.0/24\n  backup:\n    hosts: [hv1, hv2]\n    tunnel: { kind: gre, key: «7» }\n'])],
  ['mtu-too-large', 'MTU 1480 of network `fabric` does not fit its vxlan tunnel: the underlay MTU 1500 minus 50 bytes of header leaves 1450', fabric(['mtu: 1450', 'mtu: «1480»'])],
  ['tunnel-port-ignored', '`port` is the UDP port of vxlan; a gre tunnel has none', fabric(['{ kind: gre, key: 7 }', '{ kind: gre, key: 7, port: «4790» }']), 'warning'],
  ['link-no-path', 'Link `web-db` joins `web` on `hv1` and `db` on `hv2`, which share no network', fabric(['      - network: fabric\n        mac: "52:54:00:30:00:20"\n        ip: 10.30.0.20\n        tap: tap-db\n', ''], ['      - network: storage\n        mac: "52:54:00:31:00:20"', '      - network: storagex\n        mac: "52:54:00:31:00:20"'], ['  web-db: { endpoints', '  web-db: { «endpoints»']), 'warning'],
  ['host-mismatch', 'Network `fabric` is on hosts `hv1`, `hv2`, but VM `db` runs on `hv3`', fabric(['  hv2:\n', '  hv3: { address: 10.0.0.3 }\n  hv2:\n'], ['  db:\n    host: hv2', '  db:\n    host: hv3'], ['      - network: fabric\n        mac: "52:54:00:30:00:20"', '      - network: «fabric»\n        mac: "52:54:00:30:00:20"'])],
  ['subnet-overlap', 'Subnet 10.30.0.0/25 of `local2` overlaps 10.30.0.0/24 of `fabric` on host `hv2`', fabric(['  storage:\n', '  local2: { host: hv2, subnet: «10.30.0.0/25» }\n  storage:\n'])],
];

describe('semantic checks', () => {
  for (const [code, msg, text, severity] of SEMANTIC) {
    test(`${code}: ${msg}`, () => void expectProblem(text, code, msg, severity ?? 'error'));
  }
  test('every check code in src/model/checks has a fixture', () => {
    const dir = join(__dirname, '..', '..', '..', 'src', 'model', 'checks');
    const codes = new Set<string>();
    for (const f of readdirSync(dir)) {
      for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/(?:report\(\s*'(?:error|warning|info)'|report\(\s*rule\.severity \?\? 'error'),\s*'([a-z0-9-]+)'/g)) codes.add(m[1] ?? '');
      for (const m of readFileSync(join(dir, f), 'utf8').matchAll(/report\([^,]+,\s*'([a-z0-9-]+)'/g)) codes.add(m[1] ?? '');
    }
    assert.ok(codes.size >= 20, `found ${codes.size} codes`);
    const covered = new Set(SEMANTIC.map(([c]) => c));
    assert.deepEqual([...codes].filter((c) => !covered.has(c)).sort(), []);
  });
  test('a misspelt reference carries replace-reference fix data', () => {
    const p = expectProblem(mutate(['profile: slow }', 'profile: «slwo» }']), 'unknown-reference', 'slow');
    assert.deepEqual(p.fix, { kind: 'replace-reference', candidates: ['slow'] });
  });
  test('address problems carry next-free-ip / generate-mac fix data', () => {
    assert.deepEqual(expectProblem(mutate(['ip: 192.168.1.11', 'ip: «192.168.1.10»']), 'duplicate-ip', 'already').fix, { kind: 'next-free-ip', network: 'lan' });
    assert.deepEqual(expectProblem(mutate(['mac: "52:54:00:00:00:02"', 'mac: «"52:54:00:00:00:01"»']), 'duplicate-mac', 'already').fix, { kind: 'generate-mac' });
  });
});

describe('schema errors', () => {
  test('unknown key, with did-you-mean', () => void expectProblem(mutate(['    vcpus: 2\n', '    «vcpsu»: 2\n']), 'unknown-key', 'Unknown key `vcpsu` in vms.a. Did you mean `vcpus`?'));
  test('unknown top-level key', () => void expectProblem(mutate(['name: unit-base', '«nmae»: unit-base']), 'unknown-key', 'Did you mean `name`?'));
  test('bad enum value, with did-you-mean', () => void expectProblem(mutate(['backend: libvirt', 'backend: «libvrt»']), 'bad-enum', 'vms.a.backend: "libvrt" is not allowed; use one of libvirt, microvm, qemu, cloud-hypervisor. Did you mean `libvirt`?'));
  test('bad name pattern as a key', () => void expectProblem(mutate(['  st1: { host: hv2 }', '  «st 1!»: { host: hv2 }']), 'bad-name', 'states: invalid name "st 1!"'));
  test('missing required key', () => void expectProblem(mutate(['  a:\n    host: hv1\n', '  «a»:\n']), 'missing-key', 'vms.a: missing required key `host`.'));
  test('wrong type', () => void expectProblem(mutate(['vcpus: 2', 'vcpus: «two»']), 'bad-type', 'vms.a.vcpus must be an integer, not string "two".'));
  test('wrong type: a list where a map belongs', () => void expectProblem(mutate(['    sockets: { qmp: /run/b.qmp }', '    «sockets»: [/run/b.qmp]']), 'bad-type', 'must be a map'));
  test('bad format (pattern)', () => void expectProblem(mutate(['ip: 192.168.1.10', 'ip: «192.168.1.300»']), 'bad-format', '"192.168.1.300" is not valid. An IPv4 address.'));
  test('out of range', () => void expectProblem(mutate(['vcpus: 2', 'vcpus: «0»']), 'out-of-range', 'vms.a.vcpus must be >= 1'));
  test('a host address, ssh alias, jump host or flake cannot start with - (ssh and nix would read an option)', () => {
    void expectProblem(mutate(['address: 10.0.0.1', 'address: «-oBatchMode»']), 'bad-format', 'hosts.hv1.address');
    void expectProblem(mutate(['address: 10.0.0.1', 'address: 10.0.0.1\n    sshConfigHost: «-F.x»']), 'bad-format', 'hosts.hv1.sshConfigHost');
    void expectProblem(mutate(['address: 10.0.0.1', 'address: 10.0.0.1\n    proxyJump: «-Jx»']), 'bad-format', 'hosts.hv1.proxyJump');
    void expectProblem(mutate(['address: 10.0.0.1', 'address: 10.0.0.1\n    flake: «--impure»']), 'bad-format', 'hosts.hv1.flake');
    void expectProblem(mutate(['address: 10.0.0.1', 'address: 10.0.0.1\n    flake: «/x;reboot»']), 'bad-format', 'hosts.hv1.flake');
  });
  test('wrong version', () => void expectProblem(mutate(['version: 1', 'version: «2»']), 'bad-value', 'version must be 1'));
});

describe('bad input', () => {
  test('empty (0-byte) file', () => {
    const a = analyze('');
    assert.equal(a.ok, false);
    assert.deepEqual(a.problems.map((p) => [p.code, p.start, p.end]), [['empty', 0, 0]]);
    assert.match(a.problems[0]?.message ?? '', /Empty topology/);
  });
  test('only comments', () => assert.deepEqual(analyze('# nothing yet\n').problems.map((p) => p.code), ['empty']));
  test('a scalar instead of a map', () => assert.match(analyze('hello\n').problems[0]?.message ?? '', /must be a map/));
  const MALFORMED: [string, string, { line: number; character: number }][] = [
    ['version: 1\nhosts:\n  a: [1, 2\n', 'yaml-bad_indent', { line: 3, character: 0 }],
    ['hosts:\n  a: b\n c: d\n', 'yaml-bad_indent', { line: 2, character: 0 }],
    ['version: 1\nname: "unclosed\n', 'yaml-missing_char', { line: 2, character: 0 }],
    ['version: 1\nhosts: {}\n\tfoo: 1\n', 'yaml-tab_as_indent', { line: 2, character: 0 }],
    ['version: 1\nhosts:\n  h: {address: x}\n  h: {address: y}\n', 'yaml-duplicate_key', { line: 3, character: 2 }],
  ];
  for (const [text, code, at] of MALFORMED) {
    test(`malformed YAML ${JSON.stringify(text)} → ${code} at ${at.line}:${at.character}`, () => {
      const a = analyze(text);
      const p = a.problems.find((x) => x.code === code);
      assert.ok(p, a.problems.map((x) => x.code).join());
      assert.deepEqual(a.parsed.lines.position(p.start), at);
      assert.equal(a.topology, undefined);
    });
  }
  test('a 10 MB file: "too large", no throw', () => {
    const text = 'version: 1\n' + '# padding line for a very large topology file ....\n'.repeat(200_000);
    assert.ok(text.length >= 10_000_000);
    const a = analyze(text);
    assert.deepEqual(a.problems.map((p) => p.code), ['too-large']);
    assert.match(a.problems[0]?.message ?? '', /File is 9\.\d MB; vsim checks topology files up to 5 MB/);
  });
  test('binary junk (NUL bytes): a diagnostic at the first NUL', () => {
    const text = 'version: 1\nhosts:\u0000\u0001\u0002\u00ff';
    const a = analyze(text);
    assert.deepEqual(a.problems.map((p) => [p.code, p.start, p.end]), [['binary', 17, 18]]);
  });
  test('fuzz: 200 random byte strings never make analyze throw', () => {
    const rnd = prng(42);
    for (let i = 0; i < 200; i++) {
      const len = Math.floor(rnd() * 400);
      const bytes = Buffer.alloc(len);
      for (let j = 0; j < len; j++) bytes[j] = Math.floor(rnd() * 256);
      const text = bytes.toString(i % 2 ? 'latin1' : 'utf8');
      assert.doesNotThrow(() => analyze(text), `case ${i}`);
    }
  });
  test('fuzz: 200 YAML-ish strings (keys, indents, flow, anchors) never make analyze throw', () => {
    const rnd = prng(7);
    const atoms = ['version: 1', 'hosts:', 'vms:', 'networks:', '  a:', '    host: a', '- ', '{', '}', '[', ']', ': ', '&x ', '*x', '!!str ', '"', "'", '#', '\n', '  ', 'nics: [{ network: n, ip: 10.0.0.1 }]', 'subnet: 10.0.0.0/8', '<<: *x', '---\n', '|\n', '? '];
    for (let i = 0; i < 200; i++) {
      let text = '';
      const n = Math.floor(rnd() * 60);
      for (let j = 0; j < n; j++) text += atoms[Math.floor(rnd() * atoms.length)];
      assert.doesNotThrow(() => analyze(text), JSON.stringify(text));
    }
  });
});
