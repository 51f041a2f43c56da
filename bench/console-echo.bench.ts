// Console echo round trip per backend: a line typed into each backend's console (its own argv, run
// with a pty on the pooled ssh2 connection, read through ConsoleSession — the terminal's path) until
// the guest's reply is back; beside it, the same SSH link's own pty echo (`cat` with a pty) on that
// host, so each ratio says what the backend's console path adds to the link. Backends: libvirt
// (chassis, virsh console), qemu (jetson-1, serial socket), microvm (slot1 on vsim-hv2 through
// ProxyJump), cloud-hypervisor (a STAND-IN VMM's serial socket: it echoes lines, no guest runs).
// Run (sandbox up: bash test/sandbox/sandbox.sh up):
//   node --import tsx bench/console-echo.bench.ts [rounds=20]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { BackendContext, CommandRunner, VmBackend } from '../src/backends/backend';
import { createCloudHypervisorBackend } from '../src/backends/cloudHypervisor/backend';
import { createLibvirtBackend } from '../src/backends/libvirt/backend';
import { createMicrovmBackend } from '../src/backends/microvm/backend';
import { createQemuBackend } from '../src/backends/qemu/backend';
import { startQemu } from '../src/backends/qemu/start';
import { ConsoleSession } from '../src/console/session';
import { KnownHostsPolicy } from '../src/remote/hostKeyPolicy';
import { SshPool } from '../src/remote/pool';
import { resolveEndpoint } from '../src/remote/sshConfig';
import type { Topology } from '../src/model/types';
import { stats, type Stats } from './lib/stats';

const REPO = path.resolve(__dirname, '..');
const CFG = path.join(REPO, '.sandbox', 'ssh', 'config');
const ROUNDS = Number(process.argv[2] ?? 20);
const CH = 'bench-ch-1';

interface Row { backend: string; vm: string; host: string; echo: Stats; link: Stats; ratio: number }

async function main(): Promise<void> {
  if (!existsSync(CFG)) {
    console.log('skipped: no sandbox (.sandbox/ssh/config); run bash test/sandbox/sandbox.sh up as root');
    return;
  }
  const topo = parse(readFileSync(path.join(REPO, 'examples', 'sandbox.vsim.yaml'), 'utf8')) as Topology;
  topo.vms![CH] = {
    host: 'vsim-hv1', backend: 'cloud-hypervisor', vcpus: 1, memory: '128MiB',
    boot: { kernel: '/run/vsim-sandbox/guest/vmlinuz' },
    sockets: { api: `/run/vsim-sandbox/con/${CH}.sock`, serial: `/run/vsim-sandbox/con/${CH}-serial.sock` },
  };
  const pool = new SshPool({ hostKeys: new KnownHostsPolicy({ askTrust: async () => false }), askPassphrase: async () => undefined, agentSocket: '' });
  const sshText = readFileSync(CFG, 'utf8');
  const hostOf = (name: string) => pool.get(resolveEndpoint({ name, sshConfigHost: name }, () => undefined, sshText));
  const ctxOf = (hostName: string): BackendContext => {
    const h = hostOf(hostName);
    const run: CommandRunner = { exec: (argv, o) => h.shell.exec(argv, o) };
    return { hostName, host: topo.hosts[hostName]!, topology: topo, run };
  };

  /** ms from typing a line to its reply in the console's output, `ROUNDS` times (after one warm-up). */
  async function echoes(hostName: string, argv: string[], line: (i: number) => string, reply: (i: number) => RegExp): Promise<Stats> {
    const ch = await hostOf(hostName).shell.stream(argv, { pty: { cols: 120, rows: 40 } });
    const s = new ConsoleSession(ch, { pty: true });
    let out = '';
    s.onData((d) => { out += d; });
    const wait = (re: RegExp, ms: number) => new Promise<void>((resolve, reject) => {
      const t = setInterval(() => { if (re.test(out)) { clearInterval(t); clearTimeout(to); resolve(); } }, 1);
      const to = setTimeout(() => { clearInterval(t); reject(new Error(`no ${re} within ${ms} ms: ${JSON.stringify(out.slice(-300))}`)); }, ms);
    });
    try {
      // Warm-up: the console is attached and the guest's shell answers.
      for (let tries = 0; ; tries++) {
        ch.write(`${line(-1)}\r`);
        try { await wait(reply(-1), 2000); break; } catch (e) { if (tries > 20) throw e; }
      }
      const ms: number[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        out = '';
        const t0 = performance.now();
        ch.write(`${line(i)}\r`);
        await wait(reply(i), 10_000);
        ms.push(performance.now() - t0);
      }
      return stats(ms);
    } finally {
      s.close();
    }
  }
  const shellLine = (i: number) => `echo r${i + 1}-$((${i + 1}*7))`;
  const shellReply = (i: number) => new RegExp(`r${i + 1}-${(i + 1) * 7}\\r?\\n`);
  /** The SSH link's own echo: `cat` in a pty returns the line (tty echo and cat's copy). */
  const link = (hostName: string) => echoes(hostName, ['cat'], (i) => `link${i + 1}`, (i) => new RegExp(`link${i + 1}\\r\\n[^]*link${i + 1}`));

  const ch = createCloudHypervisorBackend();
  const hv1 = ctxOf('vsim-hv1');
  await startQemu(hv1, 'jetson-1');
  await ch.provisioner!.deprovision(hv1, CH).catch(() => undefined);
  await ch.provisioner!.provision(hv1, CH);
  await ch.lifecycle(hv1, CH, 'start');
  const cases: [string, VmBackend, string, string, ((i: number) => string)?, ((i: number) => RegExp)?][] = [
    ['libvirt', createLibvirtBackend(), 'chassis', 'vsim-hv1'],
    ['qemu', createQemuBackend(), 'jetson-1', 'vsim-hv1'],
    ['microvm', createMicrovmBackend(), 'slot1', 'vsim-hv2'],
    ['cloud-hypervisor (stand-in)', ch, CH, 'vsim-hv1', (i) => `chline${i + 1}`, (i) => new RegExp(`stand-in: chline${i + 1}\\r?\\n`)],
  ];
  const rows: Row[] = [];
  try {
    for (const [backend, b, vm, host, line, reply] of cases) {
      const base = await link(host);
      const e = await echoes(host, b.console!(ctxOf(host), vm).argv, line ?? shellLine, reply ?? shellReply);
      rows.push({ backend, vm, host, echo: e, link: base, ratio: e.median / base.median });
    }
  } finally {
    await ch.lifecycle(hv1, CH, 'destroy').catch(() => undefined);
    await ch.provisioner!.deprovision(hv1, CH).catch(() => undefined);
    pool.dispose();
  }
  console.log(`console echo round trip, ${ROUNDS} rounds each (median, p10–p90); "link" = the same host's SSH pty echo (cat)`);
  console.log('| backend | VM (host) | echo ms | link ms | × link |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.backend} | ${r.vm} (${r.host}) | ${r.echo.median.toFixed(1)} (${r.echo.p10.toFixed(1)}–${r.echo.p90.toFixed(1)}) | ${r.link.median.toFixed(1)} | ${r.ratio.toFixed(2)} |`);
  const outDir = path.join(REPO, 'bench', 'results');
  mkdirSync(outDir, { recursive: true });
  const summary = rows.map((r) => ({
    measure: `console echo round trip, ${r.backend}`,
    value: r.echo.median,
    unit: 'ms',
    spread: `p10 ${r.echo.p10.toFixed(1)}, p90 ${r.echo.p90.toFixed(1)}`,
    versus: { label: `SSH pty echo on ${r.host} (cat)`, value: r.link.median },
    ratio: r.ratio,
  }));
  writeFileSync(path.join(outDir, 'console-echo.json'), `${JSON.stringify({ date: new Date().toISOString(), rounds: ROUNDS, rows, summary }, null, 2)}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
