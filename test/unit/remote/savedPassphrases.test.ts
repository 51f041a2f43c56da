// Saved passphrases over a secret store (VS Code's SecretStorage in the extension): kept only when
// offered and confirmed; every saved one, also one saved before the index existed, is found by Forget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PASSPHRASE_INDEX_KEY, passphraseKey, SecretPassphrases } from '../../../src/remote/savedPassphrases';

function memoryStore(initial: Array<[string, string]> = []) {
  const m = new Map(initial);
  return { m, get: async (k: string) => m.get(k), store: async (k: string, v: string) => { m.set(k, v); }, delete: async (k: string) => { m.delete(k); } };
}

test('offer keeps a passphrase only when the user agrees; delete and forgetAll leave nothing behind', async () => {
  const s = memoryStore();
  let agree = false;
  const p = new SecretPassphrases(s, async () => agree);
  await p.offer('/k/a', 'pa');
  assert.equal(s.m.size, 0, 'Not Now: nothing stored');
  agree = true;
  await p.offer('/k/a', 'pa');
  await p.offer('/k/b', 'pb');
  assert.equal(await p.get('/k/a'), 'pa');
  assert.deepEqual(await p.files(), ['/k/a', '/k/b']);
  await p.delete('/k/a');
  assert.deepEqual(await p.files(), ['/k/b']);
  assert.equal(await p.get('/k/a'), undefined);
  assert.deepEqual(await p.forgetAll(), ['/k/b']);
  assert.deepEqual([...s.m.keys()], []);
});

test('a passphrase saved before the index existed is listed once read, so Forget finds it', async () => {
  const s = memoryStore([[passphraseKey('/k/old'), 'po'], [PASSPHRASE_INDEX_KEY, 'not json']]);
  const p = new SecretPassphrases(s, async () => true);
  assert.deepEqual(await p.files(), []);
  assert.equal(await p.get('/k/old'), 'po');
  assert.deepEqual(await p.forgetAll(), ['/k/old']);
  assert.deepEqual([...s.m.keys()], []);
});
