// Boot progress against a real guest: edge.Gateway (libvirt, TCG) started with no console open,
// its boot log followed on vsim-hv1 and, after its ready line, its SSH port (the guest's dropbear)
// tried through vsim-hv1's pooled ssh2 connection (a direct-tcpip channel, as ProxyJump dials it).
// Also: a port nothing listens on times out naming the port and the error; Cancel ends the wait
// and the VM keeps running. Figures: the time of each phase (test-results/sandbox-backend-boot-reachable.json).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createLibvirtBackend } from '../../src/backends/libvirt/backend';
import { phaseSummary, readyPattern } from '../../src/console/bootPhases';
import { watchBootOf, type SshPortProbe } from '../../src/console/bootWatch';
import { sshIdent } from '../../src/console/reachable';
import { vmAddress } from '../../src/console/vmEndpoint';
import { KnownHostsPolicy } from '../../src/remote/hostKeyPolicy';
import { SshPool, type PooledHost } from '../../src/remote/pool';
import { resolveSshDestination } from '../../src/remote/sshConfig';
import { context, sandboxTopology, writeFigures } from './lab';
import { sandboxEnv, type SandboxEnv } from './sshRunner';

const envOrReason = sandboxEnv();
const skip = typeof envOrReason === 'string' ? envOrReason : false;
if (skip) console.log(`# SKIP boot reachable sandbox tests: ${skip}`);
const env = envOrReason as SandboxEnv;
const topo = sandboxTopology();
const VM = 'edge.Gateway';
const READY = readyPattern('^vsim-guest \\S+ ready').re;
const figures: Record<string, unknown> = {};
let hv1: ReturnType<typeof context>;
let pool: SshPool;
let pooled: PooledHost;

before(() => {
  if (skip) return;
  hv1 = context(env, topo, 'vsim-hv1');
  pool = new SshPool({ hostKeys: new KnownHostsPolicy({ askTrust: async () => false }), askPassphrase: async () => undefined, agentSocket: '', readyTimeoutMs: 15_000 });
  pooled = pool.get(resolveSshDestination('vsim-hv1', readFileSync(env.sshConfig, 'utf8')));
});

after(() => {
  pool?.dispose();
  if (Object.keys(figures).length) writeFigures('boot-reachable', figures);
});

function port(ip: string, p: number): SshPortProbe {
  return { where: `${ip}:${p} through vsim-hv1`, probe: (ms) => sshIdent(() => pooled.connection.forward(ip, p), ms) };
}

test('boot progress of edge.Gateway: started → kernel → userspace → ready → SSH reachable through vsim-hv1, each with its time', { skip }, async () => {
  const b = createLibvirtBackend();
  const ip = vmAddress(topo, VM);
  assert.equal(ip, '192.168.100.13');
  if ((await b.list(hv1, [VM])).vms[VM]?.state === 'running') await b.lifecycle(hv1, VM, 'destroy');
  try {
    await b.lifecycle(hv1, VM, 'start');
    const reports: string[] = [];
    const w = watchBootOf({
      vm: VM, host: 'vsim-hv1', source: b.bootLog!(hv1, VM), follow: hv1.run.follow.bind(hv1.run), ssh: port(ip!, 22),
      ready: READY, timeoutMs: 300_000, afterStart: true, report: (m) => reports.push(m),
    });
    const r = await w.result;
    assert.equal(r.outcome, 'reachable', r.message);
    assert.deepEqual(r.marks.map((m) => m.phase).filter((p) => p !== 'firmware'), ['started', 'kernel', 'init', 'ready', 'reachable'], phaseSummary(r.marks));
    assert.match(r.marks.at(-1)!.line, /^SSH-2\.0-dropbear/);
    for (let i = 1; i < r.marks.length; i++) assert.ok(r.marks[i]!.atMs >= r.marks[i - 1]!.atMs, phaseSummary(r.marks));
    assert.ok(reports.some((m) => m.startsWith('waiting for SSH on 192.168.100.13:22 through vsim-hv1')), reports.join('\n'));
    figures.edgeBootPhases = Object.fromEntries(r.marks.map((m) => [m.phase, m.atMs]));
    console.log(`# ${r.message}`);

    // A port nothing listens on: the wait times out naming the phase, the port and the refusal.
    const dead = watchBootOf({
      vm: VM, host: 'vsim-hv1', source: b.bootLog!(hv1, VM), follow: hv1.run.follow.bind(hv1.run), ssh: port(ip!, 2222),
      ready: READY, timeoutMs: 4000, afterStart: false, report: () => undefined,
    });
    const d = await dead.result;
    assert.equal(d.outcome, 'timeout', d.message);
    assert.match(d.message, /did not get past "login prompt" within 4 s \(its SSH port 192\.168\.100\.13:2222 through vsim-hv1 did not answer in \d+ tries; last: .*(refused|Connection|open failed).*\)\. Last console lines:\n[^]*vsim-guest edge\.Gateway ready/);

    // Cancel while waiting: the watch ends, the VM keeps running.
    const c = watchBootOf({
      vm: VM, host: 'vsim-hv1', source: b.bootLog!(hv1, VM), follow: hv1.run.follow.bind(hv1.run), ssh: port(ip!, 2222),
      ready: READY, timeoutMs: 60_000, afterStart: false, report: () => undefined,
    });
    await new Promise((res) => setTimeout(res, 2500));
    c.cancel();
    assert.equal((await c.result).outcome, 'cancelled');
    assert.equal((await b.list(hv1, [VM])).vms[VM]?.state, 'running', 'Cancel stops waiting, not the VM');
  } finally {
    await b.lifecycle(hv1, VM, 'destroy').catch(() => undefined);
  }
});
