// Serial consoles and "SSH into VM" as terminals, against the real sandbox (sshd + libvirt + QEMU):
// type into the guest and read its reply, resize the remote pty, detach without stopping the VM,
// reconnect after the server ended the console, take over a busy console, two consoles at once.
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RemoteTerminal } from '../../src/console/remoteTerminal';
import type { VsimApi } from '../../src/extension';
import type { CommandRunner } from '../../src/backends/backend';
import type { Lab } from '../../src/lab/lab';
import { figure, sandboxApi, waitFor, writeWorkspaceFile } from './util';
import { socatConsoleArgv } from '../../src/backends/serialSocket';

const HV1 = 'vsim-hv1';
const URI = 'qemu:///system';

/** A console terminal with everything it wrote since the test subscribed. */
interface Opened {
  pty: RemoteTerminal;
  terminal: vscode.Terminal;
  out: () => string;
  /** Output written after the last mark(). */
  since: () => string;
  mark: () => void;
}

function track(pty: RemoteTerminal, name: string): Opened {
  let text = '';
  let at = 0;
  pty.onDidWrite((s) => { text += s; });
  const terminal = vscode.window.terminals.find((t) => t.name === name);
  assert.ok(terminal, `terminal "${name}" not found; open: ${vscode.window.terminals.map((t) => t.name).join(', ')}`);
  return { pty, terminal, out: () => text, since: () => text.slice(at), mark: () => { at = text.length; } };
}

/** The tree node of a VM (the examples define other VMs named chassis: name the file). */
function node(vm: string, file = 'sandbox.vsim.yaml', host = HV1) {
  const entry = api.labs.all().find((e) => e.uri.path.endsWith(`/${file}`));
  assert.ok(entry, `${file} not loaded`);
  return { kind: 'vm', uri: entry.uri, host, vm };
}

let api: VsimApi;

async function open(command: 'vsim.openConsole' | 'vsim.sshIntoVm', vm: string, file?: string, host = HV1): Promise<Opened> {
  const ptys = await vscode.commands.executeCommand<RemoteTerminal[] | undefined>(command, node(vm, file, host));
  assert.ok(ptys?.length === 1, `${command} ${vm} returned ${JSON.stringify(ptys)}`);
  const o = track(ptys[0]!, `${command === 'vsim.sshIntoVm' ? 'ssh' : 'console'}: ${vm} (${host})`);
  await waitFor(`${vm}: ${command} connected`, () => o.pty.state === 'connected' || o.pty.state === 'ended' || undefined, 30_000);
  assert.equal(o.pty.state, 'connected', o.out());
  return o;
}

/** Types a line (as VS Code delivers keystrokes) and waits for `expect` in the output that follows. */
async function run(o: Opened, line: string, expect: RegExp, timeoutMs = 20_000): Promise<string> {
  o.mark();
  o.terminal.sendText(`${line}\r`, false);
  return waitFor(`${JSON.stringify(line)} → ${expect}`, () => {
    const s = o.since();
    return expect.test(s) ? s : undefined;
  }, timeoutMs).catch((err: Error) => {
    throw new Error(`${err.message}; output since: ${JSON.stringify(o.since().slice(-600))}`);
  });
}

async function closeTerminal(o: Opened): Promise<void> {
  o.terminal.dispose();
  await waitFor('terminal closed', () => o.pty.state === 'closed' || undefined, 10_000);
}

describe('console terminals on the sandbox', function () {
  this.timeout(120_000);
  let lab: Lab;
  let runner: CommandRunner;
  const opened: Opened[] = [];
  const sh = async (script: string) => (await runner.exec(['sh', '-c', script])).stdout.trim();
  /** Pids of `virsh … console DOMAIN` processes on hv1 (exact argv of the backend's console command). */
  const consolePids = (dom: string) => sh(`pgrep -f '^virsh .*console (--force )?${dom}$' || true`);

  before(async function () {
    api = await sandboxApi(this);
    lab = (await waitFor('sandbox lab loaded', () => api.labs.all().find((e) => e.uri.path.endsWith('/sandbox.vsim.yaml') && e.lab)))!.lab!;
    runner = await api.connections.runnerFor(HV1, lab.current.hosts![HV1]!, lab.current);
    for (const vm of ['chassis', 'compute']) {
      const state = (await runner.exec(['virsh', '-c', URI, 'domstate', vm])).stdout.trim();
      if (state !== 'running') {
        console.log(`      skipped: sandbox VM ${vm} is ${state || 'missing'}, not running`);
        this.skip();
      }
    }
  });

  afterEach(async () => {
    for (const o of opened.splice(0)) if (o.pty.state !== 'closed' && o.terminal.exitStatus === undefined) await closeTerminal(o);
  });

  it('the console of microvm slot1 (its serial socket on hv2) opens through ProxyJump: type, read the reply', async () => {
    const o = await open('vsim.openConsole', 'slot1', 'sandbox.vsim.yaml', 'vsim-hv2');
    opened.push(o);
    assert.match(o.out(), /connected to slot1 on vsim-hv2/);
    assert.match(o.out(), /vsim-serial \/var\/lib\/microvms\/slot1\/console.sock 0/);
    const t0 = Date.now();
    await run(o, 'echo slot-$((6*7))', /slot-42/);
    figure('console.microvmEcho', Date.now() - t0);
    await run(o, 'uname -n', /\nslot1\r?\n/);
  });

  it('opens the console of chassis, types into it and reads the reply', async () => {
    const o = await open('vsim.openConsole', 'chassis');
    opened.push(o);
    assert.match(o.out(), /connected to chassis on vsim-hv1/);
    const t0 = Date.now();
    await run(o, 'echo vsim-$((6*7))', /vsim-42/);
    figure('console.serialEcho', Date.now() - t0);
    console.log(`      echo round trip through the serial console: ${Date.now() - t0} ms`);
    assert.doesNotMatch(o.out(), /polkit/, 'the polkit noise is filtered');
    // Opening it again shows the same terminal (no second virsh console).
    const again = await vscode.commands.executeCommand<RemoteTerminal[]>('vsim.openConsole', node('chassis'));
    assert.equal(again[0], o.pty);
  });

  it('a console session leaves a local transcript: type a line, close the terminal, Show Console Transcript holds the reply', async () => {
    const o = await open('vsim.openConsole', 'compute');
    await run(o, 'echo transcript-$((6*7))', /transcript-42/);
    await closeTerminal(o);
    // The reply (not the typed line: that has `$((6*7))`) reaches the file after the close, written in the background.
    const doc = await waitFor('the transcript holds the reply', async () => {
      const d = await vscode.commands.executeCommand<vscode.TextDocument | undefined>('vsim.showConsoleTranscript', node('compute'), 'newest');
      return d && /\ntranscript-42\n/.test(d.getText()) ? d : undefined;
    }, 15_000, 250);
    assert.match(doc.uri.fsPath, /[/\\]transcripts[/\\]vsim-hv1[/\\]compute[/\\]\d{8}-\d{6}(-\d+)?\.log$/);
    const text = doc.getText();
    assert.match(text.split('\n')[0]!, /^# vsim: console of compute on vsim-hv1, opened .* \(control sequences removed\)$/);
    assert.match(text, /# vsim: attached .*virsh .*console compute/);
    assert.doesNotMatch(text, /[\x1b\r]/, 'no control sequences, no carriage returns');
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('resizes the remote pty with the terminal', async () => {
    const o = await open('vsim.openConsole', 'chassis');
    opened.push(o);
    o.pty.setDimensions({ columns: 101, rows: 37 });
    // A serial line has no window size: the resize reaches the pty virsh runs on, on the hypervisor.
    const pid = await waitFor('virsh console process', async () => (await consolePids('chassis')) || undefined);
    await waitFor('remote pty 37x101', async () => {
      const size = await sh(`stty -F /dev/$(ps -o tty= -p ${pid.split('\n')[0]}) size`);
      return size === '37 101' ? size : undefined;
    }, 10_000);
    o.pty.setDimensions({ columns: 90, rows: 30 });
    await waitFor('remote pty 30x90', async () => (await sh(`stty -F /dev/$(ps -o tty= -p ${pid.split('\n')[0]}) size`)) === '30 90' || undefined, 10_000);
  });

  it('closing the terminal detaches: the console process ends, the VM keeps running', async () => {
    const o = await open('vsim.openConsole', 'chassis');
    await waitFor('virsh console process', async () => (await consolePids('chassis')) || undefined);
    await closeTerminal(o);
    o.pty.close(); // a second close is harmless
    await waitFor('virsh console process gone', async () => (await consolePids('chassis')) === '' || undefined, 10_000);
    const state = (await runner.exec(['virsh', '-c', URI, 'domstate', 'chassis'])).stdout.trim();
    assert.equal(state, 'running');
  });

  it('reconnects (R) after the hypervisor ended the console', async () => {
    const o = await open('vsim.openConsole', 'chassis');
    opened.push(o);
    await run(o, 'echo before-$((1+1))', /before-2/);
    const pid = await waitFor('virsh console process', async () => (await consolePids('chassis')) || undefined);
    o.mark();
    // virsh ignores SIGTERM while attached; KILL ends it as a crash or an admin would.
    await sh(`kill -KILL ${pid.split('\n').join(' ')}`);
    await waitFor('session ended', () => o.pty.state === 'ended' || undefined, 10_000);
    assert.match(o.since(), /vsim-hv1/);
    assert.match(o.since(), /Press R or Enter to reconnect/);
    o.terminal.sendText('r', false);
    await waitFor('reconnected', () => o.pty.state === 'connected' || undefined, 20_000);
    await run(o, 'echo after-$((2+2))', /after-4/);
  });

  it('a dropped link shows the reason in the terminal; R reconnects through a new connection', async () => {
    const o = await open('vsim.openConsole', 'chassis');
    opened.push(o);
    const pid = (await waitFor('virsh console process', async () => (await consolePids('chassis')) || undefined)).split('\n')[0];
    const before = api.connections.pool.handshakes(HV1);
    o.mark();
    // The sshd process serving vsim's connection (its title names the console's pty) dies: the link drops.
    // (The command runs on that same connection, so it loses its own answer.)
    await sh(`tty=$(ps -o tty= -p ${pid}); for p in $(pgrep -f "^sshd: root@.*$tty"); do kill -KILL $p; done`).catch(() => undefined);
    await waitFor('session ended', () => o.pty.state === 'ended' || undefined, 15_000);
    assert.equal(o.pty.lastEndKind, 'dropped', o.since());
    assert.match(o.since(), /link to vsim-hv1 was lost/);
    o.terminal.sendText('\r', false);
    await waitFor('reconnected', () => o.pty.state === 'connected' || undefined, 30_000);
    assert.ok(api.connections.pool.handshakes(HV1) > before, 'a new SSH connection');
    await run(o, 'echo back-$((5+5))', /back-10/);
  });

  it('a busy console says so and F takes it over', async () => {
    const o = await open('vsim.openConsole', 'chassis');
    opened.push(o);
    // Another client takes the console over with --force (as a second vsim window would).
    const pooled = api.connections.pool.get(await api.connections.endpoint(HV1, lab.current.hosts![HV1]!, lab.current));
    const other = await pooled.shell.stream(['virsh', '-q', '-c', URI, 'console', '--force', 'chassis'], { pty: { cols: 80, rows: 24 } });
    other.on('data', () => undefined);
    try {
      await waitFor('taken over', () => o.pty.state === 'ended' || undefined, 30_000);
      assert.equal(o.pty.lastEndKind, 'taken-over', o.out().slice(-500));
      o.mark();
      o.terminal.sendText('r', false);
      await waitFor('busy', () => (o.pty.state === 'ended' && o.pty.lastEndKind === 'busy') || undefined, 15_000);
      assert.match(o.since(), /another console session is attached to chassis/);
      assert.match(o.since(), /held by virsh console \(pid \d+, user root/);
      assert.match(o.since(), /Press F to take it over \(asks first/);
      const otherClosed = new Promise<void>((r) => other.once('close', () => r()));
      // F asks through Take Over Console; the test answers the confirmation it would show.
      let asked: { message: string; lines: string[] } | undefined;
      const taken = await vscode.commands.executeCommand<RemoteTerminal | undefined>('vsim.takeOverConsole', node('chassis'), { confirm: (c: { message: string; lines: string[] }) => { asked = c; return true; } });
      assert.equal(taken, o.pty, 'the open console is the one taken over (one console per VM)');
      assert.equal(asked?.message, 'Take over the console of chassis on vsim-hv1?');
      assert.match(asked?.lines.join('\n') ?? '', /Held by virsh console \(pid \d+/);
      await waitFor('connected with --force', () => o.pty.state === 'connected' || undefined, 15_000);
      await otherClosed;
      await run(o, 'echo mine-$((3*3))', /mine-9/);
    } finally {
      other.close();
    }
  });

  it('qemu jetson-1: one console per VM; a socat holding its serial socket is named; Take Over stops it', async () => {
    await lab.lifecycle('jetson-1', 'start'); // its launcher, unless QMP already answers
    await waitFor('jetson-1 running', () => lab.host(HV1).vms['jetson-1']?.state === 'running' || undefined, 120_000).catch(() => undefined);
    const pooled = api.connections.pool.get(await api.connections.endpoint(HV1, lab.current.hosts![HV1]!, lab.current));
    const other = await pooled.shell.stream(socatConsoleArgv('/run/vsim-sandbox/qemu/jetson-1/serial.sock'), { pty: { cols: 80, rows: 24 } });
    let otherOut = '';
    other.on('data', (d: Buffer) => { otherOut += d.toString(); });
    const otherClosed = new Promise<void>((r) => other.once('close', () => r()));
    try {
      await waitFor('the other client attached', async () => {
        other.write('echo other-$((2*3))\r');
        await new Promise((r) => setTimeout(r, 500));
        return /other-6/.test(otherOut) || undefined;
      }, 60_000);
      const ptys = await vscode.commands.executeCommand<RemoteTerminal[]>('vsim.openConsole', node('jetson-1'));
      const o = track(ptys[0]!, 'console: jetson-1 (vsim-hv1)');
      opened.push(o);
      await waitFor('busy', () => (o.pty.state === 'ended' && o.pty.lastEndKind === 'busy') || undefined, 30_000);
      assert.match(o.out(), /another console session is attached to jetson-1 on vsim-hv1/);
      assert.match(o.out(), /held by socat \(pid \d+, user root, up [0-9:]+, from .*sshd/);
      // One console per VM: opening it again shows the same terminal.
      const count = vscode.window.terminals.length;
      const again = await vscode.commands.executeCommand<RemoteTerminal[]>('vsim.openConsole', node('jetson-1'));
      assert.equal(again[0], o.pty);
      assert.equal(vscode.window.terminals.length, count);
      let asked: string[] = [];
      await vscode.commands.executeCommand('vsim.takeOverConsole', node('jetson-1'), { confirm: (c: { lines: string[] }) => { asked = c.lines; return true; } });
      assert.match(asked.join('\n'), /Held by socat \(pid \d+/);
      await waitFor('connected after the takeover', () => o.pty.state === 'connected' || undefined, 20_000);
      await otherClosed;
      await waitFor('mine', async () => {
        o.terminal.sendText('echo mine-$((4*4))\r', false);
        await new Promise((r) => setTimeout(r, 500));
        return /mine-16/.test(o.out()) || undefined;
      }, 30_000);
    } finally {
      other.close();
    }
  });

  it('Show Boot Log of compute (its console never opened here) shows its boot from the kernel banner', async () => {
    const docs = await vscode.commands.executeCommand<vscode.TextDocument[]>('vsim.showBootLog', node('compute'));
    assert.equal(docs.length, 1);
    const text = docs[0]!.getText();
    assert.match(text.split('\n')[0]!, /^# vsim: boot log of compute on vsim-hv1, the <log file> of compute's serial/);
    assert.match(text.split('\n')[1] ?? '', /Linux version \d|SeaBIOS|Booting/, 'the boot from its first line');
    assert.match(text, /vsim-guest compute ready/);
    await vscode.commands.executeCommand('workbench.action.closeActiveEditor');
  });

  it('Watch Boot Progress: edge.Gateway started with no console: phases with their times, then its SSH port answers through vsim-hv1', async () => {
    const vm = 'edge.Gateway';
    if ((await runner.exec(['virsh', '-c', URI, 'domstate', vm])).stdout.trim() === 'running') await runner.exec(['virsh', '-c', URI, 'destroy', vm]);
    try {
      await lab.lifecycle(vm, 'start');
      const [r] = await vscode.commands.executeCommand<{ outcome: string; marks: { phase: string; atMs: number }[]; message: string }[]>('vsim.watchBoot', node(vm), 'afterStart');
      assert.equal(r?.outcome, 'reachable', r?.message);
      assert.deepEqual(r.marks.map((m) => m.phase).filter((p) => p !== 'firmware'), ['started', 'kernel', 'init', 'ready', 'reachable']);
      assert.match(r.message, /\(SSH-2\.0-dropbear/);
      for (const m of r.marks) if (m.phase !== 'started') figure(`bootPhase_${m.phase}`, m.atMs);
    } finally {
      await runner.exec(['virsh', '-c', URI, 'destroy', vm]);
    }
  });

  it('two consoles at once each get their own output', async () => {
    const a = await open('vsim.openConsole', 'chassis');
    opened.push(a);
    const b = await open('vsim.openConsole', 'compute');
    opened.push(b);
    await Promise.all([run(a, 'uname -n', /\nchassis\r?\n/), run(b, 'uname -n', /\ncompute\r?\n/)]);
    assert.doesNotMatch(a.out(), /compute/);
    assert.doesNotMatch(b.out(), /chassis/);
  });

  it('SSH into VM: a login through the hypervisor as ProxyJump; the pty follows the terminal size', async () => {
    // The sandbox guests have no sshd; hv2's sshd (10.77.0.2, reachable only from hv1's namespace,
    // host key in the sandbox known_hosts) stands in as the guest to log into.
    const file = await writeWorkspaceFile('console-ssh.vsim.yaml', [
      'version: 1',
      'name: console-ssh',
      'hosts:',
      '  vsim-hv1: { sshConfigHost: vsim-hv1, kvm: false }',
      'networks:',
      '  hvlink: { host: vsim-hv1, subnet: 10.77.0.0/24 }',
      'vms:',
      '  login-target:',
      '    description: stand-in guest — hv2\'s sshd at 10.77.0.2 (the sandbox guests have no sshd).',
      '    host: vsim-hv1',
      '    backend: libvirt',
      '    accel: tcg',
      '    nics: [{ network: hvlink, ip: 10.77.0.2 }]',
      '',
    ].join('\n'));
    await waitFor('console-ssh lab loaded', () => api.labs.findAll('vms', 'login-target')[0], 15_000);
    const o = await open('vsim.sshIntoVm', 'login-target', 'console-ssh.vsim.yaml');
    opened.push(o);
    await run(o, 'echo vsim-$((6*7))', /vsim-42/);
    o.pty.setDimensions({ columns: 99, rows: 33 });
    await run(o, 'stty size', /33 99/);
    // `exit` closes the terminal.
    o.terminal.sendText('exit\r', false);
    await waitFor('ssh terminal closed after exit', () => (o.terminal.exitStatus !== undefined || o.pty.state === 'closed') || undefined, 10_000);
    // Leave the workspace as the other suites expect it.
    await vscode.workspace.fs.delete(file);
  });
});
