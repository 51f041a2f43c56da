// Test and demo mode (VSIM_DIAL_ONLY, set by scripts/test-unit.mjs, scripts/test-all.mjs and the
// code-server harness): a destination outside the sandbox's networks fails loudly before any
// socket opens — also when a jump host on loopback would be the one to dial it.
import { strict as assert } from 'node:assert';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { dialChain, type DialDeps } from '../../../src/remote/dial';
import { DIAL_ONLY_ENV, dialGuardFrom } from '../../../src/remote/dialGuard';
import type { HostEndpoint } from '../../../src/remote/sshConfig';

const SANDBOX = '127.0.0.0/8,::1/128,10.77.0.0/24,10.78.0.0/24';

test('the test suites run with the sandbox guard on', () => {
  assert.equal(process.env[DIAL_ONLY_ENV], SANDBOX, 'scripts/test-unit.mjs sets it for every unit test');
});

test('only addresses inside the listed networks pass; names that need DNS never do', () => {
  const g = dialGuardFrom({ [DIAL_ONLY_ENV]: SANDBOX });
  assert.ok(g);
  for (const ok of ['127.0.0.1', '127.1.2.3', 'localhost', 'LocalHost', '::1', '[::1]', '10.77.0.2']) g.check(ok, ok);
  for (const bad of ['10.77.1.2', '192.168.1.50', '172.16.0.10', '8.8.8.8', 'hv1.lab.example', 'fe80::1', '']) {
    assert.throws(() => g.check(bad, `h(${bad})`), new RegExp(`Refusing to dial h\\(${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\).*test/demo mode allows only 127\\.0\\.0\\.0/8`));
  }
  assert.equal(dialGuardFrom({}), undefined, 'a user\'s VS Code: no limit');
  assert.throws(() => dialGuardFrom({ [DIAL_ONLY_ENV]: '10.0.0.0' }), /not ADDRESS\/PREFIX/);
});

test('dialChain refuses a target outside the sandbox before dialing its loopback jump host', async () => {
  let accepted = 0;
  const server = createServer((s) => { accepted++; s.destroy(); });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const ep = (host: string, p: number, jump?: HostEndpoint[]): HostEndpoint => ({
    alias: host, host, port: p, user: 'root', identityFiles: [], knownHostsFiles: [], strictHostKeyChecking: 'yes', ...(jump ? { jump } : {}),
  });
  const deps = { identities: { available: async () => ({ keys: [], encrypted: [] }) }, hostKeys: { preferredKeyTypes: async () => [] } } as unknown as DialDeps;
  try {
    await assert.rejects(dialChain(ep('192.168.1.50', 22, [ep('127.0.0.1', port)]), deps), /Refusing to dial 192\.168\.1\.50/);
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(accepted, 0, 'the jump host was not dialed either');
  } finally {
    server.close();
  }
});
