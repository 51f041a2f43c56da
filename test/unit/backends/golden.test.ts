import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyze } from '../../../src/model/analyze';
import { goldenVector } from '../../../src/deploy/golden';

const root = join(__dirname, '../../..');
const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.vsim.yaml'));

for (const f of examples) {
  const name = f.replace(/\.vsim\.yaml$/, '');
  test(`golden vector of ${name} is up to date (node --import tsx scripts/gen-golden.mjs)`, () => {
    const a = analyze(readFileSync(join(root, 'examples', f), 'utf8'));
    assert.ok(a.topology, `${f} parses`);
    const golden = JSON.parse(readFileSync(join(root, 'test/golden', `${name}.json`), 'utf8'));
    assert.deepEqual(goldenVector(a.topology), golden);
  });
}
