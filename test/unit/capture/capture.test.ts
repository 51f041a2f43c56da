// Packet capture: the pcap reader on bytes built here, filter validation, the constant capture script
// (argv, markers), and the whole Capture run for real — this machine's tcpdump on the loopback of a
// throwaway network namespace while busybox pings it — through a streaming runner (nsenter).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { CommandRunner } from '../../../src/backends/backend';
import { Capture } from '../../../src/capture/capture';
import { captureArgv, missingTcpdumpMessage, parseMarker, stopArgv, validateBpf } from '../../../src/capture/captureScript';
import { countByProto, parsePcap, parsePcapHeader, summarize } from '../../../src/capture/pcap';
import { Netns } from '../tc/netns';

/** A pcap (little-endian, µs) with the given Ethernet frames. */
function pcapOf(frames: Buffer[], partialTail = 0): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(262144, 16);
  h.writeUInt32LE(1, 20);
  const recs = frames.map((f, i) => {
    const r = Buffer.alloc(16);
    r.writeUInt32LE(1700000000 + i, 0);
    r.writeUInt32LE(f.length, 8);
    r.writeUInt32LE(f.length, 12);
    return Buffer.concat([r, f]);
  });
  const all = Buffer.concat([h, ...recs]);
  return partialTail ? all.subarray(0, all.length - partialTail) : all;
}

function icmpFrame(type: number, src: number[], dst: number[]): Buffer {
  const f = Buffer.alloc(14 + 20 + 8);
  f.writeUInt16BE(0x0800, 12);
  f[14] = 0x45;
  f[14 + 9] = 1;
  Buffer.from(src).copy(f, 14 + 12);
  Buffer.from(dst).copy(f, 14 + 16);
  f[34] = type;
  return f;
}

test('pcap reader: header, records, ICMP echo request/reply, a growing file cut mid-record', () => {
  const arp = Buffer.alloc(42);
  arp.writeUInt16BE(0x0806, 12);
  const b = pcapOf([icmpFrame(8, [10, 99, 0, 11], [10, 99, 0, 12]), icmpFrame(0, [10, 99, 0, 12], [10, 99, 0, 11]), arp]);
  const p = parsePcap(b);
  assert.equal(p.header.linktype, 1);
  assert.equal(p.header.nanos, false);
  assert.equal(p.packets.length, 3);
  assert.equal(p.rest, b.length);
  assert.deepEqual(summarize(p.packets[0]!.data), { proto: 'ICMP', src: '10.99.0.11', dst: '10.99.0.12', info: 'echo request' });
  assert.equal(summarize(p.packets[1]!.data).info, 'echo reply');
  assert.deepEqual(countByProto(b), { ICMP: 2, ARP: 1 });
  const cut = parsePcap(pcapOf([icmpFrame(8, [1, 2, 3, 4], [5, 6, 7, 8]), arp], 10));
  assert.equal(cut.packets.length, 1, 'the incomplete last record is left for later');
  assert.throws(() => parsePcapHeader(Buffer.from('not a pcap file at all, no')), /not a pcap file/);
  assert.throws(() => parsePcapHeader(Buffer.alloc(3)), /not a pcap file: 3 bytes/);
});

test('filters are validated; the capture script is constant and takes the interface, limit and filter as "$@"', () => {
  assert.equal(validateBpf('  icmp and host 10.0.0.1 '), 'icmp and host 10.0.0.1');
  assert.throws(() => validateBpf('icmp\nreboot'), /printable ASCII/);
  assert.throws(() => validateBpf('-w /etc/passwd'), /cannot start with "-"/);
  assert.throws(() => validateBpf('x'.repeat(501)), /longer than 500/);
  const a = captureArgv('tap-ep1', { filter: "tcp port 22 and host 'x'", count: 5 });
  const b = captureArgv('tap-ep2');
  assert.equal(a[0], 'sh');
  assert.equal(a[2], b[2], 'same script whatever the arguments');
  assert.deepEqual(a.slice(3), ['vsim', 'tap-ep1', '5', "tcp port 22 and host 'x'"]);
  assert.deepEqual(b.slice(3), ['vsim', 'tap-ep2', '', '']);
  assert.throws(() => captureArgv('a;b'), /Invalid interface name/);
  assert.throws(() => captureArgv('tap0', { count: 0 }), /Invalid packet limit/);
  assert.throws(() => stopArgv(1), /Invalid pid/);
  assert.deepEqual(stopArgv(4242).slice(3), ['vsim', '4242']);
  assert.deepEqual(parseMarker('@@vsim-capture pid 77'), { kind: 'pid', pid: 77 });
  assert.deepEqual(parseMarker('@@vsim-capture missing tcpdump'), { kind: 'missing' });
  assert.deepEqual(parseMarker('@@vsim-capture badfilter tcpdump: syntax error'), { kind: 'badfilter', message: 'tcpdump: syntax error' });
  assert.equal(parseMarker('listening on lo, link-type EN10MB'), undefined);
  assert.match(missingTcpdumpMessage('hv1'), /install the package tcpdump/);
});

// ---- for real: tcpdump on the loopback of a throwaway namespace -----------------------------

const tools = spawnSync('sh', ['-c', 'command -v tcpdump && command -v nsenter && command -v busybox']).status === 0;
let ns: Netns | undefined;
let skip: string | false = tools ? false : 'tcpdump, nsenter or busybox not installed (test/sandbox/install-deps.sh installs them)';
before(() => {
  if (skip) return;
  const n = Netns.openWith([['ip', 'link', 'set', 'lo', 'up']]);
  if (typeof n === 'string') skip = n;
  else ns = n;
});
after(() => ns?.close());

function nsRunner(n: Netns): CommandRunner {
  const enter = (argv: readonly string[]): string[] => ['-t', String(n.pid), '-n', '--', ...argv];
  return {
    async exec(argv, opts) {
      const r = n.run(argv, opts?.stdin);
      return { stdout: r.stdout, stderr: r.stderr, code: r.status, durationMs: 0 };
    },
    streamRaw(argv, sinks) {
      const p = spawn('nsenter', enter(argv), { stdio: ['ignore', 'pipe', 'pipe'] });
      p.stdout.on('data', (d: Buffer) => sinks.onStdout(d));
      p.stderr.on('data', (d: Buffer) => sinks.onStderr(d));
      return { done: new Promise((r) => p.on('close', (c) => r(c ?? -1))), dispose: () => p.kill('SIGTERM') };
    },
  };
}

test('real tcpdump: capture on lo while busybox pings, stop by pid, the pcap has the ICMP packets, no tcpdump left', async (t) => {
  if (skip) return t.skip(skip);
  const run = nsRunner(ns!);
  const chunks: Buffer[] = [];
  const lines: string[] = [];
  const cap = new Capture('local', run, 'lo', { filter: 'icmp' }, { onPcap: (c) => chunks.push(c), onLine: (l) => lines.push(l) });
  const pid = await cap.whenStarted().catch((e: Error) => assert.fail(`${e.message}: ${lines.join(' | ')}`));
  const ping = ns!.run(['busybox', 'ping', '-c', '3', '-i', '0.2', '127.0.0.1']);
  assert.equal(ping.status, 0, ping.stderr);
  const end = Date.now() + 10_000;
  while (lines.filter((l) => l.includes('ICMP')).length < 6 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  const s = await cap.stop();
  assert.equal(s.gone, true);
  assert.equal(spawnSync('kill', ['-0', String(pid)]).status, 1, `tcpdump ${pid} is gone`);
  // On lo each echo is seen once: 3 requests + 3 replies.
  assert.equal(countByProto(Buffer.concat(chunks)).ICMP, 6);
  assert.equal(lines.filter((l) => l.includes('ICMP echo')).length, 6);
});
