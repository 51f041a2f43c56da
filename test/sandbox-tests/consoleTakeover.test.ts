// Consoles on the sandbox's real hosts (sshd, libvirt, QEMU serial sockets): one client at a time,
// who holds a busy console, takeover; faults (missing socket, 100 MB of junk through a real SSH
// channel into the terminal's session and pacer); the boot log of each backend; boot phases of a
// real guest started while no console was open. Consoles are attached with real OpenSSH `-tt`
// (a pty, as the extension's ssh2 channel has), running each backend's console argv.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createCloudHypervisorBackend } from '../../src/backends/cloudHypervisor/backend';
import { createLibvirtBackend } from '../../src/backends/libvirt/backend';
import { createMicrovmBackend } from '../../src/backends/microvm/backend';
import { createQemuBackend } from '../../src/backends/qemu/backend';
import { startQemu } from '../../src/backends/qemu/start';
import type { BackendContext, VmBackend } from '../../src/backends/backend';
import { BootTracker, lastBoot, phaseSummary, readyPattern } from '../../src/console/bootPhases';
import { classifyEnd, holdersIn } from '../../src/console/failure';
import { OutputPacer } from '../../src/console/pacer';
import { ConsoleSession, type ConsoleChannel } from '../../src/console/session';
import { buildCommand } from '../../src/remote/quote';
import { context, sandboxTopology, writeFigures } from './lab';
import { sandboxEnv, until, type SandboxEnv } from './sshRunner';
import { typeAtPrompt } from './guestShell';

const envOrReason = sandboxEnv();
const skip = typeof envOrReason === 'string' ? envOrReason : false;
if (skip) console.log(`# SKIP console takeover sandbox tests: ${skip}`);
const env = envOrReason as SandboxEnv;
const topo = sandboxTopology();
const CH = 'con-ch-1';
topo.vms = {
  ...topo.vms,
  'jetson-9': { host: 'vsim-hv1', backend: 'qemu', sockets: { serial: '/run/vsim-sandbox/qemu/jetson-9/serial.sock' } },
  // A cloud-hypervisor STAND-IN VMM with its serial on a socket (the stand-in echoes lines; no guest runs).
  [CH]: {
    host: 'vsim-hv1', backend: 'cloud-hypervisor', vcpus: 1, memory: '128MiB',
    boot: { kernel: '/run/vsim-sandbox/guest/vmlinuz', initrd: '/run/vsim-sandbox/guest/initramfs.gz' },
    sockets: { api: `/run/vsim-sandbox/con/${CH}.sock`, serial: `/run/vsim-sandbox/con/${CH}-serial.sock` },
  },
};
const READY = readyPattern('^vsim-guest \\S+ ready').re;
const figures: Record<string, unknown> = {};
let hv1: ReturnType<typeof context>;
let hv2: ReturnType<typeof context>;

/** A console program run on `host` over OpenSSH with a pty; everything it printed. */
interface Attached {
  proc: ChildProcessWithoutNullStreams;
  out(): string;
  closed: Promise<number | null>;
}

function attach(host: string, argv: readonly string[]): Attached {
  const proc = spawn('ssh', ['-F', env.sshConfig, '-o', 'BatchMode=yes', '-tt', host, '--', buildCommand(argv)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => { out += d.toString('utf8'); });
  proc.stderr.on('data', (d: Buffer) => { out += d.toString('utf8'); });
  const closed = new Promise<number | null>((r) => proc.once('close', (c) => r(c)));
  return { proc, out: () => out, closed };
}

/** `use` with a console attached on `host`; the console's ssh is ended (and waited for) whatever `use` did. */
async function attached(host: string, argv: readonly string[], use: (a: Attached) => Promise<void>): Promise<void> {
  const a = attach(host, argv);
  try {
    await use(a);
  } finally {
    a.proc.kill('SIGTERM');
    await a.closed;
  }
}

/** `p`, or a failure naming `what` after `ms`. */
function within<T>(what: string, p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<T>((_r, rej) => { timer = setTimeout(() => rej(new Error(`timed out: ${what}`)), ms); })]).finally(() => clearTimeout(timer));
}

/** Types `echo TAG-$((6*7))` at the guest's prompt and waits for its answer (the CH stand-in echoes the line back). */
async function answers(a: Attached, tag: string, reply = (t: string) => new RegExp(`${t}-42`)): Promise<void> {
  await typeAtPrompt({ write: (s) => a.proc.stdin.write(s), out: a.out }, tag, `echo ${tag}-$((6*7))`, reply(tag));
}

/** Busy, named, taken over: the serial-socket console of `vm` on `ctx`'s host. */
async function takeoverRound(ctx: BackendContext, b: VmBackend, vm: string, host: string, reply?: (t: string) => RegExp): Promise<void> {
  await attached(host, b.console!(ctx, vm).argv, async (holder) => {
    await answers(holder, `${vm}-holder`, reply);
    const t0 = performance.now();
    const second = attach(host, b.console!(ctx, vm).argv);
    const code = await second.closed;
    figures[`${vm}BusyAnswerMs`] = Math.round(performance.now() - t0);
    assert.equal(code, 75, second.out());
    assert.equal(classifyEnd({ code, tail: second.out(), stderr: '', requested: false }), 'busy');
    const holders = holdersIn(second.out());
    assert.equal(holders.length, 1, second.out());
    assert.match(holders[0]!, /^socat \(pid \d+, user root, up [0-9:]+, from .*sshd/, 'the holder: the other session\'s socat, started by sshd');
    await attached(host, b.console!(ctx, vm, { force: true }).argv, async (taker) => {
      await within(`${vm}: the holder's session ended`, holder.closed, 15_000);
      await answers(taker, `${vm}-taker`, reply);
      assert.match(taker.out(), /vsim: took the console over from socat \(pid/);
    });
  });
}

before(async () => {
  if (skip) return;
  hv1 = context(env, topo, 'vsim-hv1');
  hv2 = context(env, topo, 'vsim-hv2');
  await startQemu(hv1, 'jetson-1');
});
after(() => {
  if (skip) return;
  hv1.run.close();
  hv2.run.close();
  writeFigures('console-takeover', figures);
  console.log(`# console takeover figures: ${JSON.stringify(figures)}`);
});

test('qemu jetson-1: a second console on its serial socket is busy naming the holder; force takes it over', { skip }, async () => {
  await until('jetson-1 running', 120_000, async () => (await createQemuBackend().list(hv1, ['jetson-1'])).vms['jetson-1']?.state === 'running');
  await takeoverRound(hv1, createQemuBackend(), 'jetson-1', 'vsim-hv1');
});

test('microvm slot1 on hv2 (through ProxyJump): busy naming the holder; force takes it over', { skip }, async () => {
  await until('slot1 running', 60_000, async () => (await createMicrovmBackend().list(hv2, ['slot1'])).vms.slot1?.state === 'running');
  await takeoverRound(hv2, createMicrovmBackend(), 'slot1', 'vsim-hv2');
});

test('cloud-hypervisor stand-in: the serial socket vm.info reports is busy naming the holder; force takes it over', { skip }, async () => {
  const b = createCloudHypervisorBackend();
  await b.provisioner!.deprovision(hv1, CH).catch(() => undefined); // a previous run's leftovers
  await b.provisioner!.provision(hv1, CH);
  try {
    await b.lifecycle(hv1, CH, 'start');
    await takeoverRound(hv1, b, CH, 'vsim-hv1', (t) => new RegExp(`stand-in: echo ${t}-`));
  } finally {
    await b.lifecycle(hv1, CH, 'destroy').catch(() => undefined);
    await b.provisioner!.deprovision(hv1, CH).catch(() => undefined);
  }
});

test('libvirt chassis: a busy console names the host\'s virsh console; --force takes it over', { skip }, async () => {
  const b = createLibvirtBackend();
  await attached('vsim-hv1', b.console!(hv1, 'chassis').argv, async (holder) => {
    await answers(holder, 'chassis-holder');
    const second = attach('vsim-hv1', b.console!(hv1, 'chassis').argv);
    await second.closed;
    assert.equal(classifyEnd({ code: 1, tail: second.out(), stderr: '', requested: false }), 'busy', second.out());
    const holders = await b.consoleHolders!(hv1, 'chassis');
    assert.equal(holders.length, 1, JSON.stringify(holders));
    assert.match(holders[0]!, /^virsh console \(pid \d+, user root, up [0-9:]+, from .*\)$/);
    await attached('vsim-hv1', b.console!(hv1, 'chassis', { force: true }).argv, async (taker) => {
      await answers(taker, 'chassis-taker');
      await within('chassis: the holder\'s virsh ended', holder.closed, 15_000);
      assert.equal(classifyEnd({ code: 1, tail: holder.out(), stderr: '', requested: false }), 'taken-over', holder.out().slice(-300));
    });
  });
});

test('faults: a missing serial socket names host and path; 100 MB of junk through SSH stays bounded and the loop responsive', { skip }, async () => {
  const q = createQemuBackend();
  const missing = attach('vsim-hv1', q.console!(hv1, 'jetson-9').argv);
  const code = await missing.closed;
  assert.equal(code, 3);
  assert.match(missing.out(), /vsim: no serial socket \/run\/vsim-sandbox\/qemu\/jetson-9\/serial\.sock on \S+ \(is the VM running\?\)/);
  assert.equal(classifyEnd({ code, tail: missing.out(), stderr: '', requested: false }), 'not-running');

  // 100 MB of random bytes (not UTF-8) in one burst, through a real SSH channel, into the terminal's
  // own session and pacer; the sink stands in for VS Code's terminal.
  const proc = spawn('ssh', ['-F', env.sshConfig, '-o', 'BatchMode=yes', 'vsim-hv1', '--', 'head -c 100000000 /dev/urandom'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const channel: ConsoleChannel = {
    write: () => true, close: () => proc.kill('SIGTERM'), end: () => proc.stdin.end(), setWindow: () => undefined,
    pause: () => proc.stdout.pause(), resume: () => proc.stdout.resume(),
    on: (_e: 'data', l: (d: Buffer) => void) => proc.stdout.on('data', l),
    once: (e: 'exit' | 'close', l: (...a: never[]) => void) => proc.once(e, l as () => void),
    stderr: { on: (_e: 'data', l: (d: Buffer) => void) => proc.stderr.on('data', l) },
  } as ConsoleChannel;
  const session = new ConsoleSession(channel, { pty: true, filterNoise: false });
  let shown = 0;
  let junk = false;
  const pacer = new OutputPacer((s) => { shown += s.length; }, session);
  session.onData((s) => pacer.push(s));
  session.onJunk(() => { junk = true; });
  const lag = monitorEventLoopDelay({ resolution: 10 });
  lag.enable();
  const heap0 = process.memoryUsage().heapUsed;
  let heapMax = heap0;
  const probe = setInterval(() => { heapMax = Math.max(heapMax, process.memoryUsage().heapUsed); }, 50);
  const t0 = performance.now();
  await new Promise<void>((r) => session.onEnd(() => r()));
  await until('the pacer drained', 120_000, async () => pacer.pending === 0, 50);
  clearInterval(probe);
  lag.disable();
  assert.equal(session.bytes, 100_000_000, 'every byte read');
  assert.ok(shown > 0 && junk, 'shown, and the junk noticed');
  assert.ok(pacer.maxQueued <= 1_000_000 + 256 * 1024, `the queue stayed bounded (${pacer.maxQueued} chars)`);
  assert.ok(pacer.pauses > 0, 'the SSH channel was paused while the terminal caught up');
  Object.assign(figures, {
    junk100MB: {
      seconds: +((performance.now() - t0) / 1000).toFixed(1),
      maxQueuedChars: pacer.maxQueued,
      pauses: pacer.pauses,
      heapGrowthMB: +((heapMax - heap0) / 1e6).toFixed(1),
      eventLoopDelayMaxMs: +(lag.max / 1e6).toFixed(1),
      eventLoopDelayP99Ms: +(lag.percentile(99) / 1e6).toFixed(1),
    },
  });
});

test('boot logs: libvirt <log file>, qemu chardev logfile, microvm console.log each hold the last boot from its kernel line', { skip }, async () => {
  const cases: [BackendContext, VmBackend, string][] = [[hv1, createLibvirtBackend(), 'chassis'], [hv1, createQemuBackend(), 'jetson-1'], [hv2, createMicrovmBackend(), 'slot1']];
  for (const [ctx, b, vm] of cases) {
    const src = b.bootLog!(ctx, vm);
    const r = await ctx.run.exec(src.read);
    assert.equal(r.code, 0, `${vm}: ${r.stderr}`);
    const boot = lastBoot(r.stdout.replace(/\r/g, ''));
    assert.match(boot, /Linux version \d/, `${vm}'s boot log (${src.where}) has its kernel banner`);
    assert.match(boot, new RegExp(`vsim-guest ${vm} ready`), `${vm}'s boot log reached its ready line`);
  }
  const none = createQemuBackend().bootLog!(hv1, 'jetson-9');
  const r = await hv1.run.exec(none.read);
  assert.equal(r.code, 4);
  assert.match(r.stderr, /no boot log \/run\/vsim-sandbox\/qemu\/jetson-9\/serial\.log on \S+/);
});

test('boot progress: edge.Gateway started with no console open: phases with their times from its boot log', { skip }, async () => {
  const b = createLibvirtBackend();
  const vm = 'edge.Gateway';
  if ((await b.list(hv1, [vm])).vms[vm]?.state === 'running') await b.lifecycle(hv1, vm, 'destroy');
  try {
    await b.lifecycle(hv1, vm, 'start');
    const tracker = new BootTracker(READY, () => performance.now());
    const src = b.bootLog!(hv1, vm);
    const stream = hv1.run.follow(src.follow, (l) => tracker.push(l));
    try {
      await until(`${vm} reached its ready line`, 300_000, async () => tracker.done, 200);
    } finally {
      stream.dispose();
    }
    const phases = tracker.marks.map((m) => m.phase);
    assert.deepEqual(phases.filter((p) => p !== 'firmware'), ['started', 'kernel', 'init', 'ready'], phaseSummary(tracker.marks));
    for (let i = 1; i < tracker.marks.length; i++) assert.ok(tracker.marks[i]!.atMs >= tracker.marks[i - 1]!.atMs);
    figures.edgeBootPhases = Object.fromEntries(tracker.marks.map((m) => [m.phase, m.atMs]));
    console.log(`# edge.Gateway boot: ${phaseSummary(tracker.marks)}`);
  } finally {
    await b.lifecycle(hv1, vm, 'destroy').catch(() => undefined);
  }
});
