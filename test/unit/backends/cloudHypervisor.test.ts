import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Topology } from '../../../src/model/types';
import {
  chRequest, chResult, curlCommand, curlFailureMessage, parseCurlOutput, parseVmInfo, restoreRequest, snapshotRequest, vmConfig, type ChEndpoint,
} from '../../../src/backends/cloudHypervisor/apiRequests';

const topo: Topology = {
  version: 1,
  hosts: { h: { address: 'localhost' } },
  networks: { br: { host: 'h' } },
  vms: { 'node-1': { host: 'h', backend: 'cloud-hypervisor', vcpus: 2, memory: '512MiB', boot: { kernel: '/run/aspen/bzImage', cmdline: 'console=hvc0' }, nics: [{ network: 'br', mac: '02:A5:00:00:00:02', tap: 'aspen-tap0' }] } },
};

test('requests: methods and paths from the spec; snapshot/restore bodies; vm.create body', () => {
  assert.deepEqual(chRequest('vm.info'), { endpoint: 'vm.info', method: 'GET', path: '/api/v1/vm.info' });
  assert.deepEqual(chRequest('vm.pause'), { endpoint: 'vm.pause', method: 'PUT', path: '/api/v1/vm.pause' });
  assert.deepEqual(snapshotRequest('/var/lib/snap/n1').body, { destination_url: 'file:///var/lib/snap/n1' });
  assert.deepEqual(restoreRequest('/var/lib/snap/n1', true).body, { source_url: 'file:///var/lib/snap/n1', resume: true });
  assert.deepEqual(vmConfig(topo, 'node-1'), {
    payload: { kernel: '/run/aspen/bzImage', cmdline: 'console=hvc0' },
    cpus: { boot_vcpus: 2, max_vcpus: 2 },
    memory: { size: 536870912 },
    net: [{ tap: 'aspen-tap0', mac: '02:a5:00:00:00:02' }],
    serial: { mode: 'Pty' },
    console: { mode: 'Off' },
  });
  const argv = curlCommand('/run/aspen/node-1.sock', chRequest('vm.create', { a: 1 }));
  assert.deepEqual(argv.slice(-4), ['Content-Type: application/json', '--data-binary', '{"a":1}', 'http://localhost/api/v1/vm.create']);
  assert.throws(() => curlCommand('/run/$x', chRequest('vm.info')), /Invalid API socket/);
});

test('responses → results and clear messages', () => {
  assert.deepEqual(chResult('vm.boot', { status: 204, body: '' }), { ok: true });
  const info = chResult('vm.info', { status: 200, body: '{"config":{},"state":"Running","memory_actual_size":1}' });
  assert.ok(info.ok);
  assert.equal(parseVmInfo(info.value).state, 'Running');
  assert.deepEqual(chResult('vm.info', { status: 404, body: '["Error from API","The VM info is not available","VM is not created"]' }),
    { ok: false, status: 404, message: 'cloud-hypervisor vm.info failed: the VM is not created (The VM info is not available: VM is not created)' });
  const r = chResult('vm.resume', { status: 405, body: '' });
  assert.equal(r.ok ? '' : r.message, 'cloud-hypervisor vm.resume failed: the VM is not paused');
  const e = chResult('vm.pause', { status: 500, body: '["Error from API","The VM could not be paused","VM is not running"]' });
  assert.equal(e.ok ? '' : e.message, 'cloud-hypervisor vm.pause failed: HTTP 500 (The VM could not be paused: VM is not running)');
  assert.deepEqual(parseCurlOutput('{"x":1}\n@@vsim-http-status:200\n'), { status: 200, body: '{"x":1}' });
  assert.match(curlFailureMessage(7, "curl: (7) Couldn't connect to server", '/run/a.sock'), /does not answer/);
});

const standIn = join(__dirname, '../../sandbox/stand-ins/cloud-hypervisor-stand-in.mjs');
const hasCurl = spawnSync('sh', ['-c', 'command -v curl']).status === 0;
test('against the sandbox cloud-hypervisor STAND-IN over a real unix socket with real curl', { skip: hasCurl && existsSync(standIn) ? false : 'curl or the stand-in missing' }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'vsim-ch-'));
  const sock = join(dir, 'api.sock');
  const child = spawn(process.execPath, [standIn, '--api-socket', sock, '--on-guest-exit', 'keep'], { stdio: 'ignore' });
  try {
    const deadline = Date.now() + 5000;
    while (!existsSync(sock) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const call = (endpoint: ChEndpoint, body?: unknown): ReturnType<typeof chResult> => {
      const argv = curlCommand(sock, chRequest(endpoint, body));
      const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8' });
      assert.equal(r.status, 0, curlFailureMessage(r.status ?? -1, r.stderr, sock));
      return chResult(endpoint, parseCurlOutput(r.stdout));
    };
    assert.equal(call('vmm.ping').ok, true);
    const none = call('vm.info');
    assert.equal(none.ok, false);
    assert.match(none.ok ? '' : none.message, /not created/);
    assert.equal(call('vm.create', vmConfig(topo, 'node-1')).ok, true);
    assert.equal(parseVmInfo((call('vm.info') as { value?: unknown }).value).state, 'Created');
    assert.equal(call('vm.boot').ok, true);
    assert.equal(parseVmInfo((call('vm.info') as { value?: unknown }).value).state, 'Running');
    const bad = call('vm.resume');
    assert.equal(bad.ok, false);
    assert.match(bad.ok ? '' : bad.message, /^cloud-hypervisor vm.resume failed: /);
    assert.equal(call('vm.pause').ok, true);
    assert.equal(parseVmInfo((call('vm.info') as { value?: unknown }).value).state, 'Paused');
    const gone = spawnSync('curl', curlCommand(join(dir, 'nope.sock'), chRequest('vmm.ping')).slice(1), { encoding: 'utf8' });
    assert.match(curlFailureMessage(gone.status ?? -1, gone.stderr, 'nope.sock'), /does not answer/);
  } finally {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
});
