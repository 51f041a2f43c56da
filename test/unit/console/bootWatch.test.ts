import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readyPattern } from '../../../src/console/bootPhases';
import { watchBootOf, type BootWatchOptions, type SshPortProbe } from '../../../src/console/bootWatch';

const READY = readyPattern('^vsim-guest \\S+ ready').re;
const SOURCE = { where: '/var/log/edge.log (libvirt <log file>)', read: ['read'], follow: ['follow'] };
const BOOT = ['[    0.000000] Linux version 6.1.0-28-amd64 (gcc-12) #1 SMP', '[    0.51] Run /init as init process', 'vsim-guest edge ready'];

/** A log follower whose lines the test writes (after the initial burst window); records dispose. */
function fakeLog() {
  let onLine: (l: string) => void = () => undefined;
  let end: (code: number) => void = () => undefined;
  const state = { disposed: false, argv: [] as readonly string[] };
  const follow: BootWatchOptions['follow'] = (argv, cb) => {
    state.argv = argv;
    onLine = cb;
    return { done: new Promise<number>((r) => { end = r; }), dispose: () => { state.disposed = true; } };
  };
  return { follow, state, write: (lines: string[]) => lines.forEach((l) => onLine(l)), end: (c: number) => end(c) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function options(log: ReturnType<typeof fakeLog>, over: Partial<BootWatchOptions>): BootWatchOptions & { reports: string[] } {
  const reports: string[] = [];
  return { vm: 'edge', host: 'hv1', source: SOURCE, follow: log.follow, ready: READY, timeoutMs: 5000, afterStart: true, report: (m) => reports.push(m), reports, ...over };
}

test('bootWatch: console phases, then the SSH port tried until it answers: outcome reachable with every phase', async () => {
  const log = fakeLog();
  let tries = 0;
  const ssh: SshPortProbe = { where: '10.0.0.13:22 through hv1', probe: async () => { if (++tries < 3) throw new Error('connection refused'); return 'SSH-2.0-dropbear_2022.83'; } };
  const o = options(log, { ssh });
  const w = watchBootOf(o);
  await sleep(800); // past the burst of what the log held (nothing)
  log.write(BOOT);
  const r = await w.result;
  assert.equal(r.outcome, 'reachable', r.message);
  assert.deepEqual(r.marks.map((m) => m.phase), ['started', 'kernel', 'init', 'ready', 'reachable']);
  assert.equal(r.marks.at(-1)!.line, 'SSH-2.0-dropbear_2022.83');
  assert.equal(tries, 3);
  assert.match(r.message, /^edge on hv1 booted: kernel booting .* · SSH reachable \d+\.\d s \(SSH-2\.0-dropbear/);
  assert.ok(o.reports.some((m) => m.startsWith('waiting for SSH on 10.0.0.13:22 through hv1')), o.reports.join('\n'));
  assert.deepEqual(log.state.argv, ['follow']);
  assert.equal(log.state.disposed, true, 'the log is no longer followed');
});

test('bootWatch: a VM without an address ends at its login prompt (outcome ready, says SSH was not tried)', async () => {
  const log = fakeLog();
  const w = watchBootOf(options(log, {}));
  await sleep(800);
  log.write(BOOT);
  const r = await w.result;
  assert.equal(r.outcome, 'ready');
  assert.match(r.message, /SSH not tried/);
});

test('bootWatch: the SSH port never answers: timeout names the phase, the port, the last error and the last console lines', async () => {
  const log = fakeLog();
  const ssh: SshPortProbe = { where: '10.0.0.13:22 through hv1', probe: async () => { throw new Error('connect ECONNREFUSED'); } };
  const w = watchBootOf(options(log, { ssh, timeoutMs: 1500 }));
  await sleep(800);
  log.write(BOOT);
  const r = await w.result;
  assert.equal(r.outcome, 'timeout');
  assert.match(r.message, /^edge on hv1 did not get past "login prompt" within 1\.5 s \(its SSH port 10\.0\.0\.13:22 through hv1 did not answer in \d+ tries; last: connect ECONNREFUSED\)\. Last console lines:\n/);
  assert.match(r.message, /vsim-guest edge ready$/);
});

test('bootWatch: a boot stuck in the kernel times out there with its last lines; the held burst counts', async () => {
  const log = fakeLog();
  const w = watchBootOf(options(log, { timeoutMs: 1200, afterStart: false }));
  log.write([BOOT[0]!, '[    0.90] random: crng init done']); // held by the log when tail started
  const r = await w.result;
  assert.equal(r.outcome, 'timeout');
  assert.deepEqual(r.marks.map((m) => m.phase), ['started', 'kernel']);
  assert.match(r.message, /did not get past "kernel booting" within 1\.2 s \(\/var\/log\/edge\.log \(libvirt <log file>\)\)\. Last console lines:\n.*Linux version.*\n.*crng init done$/);
});

test('bootWatch: Cancel while waiting for SSH ends the watch (no try after it), the log stops being followed', async () => {
  const log = fakeLog();
  let tries = 0;
  const ssh: SshPortProbe = { where: 'p', probe: async () => { tries++; throw new Error('refused'); } };
  const w = watchBootOf(options(log, { ssh }));
  await sleep(800);
  log.write(BOOT);
  await sleep(1500);
  w.cancel();
  const r = await w.result;
  const seen = tries;
  assert.equal(r.outcome, 'cancelled');
  assert.match(r.message, /stopped watching the boot of edge on hv1 \(it keeps booting\)/);
  assert.deepEqual(r.marks.map((m) => m.phase), ['started', 'kernel', 'init', 'ready']);
  assert.equal(log.state.disposed, true);
  await sleep(1200);
  assert.equal(tries, seen, 'no try after Cancel');
});

test('bootWatch: the follower ending is a failure naming the exit code and the log', async () => {
  const log = fakeLog();
  const w = watchBootOf(options(log, {}));
  log.end(4);
  const r = await w.result;
  assert.equal(r.outcome, 'failed');
  assert.match(r.message, /following the boot log of edge on hv1 ended \(exit code 4; \/var\/log\/edge\.log/);
});

test('bootWatch: a watch ended because the VM stopped carries that reason and stops following the log', async () => {
  const log = fakeLog();
  const w = watchBootOf(options(log, {}));
  await sleep(800);
  w.cancel('edge on hv1 stopped before it finished booting');
  const r = await w.result;
  assert.equal(r.outcome, 'cancelled');
  assert.equal(r.message, 'edge on hv1 stopped before it finished booting');
  assert.equal(log.state.disposed, true);
});
