// "Capture Traffic" on a VM interface, a link (one end's tap, filtered to the peer) or a bridge:
// tcpdump on the host over SSH on its own channel (src/capture/), the pcap written to a growing file
// in the workspace, one line per packet in a terminal, and "Open in Wireshark" when it is installed
// here (`wireshark -k -i -` fed the same bytes live). "Stop Capture" (or closing the terminal) stops
// the remote tcpdump and says whether the host reports it gone. Returns a plain summary for tests:
// executeCommand('vsim.captureTraffic', vmNode, { iface, filter, count, seconds }).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { Capture } from '../../capture/capture';
import { validateBpf } from '../../capture/captureScript';
import { countByProto } from '../../capture/pcap';
import { log } from '../../common/log';
import type { Lab } from '../../lab/lab';
import { assertIfname } from '../../model/names';
import type { WorkspaceLabs } from '../../workspace/workspaceLabs';
import { vmIfaces } from '../../tc/ops';
import { labDefining } from '../resolveName';
import { Notice } from '../notice';
import { targetOf } from '../registry';
import type { Target as CommandTarget } from '../targets';
import { onHost } from '../../model/fabric';

export interface CaptureRequest {
  iface?: string;
  filter?: string;
  count?: number;
  seconds?: number;
  /** Where to write the pcap (default: captures/ in the first workspace folder). */
  file?: string;
}

export interface CaptureSummary {
  id: number;
  host: string;
  iface: string;
  file: string;
  pid?: number;
}

export interface StopSummary extends CaptureSummary {
  gone: boolean;
  packets: Record<string, number>;
  bytes: number;
}

interface Running {
  summary: CaptureSummary;
  capture: Capture;
  out: WriteStream;
  terminal: vscode.Terminal;
  wireshark?: ChildProcess;
  timer?: NodeJS.Timeout;
  stopping?: Promise<StopSummary>;
}

const running = new Map<number, Running>();
let nextId = 1;

interface Target {
  lab: Lab;
  host: string;
  iface: string;
  /** Default filter (a link: only the traffic with the peer). */
  filter?: string;
  label: string;
}

async function pickIface(lab: Lab, host: string, vms: string[], extra: string[] = []): Promise<string> {
  const items = [
    ...vms.flatMap((vm) => vmIfaces(lab.current, vm).map((i) => ({ label: i.iface, description: `${vm}${i.ip ? ` ${i.ip}` : ''}` }))),
    ...extra.map((b) => ({ label: b, description: 'bridge' })),
  ];
  if (!items.length) throw new Notice(`No tap or bridge on ${host} in the topology: nothing to capture on.`);
  if (items.length === 1) return (items[0] as { label: string }).label;
  const picked = await vscode.window.showQuickPick(items, { title: `Capture Traffic on ${host}`, placeHolder: 'Choose an interface' });
  if (!picked) throw new vscode.CancellationError();
  return picked.label;
}

async function resolveTarget(labs: WorkspaceLabs, node: CommandTarget | undefined, req: CaptureRequest): Promise<Target> {
  await labs.ready();
  if (node?.kind === 'named' && node.is === 'link') {
    const { lab } = await labDefining(labs, 'links', node.name, node.uri);
    const [a, b] = lab.current.links![node.name]!.endpoints;
    const end = vmIfaces(lab.current, a)[0];
    const peer = vmIfaces(lab.current, b).find((i) => i.ip)?.ip;
    if (!end) throw new Error(`${a} has no NIC with a \`tap\`: cannot capture link ${node.name}.`);
    return { lab, host: lab.current.vms![a]!.host, iface: req.iface ?? end.iface, filter: peer ? `host ${peer}` : undefined, label: `link ${node.name}` };
  }
  let lab: Lab | undefined;
  let vm: string | undefined;
  if (node?.kind === 'vm') {
    lab = labs.get(node.uri)?.lab;
    vm = node.vm;
  } else if (node?.kind === 'named') {
    // The graph's VM, or a bare name (a VM's: capture acts on VMs unless told a link).
    lab = (await labDefining(labs, 'vms', node.name, node.uri)).lab;
    vm = node.name;
  }
  if (lab && vm) {
    const host = lab.current.vms![vm]!.host;
    return { lab, host, iface: req.iface ?? await pickIface(lab, host, [vm]), label: `VM ${vm}` };
  }
  if (node?.kind === 'host') {
    const l = labs.get(node.uri)?.lab;
    if (!l) throw new Error('The topology has errors.');
    const vms = Object.entries(l.current.vms ?? {}).filter(([, v]) => v.host === node.host).map(([n]) => n);
    const bridges = Object.entries(l.current.networks ?? {}).filter(([, n]) => onHost(n, node.host)).map(([n]) => n);
    return { lab: l, host: node.host, iface: req.iface ?? await pickIface(l, node.host, vms, bridges), label: `host ${node.host}` };
  }
  // Palette: every VM of every topology.
  const items: (vscode.QuickPickItem & { lab: Lab; vm: string })[] = [];
  for (const e of labs.all()) {
    if (e.lab) for (const [n, v] of Object.entries(e.lab.current.vms ?? {})) items.push({ label: n, description: v.host, detail: vscode.workspace.asRelativePath(e.uri), lab: e.lab, vm: n });
  }
  const picked = await vscode.window.showQuickPick(items, { title: 'Capture Traffic', placeHolder: 'Choose a VM' });
  if (!picked) throw new vscode.CancellationError();
  const host = picked.lab.current.vms![picked.vm]!.host;
  return { lab: picked.lab, host, iface: req.iface ?? await pickIface(picked.lab, host, [picked.vm]), label: `VM ${picked.vm}` };
}

async function askOptions(t: Target, req: CaptureRequest, interactive: boolean): Promise<{ filter: string; count?: number; seconds?: number }> {
  if (!interactive) return { filter: validateBpf(req.filter ?? t.filter ?? ''), count: req.count, seconds: req.seconds };
  const filter = await vscode.window.showInputBox({
    title: `vsim: capture on ${t.iface} (${t.host}) — BPF filter`,
    prompt: 'tcpdump filter, e.g. "icmp", "tcp port 22", "host 10.0.0.2" (empty: everything). The host compiles it before capturing.',
    value: req.filter ?? t.filter ?? '',
    validateInput: (v) => { try { validateBpf(v); return undefined; } catch (e) { return (e as Error).message; } },
  });
  if (filter === undefined) throw new vscode.CancellationError();
  const limits = [
    { label: 'Until stopped', detail: 'Stop with "vsim: Stop Capture" or by closing the terminal' },
    { label: '1000 packets', count: 1000 },
    { label: '100 packets', count: 100 },
    { label: '60 seconds', seconds: 60 },
    { label: '10 seconds', seconds: 10 },
  ];
  const limit = await vscode.window.showQuickPick(limits, { title: 'Capture limit' });
  if (!limit) throw new vscode.CancellationError();
  return { filter: validateBpf(filter), count: 'count' in limit ? limit.count : undefined, seconds: 'seconds' in limit ? limit.seconds : undefined };
}

function captureFile(t: Target, req: CaptureRequest): string {
  if (req.file) {
    mkdirSync(dirname(req.file), { recursive: true });
    return req.file;
  }
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) throw new Error('Open a folder to capture into (the .pcap goes to its captures/ folder).');
  const dir = join(folder, 'captures');
  mkdirSync(dir, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return join(dir, `${t.host.replace(/[^A-Za-z0-9_.-]/g, '_')}-${assertIfname(t.iface)}-${stamp}.pcap`);
}

function wiresharkInstalled(): boolean {
  return spawnSync('sh', ['-c', 'command -v wireshark'], { stdio: 'ignore' }).status === 0;
}

/** (target?, request?): the request object gives the interface, filter, limits and file (then nothing is asked). */
export function captureTraffic(labs: WorkspaceLabs) {
  return async (node?: unknown, reqArg?: unknown): Promise<CaptureSummary> => {
    if (!vscode.workspace.isTrusted) throw new Error('Capturing runs tcpdump on the host: trust this workspace first.');
    const req = (reqArg && typeof reqArg === 'object' && !Array.isArray(reqArg) ? reqArg : {}) as CaptureRequest;
    const t = await resolveTarget(labs, targetOf(node), req);
    assertIfname(t.iface);
    const o = await askOptions(t, req, !(reqArg && typeof reqArg === 'object'));
    const { run } = await t.lab.context(t.host);
    const file = captureFile(t, req);
    const out = createWriteStream(file);
    out.on('error', (err) => log().error(`capture into ${file}: ${err.message}`));
    const id = nextId++;
    const summary: CaptureSummary = { id, host: t.host, iface: t.iface, file };
    const write = new vscode.EventEmitter<string>();
    const seen: Buffer[] = [];
    // Set once the capture exists; the terminal and the sinks are created before it.
    const ref: { entry?: Running } = {};
    const pty: vscode.Pseudoterminal = {
      onDidWrite: write.event,
      open: () => write.fire(`Capturing on ${t.iface} (${t.host}, ${t.label})${o.filter ? ` filter "${o.filter}"` : ''} → ${vscode.workspace.asRelativePath(file)}\r\nClose this terminal or run "vsim: Stop Capture" to stop.\r\n`),
      close: () => { if (ref.entry) void stopCapture()(id); },
    };
    const terminal = vscode.window.createTerminal({ name: `capture ${t.iface}@${t.host}`, pty });
    terminal.show(true);
    const capture = new Capture(t.host, run, t.iface, { filter: o.filter, count: o.count }, {
      onPcap: (c) => {
        out.write(c);
        if (ref.entry?.wireshark?.stdin?.writable) ref.entry.wireshark.stdin.write(c);
        else seen.push(c);
      },
      onLine: (l) => write.fire(`${l}\r\n`),
    });
    const entry: Running = { summary, capture, out, terminal };
    ref.entry = entry;
    running.set(id, entry);
    try {
      summary.pid = await capture.whenStarted();
    } catch (err) {
      running.delete(id);
      out.end();
      write.fire(`\r\n${(err as Error).message}\r\n`);
      throw err;
    }
    log().info(`capture ${id}: ${t.host} ${t.iface} pid ${summary.pid} → ${file}`);
    if (o.seconds) entry.timer = setTimeout(() => void stopCapture()(id), o.seconds * 1000);
    void capture.done.then((end) => {
      write.fire(`\r\ncapture ended (exit ${end.code}), ${end.bytes} bytes in ${vscode.workspace.asRelativePath(file)}\r\n`);
      if (running.get(id) && !running.get(id)?.stopping) void stopCapture()(id);
    });
    const actions = wiresharkInstalled() ? ['Open in Wireshark'] : [];
    void vscode.window.showInformationMessage(`vsim: capturing on ${t.iface} (${t.host}) into ${vscode.workspace.asRelativePath(file)}`, ...actions, 'Stop').then((c) => {
      if (c === 'Stop') void stopCapture()(id);
      if (c === 'Open in Wireshark' && running.has(id)) {
        const w = spawn('wireshark', ['-k', '-i', '-'], { stdio: ['pipe', 'ignore', 'ignore'], detached: false });
        w.stdin.on('error', () => undefined);
        w.stdin.write(Buffer.concat(seen));
        seen.length = 0;
        entry.wireshark = w;
      }
    });
    return summary;
  };
}

/** Stops a running capture (the only one, the given id, or a pick) and reports what the file holds. */
export function stopCapture() {
  return async (idArg?: unknown): Promise<StopSummary | undefined> => {
    let id = typeof idArg === 'number' ? idArg : undefined;
    if (id === undefined) {
      const list = [...running.values()];
      if (!list.length) {
        void vscode.window.showInformationMessage('vsim: no capture is running.');
        return undefined;
      }
      if (list.length === 1) id = list[0]!.summary.id;
      else {
        const picked = await vscode.window.showQuickPick(list.map((r) => ({ label: `${r.summary.iface}@${r.summary.host}`, description: vscode.workspace.asRelativePath(r.summary.file), id: r.summary.id })), { title: 'Stop Capture', placeHolder: 'Choose a capture' });
        if (!picked) return undefined;
        id = picked.id;
      }
    }
    const r = running.get(id);
    if (!r) return undefined;
    r.stopping ??= (async () => {
      if (r.timer) clearTimeout(r.timer);
      const s = await r.capture.stop();
      await new Promise<void>((res) => r.out.end(res));
      r.wireshark?.stdin?.end();
      running.delete(id);
      let packets: Record<string, number> = {};
      try {
        packets = countByProto(readFileSync(r.summary.file));
      } catch (err) {
        log().warn(`capture ${id}: ${(err as Error).message}`);
      }
      const total = Object.values(packets).reduce((a, b) => a + b, 0);
      const msg = `capture on ${r.summary.iface} (${r.summary.host}) stopped: ${total} packets in ${vscode.workspace.asRelativePath(r.summary.file)}; tcpdump ${s.gone ? 'gone on the host' : 'STILL RUNNING on the host'}`;
      log().info(msg);
      if (s.gone) void vscode.window.showInformationMessage(`vsim: ${msg}`);
      else void vscode.window.showWarningMessage(`vsim: ${msg} (pid ${r.summary.pid})`);
      return { ...r.summary, gone: s.gone, packets, bytes: s.end.bytes };
    })();
    return r.stopping;
  };
}

/** Stops every capture (extension deactivation). */
export function disposeCaptures(): vscode.Disposable {
  return new vscode.Disposable(() => {
    for (const r of running.values()) {
      void r.capture.stop().catch(() => r.capture.dispose());
      r.out.end();
      r.wireshark?.stdin?.end();
    }
  });
}
