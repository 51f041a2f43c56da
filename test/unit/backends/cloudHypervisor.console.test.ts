// The cloud-hypervisor console where vm.info says it is, run for real: sh + curl + socat against
// the sandbox's cloud-hypervisor STAND-IN (REST API; for `serial: {mode: Socket}` it listens on the
// socket after vm.boot and echoes lines, running no guest), inside a real pty (`script`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { vmConfig } from '../../../src/backends/cloudHypervisor/apiRequests';
import { createCloudHypervisorBackend } from '../../../src/backends/cloudHypervisor/backend';
import { buildCommand } from '../../../src/remote/quote';
import type { Topology } from '../../../src/model/types';
import { ctxFor, localRunner } from '../fakes/runner';

const standIn = join(__dirname, '../../sandbox/stand-ins/cloud-hypervisor-stand-in.mjs');
const missing = ['curl', 'socat', 'script'].filter((p) => spawnSync('sh', ['-c', `command -v ${p}`]).status !== 0);

test('CH console: not created → the API reason; vm.info serial Socket → socat on it (type, read the stand-in reply)', { skip: missing.length ? `${missing.join(', ')} not installed` : false, timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(resolve('test-results'), 'ch-con-'));
  const api = join(dir, 'api.sock');
  const serial = join(dir, 'serial.sock');
  const vmm = spawn(process.execPath, [standIn, '--api-socket', api, '--on-guest-exit', 'keep'], { stdio: 'ignore' });
  try {
    for (let i = 0; i < 100 && !existsSync(api); i++) await new Promise((r) => setTimeout(r, 20));
    const topo: Topology = { version: 1, hosts: { hv: { address: 'x' } }, vms: { n1: { host: 'hv', backend: 'cloud-hypervisor', vcpus: 1, memory: 128, sockets: { api, serial }, boot: { kernel: '/k' } } } };
    const b = createCloudHypervisorBackend();
    const ctx = ctxFor(topo, 'hv', localRunner());
    const argv = b.console!(ctx, 'n1').argv;
    const attach = (): Promise<{ out: string; code: number | null; send(s: string): void; kill(): void; until(re: RegExp): Promise<void> }> => {
      const p = spawn('script', ['-qfec', buildCommand(argv), '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
      const o = { out: '', code: null as number | null, send: (s: string) => p.stdin.write(s), kill: () => p.kill('SIGTERM'),
        until: async (re: RegExp) => { for (let i = 0; i < 200 && !re.test(o.out); i++) await new Promise((r) => setTimeout(r, 25)); assert.match(o.out, re); } };
      p.stdout.on('data', (d: Buffer) => { o.out += d.toString(); });
      p.on('close', (c) => { o.code = c; });
      return Promise.resolve(o);
    };
    // Not created yet: the API says so, the console says why.
    const early = await attach();
    await early.until(/VM is not created|not created/);
    await b.api(ctx, 'n1', 'PUT', 'vm.create', vmConfig(topo, 'n1'));
    const info = JSON.parse((await b.api(ctx, 'n1', 'GET', 'vm.info')).body) as { config: { serial: { mode: string; socket: string } } };
    assert.deepEqual([info.config.serial.mode, info.config.serial.socket], ['Socket', serial]);
    await b.lifecycle(ctx, 'n1', 'start');
    const c = await attach();
    await c.until(/stand-in# /);
    assert.match(c.out, new RegExp(`vsim: serial \\(Socket\\) ${serial.replace(/[.]/g, '\\.')}`));
    c.send('hello-console\r');
    await c.until(/stand-in: hello-console/);
    c.kill();
  } finally {
    vmm.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
});
