// Names: the rules written in code (src/model/namePattern.ts, for the webview too) are the schema's;
// what each backend accepts (dots for libvirt domains only, src/model/checks/names.ts), and the
// `domain` field mapping a VM key to a differently named libvirt domain.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import schema from '../../../schemas/topology.schema.json';
import { analyze } from '../../../src/model/analyze';
import { assertDomainName, assertName, isValidName, isValidVmName, NAME_PATTERN, NAME_RULE, VM_NAME_PATTERN, VM_NAME_RULE } from '../../../src/model/names';

test('NAME_PATTERN, VM_NAME_PATTERN and their rules say what the schema says', () => {
  assert.equal(NAME_PATTERN.source, schema.definitions.name.pattern);
  assert.ok(schema.definitions.name.description.endsWith(`: ${NAME_RULE}.`), schema.definitions.name.description);
  assert.equal(VM_NAME_PATTERN.source, schema.definitions.vmName.pattern);
  assert.ok(schema.definitions.vmName.description.includes(`: ${VM_NAME_RULE}.`), schema.definitions.vmName.description);
  assert.equal(schema.properties.vms.propertyNames.$ref, '#/definitions/vmName');
  assert.equal(schema.definitions.vm.properties.domain.$ref, '#/definitions/vmName');
});

test('names: the patterns accept and refuse', () => {
  for (const ok of ['a', 'vm-1', 'A_b', 'UPPER_case', '0', 'x'.repeat(63)]) assert.ok(isValidName(ok), ok);
  for (const bad of ['', '-a', '_a', 'a b', 'a/b', '../../etc', 'x'.repeat(64), 'a\nb', 'gamma.with.dots']) assert.ok(!isValidName(bad), JSON.stringify(bad));
  for (const ok of ['gamma.with.dots', 'edge.Gateway', 'UPPER_case', 'a.b-c_d', 'x'.repeat(63)]) assert.ok(isValidVmName(ok), ok);
  // Never a path step, an option, a shell word break or a quote.
  for (const bad of ['', '.', '..', '.hidden', '-a', 'a/b', '../x', 'a b', "a'b", 'a;b', 'a$b', 'a\nb', 'x'.repeat(64)]) assert.ok(!isValidVmName(bad), JSON.stringify(bad));
  assert.throws(() => assertName('../x', 'snapshot name'), /Invalid snapshot name "..\/x"/);
  assert.throws(() => assertName('gamma.with.dots', 'VM name'), /Invalid VM name/);
  assert.equal(assertDomainName('gamma.with.dots'), 'gamma.with.dots');
  assert.throws(() => assertDomainName('a b'), /Invalid domain name "a b"/);
});

/** A one-host lab with the given VM entries (YAML lines under `vms:`). */
function lab(vms: string, extra = ''): string {
  return [
    'version: 1', 'hosts:', '  hv: { address: 10.0.0.1 }',
    'networks:', '  lan: { host: hv, subnet: 10.9.0.0/24 }',
    'slots:', '  s1: { host: hv, network: lan }',
    'vms:', vms, extra,
  ].join('\n');
}

function problems(text: string): { code: string; line: number; message: string; path: string }[] {
  const a = analyze(text);
  return a.problems.filter((p) => p.severity === 'error').map((p) => ({ code: p.code, line: a.parsed.lines.position(p.start).line + 1, message: p.message, path: (p.path ?? []).join('.') }));
}

test('libvirt VMs may have dots and capitals in their names; references to them resolve', () => {
  const text = lab([
    '  gamma.with.dots: { host: hv, backend: libvirt }',
    '  UPPER_case: { host: hv, backend: libvirt, after: [gamma.with.dots] }',
  ].join('\n'), [
    'profiles:', '  slow: { rate: 1mbit, targets: [gamma.with.dots], overrides: { UPPER_case: { rate: 2mbit } } }',
    'links:', '  l1: { endpoints: [gamma.with.dots, UPPER_case] }',
    'layout:', '  vms:', '    gamma.with.dots: { x: 1, y: 2 }',
  ].join('\n'));
  assert.deepEqual(analyze(text).problems, []);
});

test('a dot is refused, at the VM key with the reason, for each backend whose name becomes a unit or a file', () => {
  const cases: [string, string, RegExp][] = [
    ['microvm', '{ host: hv, backend: microvm, slot: s1 }', /backend microvm: it becomes the systemd unit `microvm@m\.x`, the directory `\/var\/lib\/microvms\/m\.x`/],
    ['qemu', '{ host: hv, backend: qemu, sockets: { qmp: /run/q.sock } }', /backend qemu: it becomes the start log `m\.x\.start\.log`/],
    ['cloud-hypervisor', '{ host: hv, backend: cloud-hypervisor, sockets: { api: /run/c.sock } }', /backend cloud-hypervisor: it becomes the systemd unit `vsim-ch-m\.x`/],
  ];
  for (const [backend, body, reason] of cases) {
    const ps = problems(lab(`  m.x: ${body}`));
    assert.equal(ps.length, 1, `${backend}: ${JSON.stringify(ps)}`);
    assert.equal(ps[0]!.code, 'name-backend');
    assert.equal(ps[0]!.line, 9, 'the line of the VM key');
    assert.equal(ps[0]!.path, 'vms.m.x');
    assert.match(ps[0]!.message, reason);
    assert.match(ps[0]!.message, /only libvirt domain names may have dots/);
  }
  // Other names stay strict: a host, network or slot with a dot is a schema error at its key.
  const ps = problems(lab('  a: { host: hv, backend: libvirt }').replace('  hv: { address', '  hv.x: { address').replace(/host: hv\b/g, 'host: hv.x'));
  assert.ok(ps.some((p) => p.code === 'bad-name' && p.line === 3 && /invalid name "hv\.x"/.test(p.message)), JSON.stringify(ps));
});

test('`domain` maps a VM key to a libvirt domain: only for libvirt, valid, not numeric, one VM per domain', () => {
  assert.deepEqual(problems(lab('  gateway: { host: hv, backend: libvirt, domain: edge.Gateway }')), []);
  const notLibvirt = problems(lab('  m: { host: hv, backend: microvm, slot: s1, domain: other }'));
  assert.deepEqual(notLibvirt.map((p) => [p.code, p.path]), [['domain-not-libvirt', 'vms.m.domain']]);
  assert.match(notLibvirt[0]!.message, /`domain` names a libvirt domain, but VM `m` has backend microvm/);
  const bad = problems(lab('  g: { host: hv, backend: libvirt, domain: "a b" }'));
  assert.deepEqual(bad.map((p) => [p.code, p.path]), [['bad-format', 'vms.g.domain']]);
  const numeric = problems(lab('  g: { host: hv, backend: libvirt, domain: "42" }'));
  assert.deepEqual(numeric.map((p) => [p.code, p.path]), [['domain-numeric', 'vms.g.domain']]);
  assert.match(numeric[0]!.message, /virsh would read it as a domain id/);
  const taken = problems(lab('  edge: { host: hv, backend: libvirt }\n  gw: { host: hv, backend: libvirt, domain: edge }'));
  assert.deepEqual(taken.map((p) => [p.code, p.path, p.line]), [['domain-taken', 'vms.gw.domain', 10]]);
  assert.match(taken[0]!.message, /VM `gw` and VM `edge` both are libvirt domain `edge` on host `hv`/);
});
