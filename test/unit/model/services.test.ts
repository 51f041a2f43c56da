import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../src/model/analyze';
import { mutate } from './helpers';

const HV2 = '  hv2:\n    address: 10.0.0.2\n    arch: aarch64\n';
const withServices = (list: string): string => mutate([HV2, `${HV2}    services: ${list}\n`]);
const lineOf = (text: string, offset: number): number => text.slice(0, offset).split('\n').length;

test('services: unit names validate and reach the model', () => {
  const a = analyze(withServices('[ebs-volume-microvm-storage, k3s.socket, "getty@tty1"]'));
  assert.deepEqual(a.problems.map((p) => p.code), []);
  assert.deepEqual(a.topology?.hosts?.hv2?.services, ['ebs-volume-microvm-storage', 'k3s.socket', 'getty@tty1']);
});

test('services: a name systemctl could take for an option or a shell word is a schema error at its line', () => {
  for (const bad of ['"-H evil"', '"a;b"', '".hidden"', '"two words"']) {
    const text = withServices(`[ok, ${bad}]`);
    const a = analyze(text);
    const p = a.problems.find((x) => x.severity === 'error');
    assert.ok(p, `${bad}: ${JSON.stringify(a.problems)}`);
    assert.deepEqual(p.path, ['hosts', 'hv2', 'services', 1]);
    assert.equal(lineOf(text, p.start), 10, `${bad} is on line 10`);
  }
  assert.ok(analyze(withServices('[a, a]')).problems.some((p) => p.severity === 'error'), 'uniqueItems');
});

test('services: a template without instance is an error, a unit shown anyway a warning, each at its line', () => {
  const text = withServices('[foo@, libvirtd.service, microvm@m, fine]');
  const a = analyze(text);
  const got = a.problems.map((p) => [p.severity, p.code, (p.path ?? []).join('.'), lineOf(text, p.start)]);
  assert.deepEqual(got, [
    ['error', 'service-template', 'hosts.hv2.services.0', 10],
    ['warning', 'service-default', 'hosts.hv2.services.1', 10],
    ['warning', 'service-microvm', 'hosts.hv2.services.2', 10],
  ]);
  assert.match(a.problems[0]!.message, /`foo@` is a template without an instance: name one, e\.g\. `foo@NAME`/);
});
