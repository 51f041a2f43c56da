// One pooled connection (and one control shell) per host alias. A changed endpoint for the same alias
// (config edited) replaces the old connection. Counts handshakes per alias, hops included.
import os from 'node:os';
import { ControlShell } from './controlShell';
import { SshConnection, type ReconnectPolicy, type StateChange, type Timers } from './connection';
import { dialChain, type DialedChain } from './dial';
import { Emitter, type Disposable, type Event } from './events';
import type { HostKeyPolicy } from './hostKeyPolicy';
import { IdentityStore, type AskPassphrase, type SavedPassphrases } from './identities';
import { nullLog, type CommandLog } from './log';
import type { HostEndpoint } from './sshConfig';

export interface PoolOptions {
  hostKeys: HostKeyPolicy;
  askPassphrase: AskPassphrase;
  /** Passphrases kept between sessions (offered after a successful unlock only). */
  savedPassphrases?: SavedPassphrases;
  log?: CommandLog;
  timers?: Timers;
  /** Idle close after this long unused; default 10 minutes; 0 = never. */
  idleMs?: number;
  reconnect?: Partial<ReconnectPolicy>;
  readyTimeoutMs?: number;
  keepaliveIntervalMs?: number;
  /** Default $SSH_AUTH_SOCK. */
  agentSocket?: string;
  /** Home for the default identity files; default os.homedir(). */
  home?: string;
  /** Default timeout of control-shell commands. */
  commandTimeoutMs?: number;
  /** Bound of one command's output (default MAX_OUTPUT_BYTES, 64 MiB). */
  maxOutputBytes?: number;
  /** Commands in flight at once per host (default MAX_CONCURRENT, 8). */
  maxConcurrentCommands?: number;
  /** Test seam: replaces the ssh2 dialer. */
  dial?: (endpoint: HostEndpoint) => Promise<DialedChain>;
}

export interface PooledHost {
  readonly endpoint: HostEndpoint;
  readonly connection: SshConnection;
  readonly shell: ControlShell;
}

export interface PoolStateChange extends StateChange {
  alias: string;
}

export class SshPool implements Disposable {
  private readonly hosts = new Map<string, { key: string; host: PooledHost; sub: Disposable }>();
  private readonly handshakeCounts = new Map<string, number>();
  private readonly stateEmitter = new Emitter<PoolStateChange>();
  readonly onDidChangeState: Event<PoolStateChange> = this.stateEmitter.event;
  readonly identities: IdentityStore;
  private readonly log: CommandLog;

  constructor(private readonly opts: PoolOptions) {
    this.identities = new IdentityStore(opts.askPassphrase, opts.savedPassphrases);
    this.log = opts.log ?? nullLog;
  }

  /** The pooled host for this endpoint (created on first use; nothing connects until a command runs). */
  get(endpoint: HostEndpoint): PooledHost {
    const key = JSON.stringify(endpoint);
    const existing = this.hosts.get(endpoint.alias);
    if (existing && existing.key === key) return existing.host;
    if (existing) this.remove(endpoint.alias);
    const connection = new SshConnection(endpoint, {
      dial: this.opts.dial ?? ((ep) => dialChain(ep, {
        hostKeys: this.opts.hostKeys,
        identities: this.identities,
        ...(this.opts.agentSocket !== undefined ? { agentSocket: this.opts.agentSocket } : {}),
        home: this.opts.home ?? os.homedir(),
        readyTimeoutMs: this.opts.readyTimeoutMs ?? 20_000,
        keepaliveIntervalMs: this.opts.keepaliveIntervalMs ?? 15_000,
        onHandshake: (hop) => this.countHandshake(hop.alias),
      })),
      log: this.log,
      ...(this.opts.timers ? { timers: this.opts.timers } : {}),
      ...(this.opts.idleMs !== undefined ? { idleMs: this.opts.idleMs } : {}),
      ...(this.opts.reconnect ? { reconnect: this.opts.reconnect } : {}),
    });
    const shell = new ControlShell(connection, {
      log: this.log,
      ...(this.opts.commandTimeoutMs !== undefined ? { defaultTimeoutMs: this.opts.commandTimeoutMs } : {}),
      ...(this.opts.maxOutputBytes !== undefined ? { maxOutputBytes: this.opts.maxOutputBytes } : {}),
      ...(this.opts.maxConcurrentCommands !== undefined ? { maxConcurrent: this.opts.maxConcurrentCommands } : {}),
    });
    const sub = connection.onDidChangeState((c) => this.stateEmitter.fire({ ...c, alias: endpoint.alias }));
    const host: PooledHost = { endpoint, connection, shell };
    this.hosts.set(endpoint.alias, { key, host, sub });
    return host;
  }

  find(alias: string): PooledHost | undefined {
    return this.hosts.get(alias)?.host;
  }

  /** SSH handshakes completed for this alias in this session (jump hops count under their own alias). */
  handshakes(alias: string): number {
    return this.handshakeCounts.get(alias) ?? 0;
  }

  /** Remote commands started in this session, on every pooled host or on `alias`: the idle check and the round-trip count read it. */
  commandCount(alias?: string): number {
    let n = 0;
    for (const [a, { host }] of this.hosts) if (alias === undefined || a === alias) n += host.shell.stats.commandsStarted;
    return n;
  }

  /** Closes the host's connection and control shells; the next use of the host starts afresh (a disposed shell never runs again). */
  disconnect(alias: string): void {
    this.remove(alias);
  }

  remove(alias: string): void {
    const e = this.hosts.get(alias);
    if (!e) return;
    this.hosts.delete(alias);
    e.host.shell.dispose();
    e.host.connection.dispose();
    e.sub.dispose();
  }

  dispose(): void {
    for (const alias of [...this.hosts.keys()]) this.remove(alias);
    this.stateEmitter.dispose();
    this.identities.forget();
  }

  private countHandshake(alias: string): void {
    this.handshakeCounts.set(alias, (this.handshakeCounts.get(alias) ?? 0) + 1);
  }
}
