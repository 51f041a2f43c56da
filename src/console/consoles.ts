// The open console and SSH terminals of the window: one per VM and kind, reused (shown) when opened
// again, forgotten when their tab closes. Resolves a VM node into a ConsoleTarget: the backend's
// console command on the host's pooled SSH connection, or a login through the hypervisor.
import type { ClientChannel } from 'ssh2';
import * as vscode from 'vscode';
import type { BackendContext, BootLogSource, CommandRunner, VmBackend } from '../backends/backend';
import { Disposable } from '../common/lifecycle';
import { log } from '../common/log';
import { UNTRUSTED } from '../lab/lab';
import type { Backend } from '../model/types';
import type { SshConnection } from '../remote/connection';
import type { Connections } from '../workspace/connections';
import type { WorkspaceLabs } from '../workspace/workspaceLabs';
import type { VmNode } from '../tree/nodes';
import { consoleCommand, displayCommand, logCommand } from './consoleCommand';
import { RemoteTerminal, type ConsoleTarget, type Dims } from './remoteTerminal';
import type { SshPortProbe } from './bootWatch';
import { sshIdent } from './reachable';
import { vmAddress, vmEndpoint } from './vmEndpoint';
import { ConsoleTranscript, listTranscripts, type TranscriptFile } from './transcript';

export type TerminalKind = 'console' | 'ssh' | 'log';

interface Open {
  terminal: vscode.Terminal;
  pty: RemoteTerminal;
}

function linkError(c: SshConnection): string | undefined {
  if (c.state === 'ready') return undefined;
  return c.lastError?.message ?? `connection ${c.state}`;
}

const TAKE_OVER = 'Take Over…';
/** The command that asks and takes over (commands/console/takeOverConsole.ts): F and the notification's button run it. */
const TAKE_OVER_COMMAND = 'vsim.takeOverConsole';

export class Consoles extends Disposable {
  private readonly open = new Map<string, Open>();

  constructor(
    private readonly labs: WorkspaceLabs,
    private readonly connections: Connections,
    private readonly backends: () => Partial<Record<Backend, VmBackend>>,
    /** Where console transcripts are kept (the extension's global storage); none without it. */
    private readonly transcriptRoot?: string,
  ) {
    super();
    this._register(vscode.window.onDidCloseTerminal((t) => {
      for (const [k, o] of this.open) if (o.terminal === t) this.open.delete(k);
    }));
    this._register({ dispose: () => this.open.forEach((o) => o.pty.close()) });
  }

  /** The terminal name: `console: VM (HOST)` / `ssh: VM (HOST)` / `log: VM (HOST)`. */
  static terminalName(kind: TerminalKind, n: VmNode): string {
    return `${kind}: ${n.vm} (${n.host})`;
  }

  private static key(kind: TerminalKind, n: VmNode): string {
    return `${kind}:${n.uri.toString()}#${n.vm}${n.undeclared ? `?${n.host}` : ''}`;
  }

  /** The open terminal of this kind for the VM (one per VM and kind), if any. */
  find(kind: TerminalKind, n: VmNode): RemoteTerminal | undefined {
    const o = this.open.get(Consoles.key(kind, n));
    return o && o.terminal.exitStatus === undefined ? o.pty : undefined;
  }

  /** Shows the VM's open terminal of this kind (the terminal profile: no second console of a VM); false when there is none. */
  reveal(kind: TerminalKind, n: VmNode): boolean {
    const o = this.open.get(Consoles.key(kind, n));
    if (!o || o.terminal.exitStatus !== undefined) return false;
    o.terminal.show(false);
    return true;
  }

  /** Opens (or shows the existing) terminal of this kind for the VM; returns its pseudoterminal. */
  show(kind: TerminalKind, n: VmNode, preserveFocus = false, force = false): RemoteTerminal {
    const key = Consoles.key(kind, n);
    const existing = this.open.get(key);
    if (existing && existing.terminal.exitStatus === undefined) {
      existing.terminal.show(preserveFocus);
      if (existing.pty.state === 'ended') void existing.pty.reconnect();
      return existing.pty;
    }
    const pty = this.create(kind, n, force);
    const terminal = vscode.window.createTerminal({ name: Consoles.terminalName(kind, n), pty, iconPath: new vscode.ThemeIcon(kind === 'ssh' ? 'remote' : kind === 'log' ? 'output' : 'terminal') });
    this.open.set(key, { terminal, pty });
    terminal.show(preserveFocus);
    return pty;
  }

  /** A pseudoterminal for the VM without a terminal (the terminal profile provider makes the terminal). */
  create(kind: TerminalKind, n: VmNode, force = false): RemoteTerminal {
    const pty: RemoteTerminal = new RemoteTerminal(kind === 'ssh' ? this.sshTarget(n) : this.consoleTarget(n, kind === 'log', () => pty), force);
    return pty;
  }

  /** The VM's local console transcripts, newest first (none when transcripts are not kept). */
  transcripts(n: VmNode): Promise<TranscriptFile[]> {
    return this.transcriptRoot ? listTranscripts(this.transcriptRoot, n.host, n.vm) : Promise.resolve([]);
  }

  /** A new transcript for one console terminal (its output from open to close). */
  private transcriptFor(n: VmNode): ConsoleTranscript | undefined {
    if (!this.transcriptRoot) return undefined;
    return new ConsoleTranscript({
      root: this.transcriptRoot,
      host: n.host,
      vm: n.vm,
      onError: (e) => log().warn(`console transcript of ${n.vm} on ${n.host} stopped: ${e.message}`),
    });
  }

  /** The VM's boot log on its host (the backend's bootLog) and the runner to read it with. */
  async bootLog(n: VmNode): Promise<{ source: BootLogSource; run: CommandRunner }> {
    const { topology, vm, backend, hostName, host } = this.resolve(n);
    if (!backend?.bootLog) throw new Error(`No boot log for backend ${String(vm?.backend ?? backend?.kind)} (VM ${n.vm} on ${n.host}): its host keeps none; the console shows what it prints from now on.`);
    const run = await this.connections.runnerFor(hostName, host, topology);
    return { source: backend.bootLog({ hostName, host, topology, run }, n.vm), run };
  }

  /**
   * The VM's SSH port as its host reaches it (the topology's address, port 22) and one try at its
   * identification line through the host's pooled connection; undefined when the VM has no address.
   */
  async sshPort(n: VmNode): Promise<SshPortProbe | undefined> {
    const { topology, hostName, host } = this.resolve(n);
    const ip = vmAddress(topology, n.vm);
    if (!ip) return undefined;
    const hv = await this.connections.endpoint(hostName, host, topology);
    const connection = this.connections.pool.get(hv).connection;
    return { where: `${ip}:22 through ${hv.alias}`, probe: (timeoutMs) => sshIdent(() => connection.forward(ip, 22), timeoutMs) };
  }

  /** Who holds a busy console, as its backend reports (libvirt: the host's virsh console processes). */
  private async holders(n: VmNode): Promise<string[]> {
    const { topology, backend, hostName, host } = this.resolve(n);
    if (!backend?.consoleHolders) return [];
    const run = await this.connections.runnerFor(hostName, host, topology);
    return backend.consoleHolders({ hostName, host, topology, run }, n.vm);
  }

  private resolve(n: VmNode) {
    if (!vscode.workspace.isTrusted) throw new Error(UNTRUSTED);
    const lab = this.labs.get(n.uri)?.lab;
    if (!lab) throw new Error(`${vscode.workspace.asRelativePath(n.uri)} has errors; fix them before opening a console.`);
    if (n.undeclared) {
      const ref = lab.vmRef(n.vm, n.host);
      return { ...lab.hostTarget(ref.host), vm: undefined, backend: ref.backend };
    }
    const vm = lab.current.vms?.[n.vm];
    if (!vm) throw new Error(`No VM named ${n.vm} in ${vscode.workspace.asRelativePath(n.uri)}.`);
    return { ...lab.hostTarget(vm.host), vm, backend: this.backends()[vm.backend] };
  }

  /** The serial console, or (`log`) the backend's followed log, on the host's pooled connection. */
  private consoleTarget(n: VmNode, followLog: boolean, pty: () => RemoteTerminal): ConsoleTarget {
    let connection: SshConnection | undefined;
    const transcript = followLog ? undefined : this.transcriptFor(n);
    return {
      vm: n.vm,
      host: n.host,
      ...(transcript ? { transcript } : {}),
      linkError: () => (connection ? linkError(connection) : undefined),
      holders: () => this.holders(n),
      requestTakeOver: () => void vscode.commands.executeCommand(TAKE_OVER_COMMAND, n),
      onBusy: (holders) => {
        const by = holders.length ? holders.join('; ') : 'another client';
        void vscode.window.showInformationMessage(`The console of ${n.vm} on ${n.host} is held by ${by}.`, TAKE_OVER).then((choice) => {
          if (choice === TAKE_OVER && pty().state !== 'closed') void vscode.commands.executeCommand(TAKE_OVER_COMMAND, n);
        });
      },
      prepare: async (force) => {
        const { topology, vm, backend, hostName, host } = this.resolve(n);
        const run = await this.connections.runnerFor(hostName, host, topology);
        const ctx: BackendContext = { hostName, host, topology, run };
        const { argv, ...behaviour } = followLog ? logCommand(ctx, n.vm, vm, backend) : consoleCommand(ctx, n.vm, vm, backend, force);
        const pooled = this.connections.pool.get(await this.connections.endpoint(hostName, host, topology));
        connection = pooled.connection;
        return {
          ...behaviour,
          command: displayCommand(argv),
          open: (dims: Dims) => pooled.shell.stream(argv, behaviour.pty ? { pty: { cols: dims.cols, rows: dims.rows } } : {}),
        };
      },
    };
  }

  private sshTarget(n: VmNode): ConsoleTarget {
    let connection: SshConnection | undefined;
    return {
      vm: n.vm,
      host: n.host,
      closeOnCleanExit: true,
      linkError: () => (connection ? linkError(connection) : undefined),
      prepare: async () => {
        const { topology, hostName, host } = this.resolve(n);
        const ip = vmAddress(topology, n.vm);
        if (!ip) throw new Error(`VM ${n.vm} has no IP address in the topology (nics[].ip or its slot's ip): nothing to SSH into.`);
        const hv = await this.connections.endpoint(hostName, host, topology);
        const ep = vmEndpoint(hv, n.vm, ip);
        const pooled = this.connections.pool.get(ep);
        connection = pooled.connection;
        return {
          command: `ssh ${ep.user}@${ip} (ProxyJump ${hv.user}@${hv.alias})`,
          pty: true,
          canForce: false,
          readOnly: false,
          open: async (dims: Dims) => {
            const client = await pooled.connection.client();
            const release = pooled.connection.hold();
            return new Promise<ClientChannel>((resolve, reject) => {
              client.shell({ cols: dims.cols, rows: dims.rows, term: 'xterm-256color' }, (err, ch) => {
                if (err) {
                  release();
                  reject(new Error(`cannot open a login shell on ${ip}: ${err.message}`));
                  return;
                }
                ch.once('close', release);
                resolve(ch);
              });
            });
          },
        };
      },
    };
  }
}
