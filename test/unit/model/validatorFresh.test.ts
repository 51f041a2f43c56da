// The committed standalone validator matches the schema (scripts/gen-validator.mjs regenerates it),
// and it behaves like Ajv compiling the schema at run time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import schema from '../../../schemas/topology.schema.json';
import { validator } from '../../../src/model/schemaCheck';

const root = join(__dirname, '..', '..', '..');

test('src/model/generated/topologyValidator.js is generated from the current schema', () => {
  const r = (() => {
    try {
      execFileSync(process.execPath, [join(root, 'scripts', 'gen-validator.mjs'), '--check'], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
      return '';
    } catch (e) {
      return String((e as { stderr?: string }).stderr ?? e);
    }
  })();
  assert.equal(r, '', r);
});

test('the generated validator gives the same errors as Ajv compiling the schema at run time', () => {
  const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
  const runtime = ajv.compile(schema);
  const generated = validator();
  const samples: unknown[] = [
    {}, [], 'x', { version: 2 }, { version: 1, hosts: { 'bad name': {} } },
    { version: 1, hosts: { h: { address: 'a' } }, vms: { v: { host: 'h', backend: 'xen', memory: -1 } } },
  ];
  for (const f of ['chassis-emulator', 'n3x-emulation', 'simple-microvm-infra', 'aspen-cluster', 'sandbox']) {
    samples.push(parse(readFileSync(join(root, 'examples', `${f}.vsim.yaml`), 'utf8')));
  }
  let invalid = 0;
  for (const s of samples) {
    const a = runtime(s);
    const b = generated(s);
    assert.equal(b, a);
    const strip = (es: typeof runtime.errors) => (es ?? []).map((e) => ({ p: e.instancePath, k: e.keyword, m: e.message, s: e.schemaPath }));
    assert.deepEqual(strip(generated.errors), strip(runtime.errors));
    if (!a) invalid++;
  }
  assert.equal(invalid, 6, 'the six hand-made samples are invalid, the examples valid');
});
