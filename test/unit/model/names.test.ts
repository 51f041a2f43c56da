// The name rule written in code (src/model/namePattern.ts, for the webview too) is the schema's.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import schema from '../../../schemas/topology.schema.json';
import { assertName, isValidName, NAME_PATTERN, NAME_RULE } from '../../../src/model/names';

test('NAME_PATTERN and NAME_RULE say what the schema says', () => {
  assert.equal(NAME_PATTERN.source, schema.definitions.name.pattern);
  assert.ok(schema.definitions.name.description.endsWith(`: ${NAME_RULE}.`), schema.definitions.name.description);
});

test('names: the pattern accepts and refuses', () => {
  for (const ok of ['a', 'vm-1', 'A_b', '0', 'x'.repeat(63)]) assert.ok(isValidName(ok), ok);
  for (const bad of ['', '-a', '_a', 'a b', 'a/b', '../../etc', 'x'.repeat(64), 'a\nb']) assert.ok(!isValidName(bad), JSON.stringify(bad));
  assert.throws(() => assertName('../x', 'snapshot name'), /Invalid snapshot name "..\/x"/);
});
