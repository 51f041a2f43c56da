// The Networks node's probe and a VM's live facts against the real sandbox hv1 over OpenSSH: a real
// dnsmasq on the real bridge vsimbr0 (started here, stopped at the end), the booted guest chassis's
// busybox udhcpc taking a lease from it, its tap's counters growing while it pings the gateway, and
// libvirt's dominfo/domiflist/domblklist read from the real virsh. Faults for real: the leases file
// removed under a running dnsmasq, dnsmasq stopped, dnsmasq not on the PATH.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createLibvirtBackend } from '../../src/backends/libvirt/backend';
import type { CommandRunner } from '../../src/backends/backend';
import { probeHostNet } from '../../src/hostnet/probeHost';
import { hostNetView } from '../../src/hostnet/view';
import type { HostNetFacts } from '../../src/hostnet/parse';
import { ipChoices, vmLiveIps } from '../../src/tree/vmLive';
import { context, sandboxTopology, writeFigures } from './lab';
import { SANDBOX, sandboxEnv, until, type SandboxEnv } from './sshRunner';
import { typeAtPrompt } from './guestShell';

const env = sandboxEnv();
const skip = typeof env === 'string' ? env : false;
if (skip) console.log(`# SKIP networks sandbox tests: ${skip}`);
const HOST = 'vsim-hv1';
const VM = 'chassis';
const MAC = '52:54:00:00:00:10';
const DIR = join(SANDBOX, 'nets-test');
const LEASES = join(DIR, 'dnsmasq.leases');
const PID = join(DIR, 'dnsmasq.pid');
const topo = sandboxTopology();
const figures: Record<string, unknown> = {};
let ctx: ReturnType<typeof context>;

async function must(argv: string[]): Promise<string> {
  const r = await ctx.run.exec(argv);
  assert.equal(r.code, 0, `${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

async function probe(run: CommandRunner = ctx.run): Promise<HostNetFacts> {
  const p = await probeHostNet({ ...ctx, run });
  assert.ok('facts' in p, 'error' in p ? p.error : '');
  return p.facts;
}

/**
 * Types `command` into the guest's serial console (`virsh console --force` over `ssh -tt`) at its
 * prompt and waits until `done` matches what it printed; then detaches with Ctrl-].
 */
async function inGuest(e: SandboxEnv, command: string, done: RegExp, timeoutMs = 60_000): Promise<string> {
  const ssh = spawn('ssh', ['-F', e.sshConfig, '-tt', HOST, `virsh -q console --force ${VM} 2>/dev/null`], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  ssh.stdout.on('data', (b: Buffer) => { out += b.toString('utf8'); });
  const closed = new Promise((r) => ssh.once('close', r));
  try {
    return await typeAtPrompt({ write: (s) => ssh.stdin.write(s), out: () => out }, `${VM}'s console`, command, done, timeoutMs);
  } finally {
    ssh.stdin.write('\x1d');
    const stop = setTimeout(() => ssh.kill('SIGTERM'), 10_000);
    await closed;
    clearTimeout(stop);
  }
}

before(async () => {
  if (typeof env === 'string') return;
  ctx = context(env, topo, HOST);
  await ctx.run.exec(['true']);
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  // A real dnsmasq on the sandbox's bridge, DHCP only, with a range that does not hold the file's IP
  // of chassis (192.168.100.10): the lease it gives is a live IP that differs from the file.
  await must(['dnsmasq', '--conf-file=/dev/null', '--interface=vsimbr0', '--bind-interfaces', '--except-interface=lo', '--port=0',
    '--dhcp-range=192.168.100.100,192.168.100.150,255.255.255.0,1h', `--dhcp-leasefile=${LEASES}`, `--pid-file=${PID}`]);
});

after(async () => {
  if (typeof env === 'string') return;
  await ctx.run.exec(['sh', '-c', '[ -f "$1" ] && kill "$(cat "$1")"; true', 'vsim', PID]);
  ctx.run.close();
  rmSync(DIR, { recursive: true, force: true });
  writeFigures('networks', figures);
});

test('a booted guest takes a DHCP lease from the real dnsmasq; the Networks rows show it with its VM, port and bridge', { skip }, async () => {
  const before = hostNetView(topo, HOST, await probe(), Date.now());
  const br0 = before.networks.find((n) => n.name === 'vsimbr0');
  assert.ok(br0?.present, 'vsimbr0 is on hv1');
  assert.equal(br0.up, true);
  assert.ok(br0.addrs.includes('192.168.100.1/24'), br0.addrs.join(','));
  assert.equal(br0.ports.find((p) => p.name === 'tap-chassis')?.vm, VM);
  const out = await inGuest(env as SandboxEnv, 'udhcpc -i eth0 -n -q -s /bin/true -x hostname:chassis', /lease of [\d.]+ obtained|failed|No lease/);
  assert.match(out, /lease of 192\.168\.100\.1\d\d obtained/, out);
  const leased = /lease of ([\d.]+) obtained/.exec(out)![1]!;
  const t0 = Date.now();
  const facts = await probe();
  figures.probeMs = Date.now() - t0;
  const view = hostNetView(topo, HOST, facts, Date.now());
  const lease = view.networks.find((n) => n.name === 'vsimbr0')?.leases.find((l) => l.mac === MAC);
  assert.ok(lease, JSON.stringify(view.networks.map((n) => n.leases)));
  assert.equal(lease.ip, leased);
  assert.equal(lease.vm, VM);
  assert.equal(lease.file, LEASES);
  assert.equal(lease.expired, false);
  assert.ok(lease.expires > Date.now() / 1000);
  assert.deepEqual(view.dhcp, [], 'dnsmasq runs and its lease file was read');
  figures.lease = { ip: lease.ip, mac: lease.mac, vm: lease.vm };
});

test('the guest\'s tap counters grow while it pings the gateway', { skip }, async () => {
  const tap = (f: HostNetFacts) => f.links.find((l) => l.name === 'tap-chassis');
  const a = tap(await probe());
  assert.ok(a?.rx && a.tx, 'tap-chassis has counters');
  await inGuest(env as SandboxEnv, 'ping -c 5 192.168.100.1; echo pinged-$?', /pinged-\d/);
  const b = tap(await probe());
  // The tap's RX is what the guest sent (echo requests), its TX what it received (replies).
  assert.ok(b!.rx!.packets >= a.rx!.packets + 5, `rx packets ${a.rx!.packets} → ${b!.rx!.packets}`);
  assert.ok(b!.tx!.packets >= a.tx!.packets + 5, `tx packets ${a.tx!.packets} → ${b!.tx!.packets}`);
  assert.ok(b!.rx!.bytes > a.rx!.bytes && b!.tx!.bytes > a.tx!.bytes);
  figures.pingDelta = { rxPackets: b!.rx!.packets - a.rx!.packets, txPackets: b!.tx!.packets - a.tx!.packets, rxBytes: b!.rx!.bytes - a.rx!.bytes };
});

test('live facts from the real virsh (dominfo, domiflist, domblklist, domstats); Copy IP offers the lease beside the file\'s IP', { skip }, async () => {
  const live = createLibvirtBackend().liveFacts!;
  const calls = ctx.run.calls.length;
  const f = await live.read(ctx, VM);
  assert.equal(ctx.run.calls.length, calls + 1, 'one round trip');
  assert.equal(f.state, 'running');
  assert.equal(f.vcpus, 1);
  assert.equal(f.memoryKiB, 131072);
  assert.ok((f.cpuTimeNs ?? 0) > 0);
  assert.deepEqual(f.interfaces.map((i) => [i.tap, i.mac, i.source, i.model]), [['tap-chassis', MAC, 'vsimbr0', 'virtio']]);
  assert.ok((f.interfaces[0]?.rxBytes ?? 0) > 0);
  assert.match(f.agentNote ?? '', /guest agent/i);
  const storage = await live.read(ctx, 'storage');
  assert.deepEqual(storage.disks.map((d) => [d.target, d.source?.endsWith('storage.qcow2')]), [['vda', true]]);
  await assert.rejects(live.read({ ...ctx, topology: { ...topo, vms: { ...topo.vms, ghost: { host: HOST, backend: 'libvirt' } } } }, 'ghost'), /virsh dominfo ghost on vsim-hv1: error: failed to get domain 'ghost'/);

  const ips = vmLiveIps(topo, VM, f, { facts: await probe(), at: Date.now() }, Date.now());
  const leaseIp = ips.find((i) => i.source === 'lease');
  assert.ok(leaseIp && /^192\.168\.100\.1\d\d$/.test(leaseIp.ip), JSON.stringify(ips));
  const c = ipChoices(['192.168.100.10'], ips);
  assert.equal(c.differs, true);
  assert.deepEqual(c.choices.map((x) => x.which), ['live', 'declared']);
});

test('faults: leases file gone → a clear note; dnsmasq stopped → not running; dnsmasq not on the PATH → not on this host', { skip }, async () => {
  rmSync(LEASES, { force: true });
  const gone = hostNetView(topo, HOST, await probe(), Date.now()).dhcp;
  assert.deepEqual(gone.map((n) => [n.level, n.text]), [['warning', `DHCP leases: cannot read ${LEASES}`]]);
  assert.match(gone[0]!.detail, /No such file or directory/);

  await must(['sh', '-c', 'kill "$(cat "$1")" && rm -f "$1"', 'vsim', PID]);
  await until('dnsmasq to exit', 10_000, async () => !(await probe()).dnsmasq.length);
  const stopped = hostNetView(topo, HOST, await probe(), Date.now()).dhcp;
  assert.deepEqual(stopped.map((n) => n.text), ['DHCP leases: dnsmasq not running on this host']);
  assert.equal(stopped[0]?.level, 'info', 'the sandbox declares no dhcp: information, not a warning');

  // The same probe where dnsmasq is not installed: a PATH without the sbin directories holding it.
  const noDnsmasq: CommandRunner = { exec: (argv, o) => ctx.run.exec(['env', 'PATH=/usr/bin:/bin', ...argv], o) };
  const f = await probe(noDnsmasq);
  assert.ok(!f.tools.includes('dnsmasq'));
  const none = hostNetView(topo, HOST, f, Date.now()).dhcp;
  assert.deepEqual(none.map((n) => n.text), ['DHCP leases: not on this host']);
  assert.match(none[0]!.detail, /no dnsmasq program on this host's PATH/);
});
