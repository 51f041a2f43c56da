// qemu monitors: the HMP text protocol (parsing what QEMU 7.2 prints), which socket vsim picks, and
// the monitor script for real — sh + socat against a REAL QEMU (`-machine none`, no guest) with a
// QMP and an HMP socket: status, stop, cont and quit over each protocol.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createQemuBackend, MonitorError, monitorOf } from '../../../src/backends/qemu/backend';
import { hmpInfoStatus, hmpStatus, parseHmpTranscript } from '../../../src/backends/qemu/hmpProtocol';
import type { Topology } from '../../../src/model/types';
import { ctxFor, fakeRunner, localRunner } from '../fakes/runner';

// What QEMU 7.2.22 sent for `info status` then `quit` (readline echo with its cursor escapes).
const BANNER = "QEMU 7.2.22 monitor - type 'help' for more information\r\n";
const ECHO = 'i\x1b[K\x1b[Din\x1b[K\x1b[D\x1b[Dinfo status\x1b[K\r\n';
const SESSION = `${BANNER}(qemu) ${ECHO}VM status: paused (shutdown)\r\n(qemu) `;

test('HMP transcript: banner, echo stripped, one reply per prompt; quit has none', () => {
  assert.deepEqual(parseHmpTranscript(SESSION), { greeted: true, replies: ['VM status: paused (shutdown)'], other: [] });
  assert.deepEqual(parseHmpTranscript(`${BANNER}(qemu) qququiquit\r\n`).replies, []);
  assert.deepEqual(parseHmpTranscript(`${BANNER}(qemu) stop\r\n(qemu) `).replies, ['']);
  assert.deepEqual(parseHmpTranscript(`${BANNER}(qemu) bogus\r\nunknown command: 'bogus'\r\n(qemu) `).replies, ["unknown command: 'bogus'"]);
  assert.deepEqual(parseHmpTranscript(''), { greeted: false, replies: [], other: [] });
});

test('HMP info status → state: running, paused, RunStates in parentheses; busy / stale / absent sockets', () => {
  assert.deepEqual(hmpInfoStatus('VM status: running'), { state: 'running', detail: 'running' });
  assert.deepEqual(hmpInfoStatus('VM status: running (single step mode)'), { state: 'running', detail: 'running' });
  assert.deepEqual(hmpInfoStatus('VM status: paused'), { state: 'paused', detail: 'paused' });
  assert.deepEqual(hmpInfoStatus('VM status: paused (shutdown)'), { state: 'stopped', detail: 'shutdown' });
  assert.deepEqual(hmpInfoStatus('VM status: paused (guest-panicked)'), { state: 'crashed', detail: 'guest-panicked' });
  assert.deepEqual(hmpInfoStatus('VM status: paused (prelaunch)'), { state: 'starting', detail: 'prelaunch' });
  assert.equal(hmpInfoStatus('something else'), undefined);
  assert.deepEqual(hmpStatus('answered', SESSION), { state: 'stopped', detail: 'shutdown' });
  assert.match(hmpStatus('answered', '').detail ?? '', /HMP monitor socket busy/);
  assert.equal(hmpStatus('answered', '2026/01/01 socat[1] E connect(5, AF=1 "/x", 4): Connection refused').state, 'stopped');
  assert.equal(hmpStatus('absent', '').state, 'stopped');
});

const topo = (dir: string, sockets: Record<string, string>): Topology => ({
  version: 1, hosts: { hv: { address: 'x' } },
  vms: { q: { host: 'hv', backend: 'qemu', sockets }, both: { host: 'hv', backend: 'qemu', sockets: { qmp: `${dir}/b.qmp`, hmp: `${dir}/b.hmp` } } },
});

test('monitorOf: QMP when declared, else HMP; HMP lines sent; HMP error text is the failure', async () => {
  assert.deepEqual(monitorOf(topo('/r', {}), 'both'), { protocol: 'qmp', path: '/r/b.qmp' });
  assert.deepEqual(monitorOf(topo('/r', { hmp: '/r/m.sock' }), 'q'), { protocol: 'hmp', path: '/r/m.sock' });
  assert.equal(monitorOf(topo('/r', {}), 'q'), undefined);
  let answer = `@@vsim hmp /r/m.sock\n${BANNER}(qemu) stop\r\n(qemu) \n@@vsim rc 0\n`;
  const run = fakeRunner(() => ({ stdout: answer }));
  const ctx = ctxFor(topo('/r', { hmp: '/r/m.sock' }), 'hv', run);
  await createQemuBackend().lifecycle(ctx, 'q', 'suspend');
  assert.deepEqual(run.calls[0]?.slice(3), ['vsim', 'stop', 'stop', 'hmp', '/r/m.sock']);
  answer = `@@vsim hmp /r/m.sock\n${BANNER}(qemu) cont\r\nError: Resetting the Virtual Machine is required\r\n(qemu) \n@@vsim rc 0\n`;
  await assert.rejects(createQemuBackend().lifecycle(ctx, 'q', 'resume'), (e: Error) => e instanceof MonitorError &&
    e.message === 'HMP cont for q on hv failed: Error: Resetting the Virtual Machine is required');
  answer = '@@vsim hmp /r/m.sock\n\n@@vsim rc 0\n';
  await assert.rejects(createQemuBackend().lifecycle(ctx, 'q', 'shutdown'), /HMP system_powerdown for q on hv failed: HMP monitor socket busy/);
  await assert.rejects(createQemuBackend().lifecycle(ctxFor(topo('/r', {}), 'hv', run), 'q', 'destroy'), /no monitor socket in the topology \(sockets.qmp or sockets.hmp\)/);
});

const hasQemu = spawnSync('sh', ['-c', 'command -v qemu-system-x86_64 && command -v socat']).status === 0;

/** A real QEMU without a guest, its QMP and HMP monitors on unix sockets in `dir`; resolves with its pid. */
function startQemu(dir: string): number {
  const r = spawnSync('qemu-system-x86_64', ['-machine', 'none', '-nodefaults', '-no-user-config', '-display', 'none',
    '-chardev', `socket,id=qmp0,path=${dir}/qmp.sock,server=on,wait=off`, '-mon', 'chardev=qmp0,mode=control',
    '-chardev', `socket,id=mon0,path=${dir}/hmp.sock,server=on,wait=off`, '-mon', 'chardev=mon0,mode=readline',
    '-pidfile', `${dir}/qemu.pid`, '-daemonize'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return Number(readFileSync(`${dir}/qemu.pid`, 'utf8').trim());
}
const alive = (pid: number): boolean => existsSync(`/proc/${pid}`) && !/^\S+ \S+ Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/\(.*\)/, 'x'));

test('the monitor script for real against QEMU 7 with a QMP and an HMP socket: status, stop/cont, quit over each', { skip: hasQemu ? false : 'qemu-system-x86_64 or socat not installed (test/unit/backends/install-test-deps.sh)', timeout: 90_000 }, async () => {
  const dir = mkdtempSync(join(resolve('test-results'), 'mon-'));
  const pids: number[] = [];
  try {
    const b = createQemuBackend();
    const run = localRunner();
    const hmp = ctxFor(topo(dir, { hmp: `${dir}/hmp.sock` }), 'hv', run);
    const qmp = ctxFor(topo(dir, { qmp: `${dir}/qmp.sock` }), 'hv', run);
    pids.push(startQemu(dir));
    // One round trip for both protocols (the VM `both` has no sockets on disk: absent).
    const l = await b.list(ctxFor({ ...topo(dir, { hmp: `${dir}/hmp.sock` }), vms: { ...topo(dir, {}).vms, q: { host: 'hv', backend: 'qemu', sockets: { hmp: `${dir}/hmp.sock` } }, r: { host: 'hv', backend: 'qemu', sockets: { qmp: `${dir}/qmp.sock` } } } }, 'hv', run), ['q', 'r', 'both']);
    assert.deepEqual([l.vms.q?.state, l.vms.q?.facts, l.vms.r?.state, l.vms.both?.state], ['running', { hmp: `${dir}/hmp.sock` }, 'running', 'stopped']);
    assert.equal(run.calls.length, 1);
    await b.lifecycle(hmp, 'q', 'suspend');
    assert.deepEqual([(await b.list(hmp, ['q'])).vms.q?.state, (await b.list(qmp, ['q'])).vms.q?.state], ['paused', 'paused'], 'HMP stop seen over both');
    await b.lifecycle(qmp, 'q', 'resume');
    assert.equal((await b.list(hmp, ['q'])).vms.q?.detail, 'running');
    await b.lifecycle(hmp, 'q', 'reboot');
    await b.lifecycle(hmp, 'q', 'shutdown'); // no guest to handle ACPI: accepted, nothing else happens
    assert.equal((await b.list(hmp, ['q'])).vms.q?.state, 'running');
    await b.lifecycle(hmp, 'q', 'destroy');
    await waitGone(pids[0]!);
    assert.equal((await b.list(hmp, ['q'])).vms.q?.state, 'stopped', 'quit over HMP ended QEMU');
    pids.push(startQemu(dir));
    await b.lifecycle(qmp, 'q', 'destroy');
    await waitGone(pids[1]!);
    assert.equal((await b.list(qmp, ['q'])).vms.q?.state, 'stopped', 'quit over QMP ended QEMU');
  } finally {
    for (const p of pids) if (alive(p)) process.kill(p, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

async function waitGone(pid: number): Promise<void> {
  for (let i = 0; i < 100 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  assert.equal(alive(pid), false, `QEMU ${pid} still running`);
}
