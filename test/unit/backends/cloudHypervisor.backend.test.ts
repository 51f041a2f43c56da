import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CloudHypervisorApiError, createCloudHypervisorBackend } from '../../../src/backends/cloudHypervisor/backend';
import type { Topology } from '../../../src/model/types';
import { ctxFor, fakeRunner } from '../fakes/runner';

const topo: Topology = {
  version: 1,
  hosts: { aspen: { address: 'x' } },
  vms: {
    n1: { host: 'aspen', backend: 'cloud-hypervisor', sockets: { api: '/run/ch/n1.sock' } },
    n2: { host: 'aspen', backend: 'cloud-hypervisor', sockets: { api: '/run/ch/n2.sock' } },
    n3: { host: 'aspen', backend: 'cloud-hypervisor', sockets: { api: '/run/ch/n3.sock' } },
    n4: { host: 'aspen', backend: 'cloud-hypervisor', sockets: { api: '/run/ch/n4.sock' } },
  },
};

test('list: ONE exec of vm.info on every socket; states, no VMM, not created', async () => {
  const info = JSON.stringify({ config: { cpus: { boot_vcpus: 2 }, memory: { size: 536870912 } }, state: 'Running' });
  const run = fakeRunner(() => ({ stdout: [
    '@@vsim sock /run/ch/n1.sock', info, '200', '@@vsim rc 0',
    '@@vsim sock /run/ch/n2.sock', '@@vsim absent',
    '@@vsim sock /run/ch/n3.sock', '["VM is not created"]', '404', '@@vsim rc 0',
    '@@vsim sock /run/ch/n4.sock', '', '000', '@@vsim rc 7', ''].join('\n') }));
  const l = await createCloudHypervisorBackend().list(ctxFor(topo, 'aspen', run), ['n1', 'n2', 'n3', 'n4']);
  assert.equal(run.calls.length, 1);
  assert.deepEqual(run.calls[0]?.slice(3), ['vsim', 'GET', 'vm.info', '', '/run/ch/n1.sock', '/run/ch/n2.sock', '/run/ch/n3.sock', '/run/ch/n4.sock']);
  assert.match(run.calls[0]?.[2] ?? '', /curl -s --max-time 30 --unix-socket "\$s" -X "\$m" -w "\\n%\{http_code\}" "http:\/\/localhost\/api\/v1\/\$p"/);
  assert.deepEqual(l.vms.n1, { state: 'running', detail: 'Running', facts: { vcpus: '2', memory: '512 MiB', api: '/run/ch/n1.sock' } });
  assert.deepEqual([l.vms.n2?.state, l.vms.n2?.detail], ['stopped', 'no VMM (API socket absent)']);
  assert.deepEqual([l.vms.n3?.state, l.vms.n3?.detail], ['stopped', 'VMM up, VM not created']);
  assert.equal(l.vms.n4?.state, 'stopped');
  assert.match(l.vms.n4?.detail ?? '', /curl exit 7/);
});

test('lifecycle: PUT paths; 4xx/5xx bodies become messages naming host, VM and path', async () => {
  let answer = '@@vsim sock /run/ch/n1.sock\n\n204\n@@vsim rc 0\n';
  const run = fakeRunner(() => ({ stdout: answer }));
  const b = createCloudHypervisorBackend();
  const ctx = ctxFor(topo, 'aspen', run);
  for (const op of ['start', 'shutdown', 'destroy', 'reboot', 'suspend', 'resume'] as const) await b.lifecycle(ctx, 'n1', op);
  assert.deepEqual(run.calls.map((c) => `${c[4]} ${c[5]}`), ['PUT vm.boot', 'PUT vm.power-button', 'PUT vm.shutdown', 'PUT vm.reboot', 'PUT vm.pause', 'PUT vm.resume']);
  answer = '@@vsim sock /run/ch/n1.sock\n["Error from API","The VM could not be paused","VM is not running"]\n500\n@@vsim rc 0\n';
  await assert.rejects(b.lifecycle(ctx, 'n1', 'suspend'), (e: Error) => e instanceof CloudHypervisorApiError && e.status === 500 &&
    e.message === 'cloud-hypervisor vm.pause for n1 on aspen failed (HTTP 500): Error from API: The VM could not be paused: VM is not running');
  answer = '@@vsim sock /run/ch/n1.sock\n["Bad Request"]\n400\n@@vsim rc 0\n';
  await assert.rejects(b.lifecycle(ctx, 'n1', 'start'), /vm.boot for n1 on aspen failed \(HTTP 400\): Bad Request/);
  answer = '@@vsim sock /run/ch/n1.sock\n@@vsim absent\n';
  await assert.rejects(b.lifecycle(ctx, 'n1', 'start'), /vm.boot for n1 on aspen failed: no VMM: the API socket \/run\/ch\/n1.sock does not exist/);
});

test('snapshot / restore bodies', async () => {
  const run = fakeRunner(() => ({ stdout: '@@vsim sock /run/ch/n1.sock\n\n204\n@@vsim rc 0\n' }));
  const b = createCloudHypervisorBackend();
  const ctx = ctxFor(topo, 'aspen', run);
  await b.snapshot(ctx, 'n1', '/var/lib/snap/n1');
  await b.restore(ctx, 'n1', '/var/lib/snap/n1', true);
  assert.deepEqual(run.calls[0]?.slice(4, 7), ['PUT', 'vm.snapshot', '{"destination_url":"file:///var/lib/snap/n1"}']);
  // vm.restore needs a VMM without a VM: vm.delete first (issue 20 item 11).
  assert.deepEqual(run.calls[1]?.slice(4, 7), ['PUT', 'vm.delete', '']);
  assert.deepEqual(run.calls[2]?.slice(4, 7), ['PUT', 'vm.restore', '{"source_url":"file:///var/lib/snap/n1","resume":true}']);
  await assert.rejects(b.api(ctx, 'n1', 'PUT', 'vm.boot;reboot'), /Invalid cloud-hypervisor API path/);
});
