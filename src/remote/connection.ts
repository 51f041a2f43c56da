// One SSH connection to one endpoint (through its jump hops), reused for every channel: connects on
// first use, reconnects with exponential backoff when it drops, closes itself when idle. Timers and
// the dialer are injected so the state machine is tested without sleeps or a server.
import type { Client, ClientChannel, PseudoTtyOptions } from 'ssh2';
import { Emitter, type Disposable, type Event } from './events';
import { endpointLabel } from './hostKeyPolicy';
import type { DialedChain } from './dial';
import type { CommandLog } from './log';
import { nullLog } from './log';
import type { HostEndpoint } from './sshConfig';

export type ConnectionState = 'disconnected' | 'connecting' | 'ready' | 'reconnecting' | 'closed';

export interface StateChange {
  state: ConnectionState;
  /** Why: the error of a failed attempt or a drop. */
  error?: Error;
  /** Reconnect attempt number (1-based) while reconnecting. */
  attempt?: number;
}

export interface Timers {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref(); // never keep a CLI or test process alive for an idle or backoff timer
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

export interface ReconnectPolicy {
  baseMs: number;
  maxMs: number;
  /** Give up after this many failed attempts in a row (state → disconnected); the next use tries again. */
  maxAttempts: number;
}

export interface ConnectionOptions {
  /** Opens the chain (dial.ts's dialChain bound to its deps). */
  dial(endpoint: HostEndpoint): Promise<DialedChain>;
  log?: CommandLog;
  timers?: Timers;
  /** Close after this long with no channel in use; 0 = never. Default 10 minutes. */
  idleMs?: number;
  reconnect?: Partial<ReconnectPolicy>;
}

const DEFAULT_RECONNECT: ReconnectPolicy = { baseMs: 500, maxMs: 30_000, maxAttempts: 8 };

export function backoffDelay(attempt: number, p: ReconnectPolicy): number {
  return Math.min(p.maxMs, p.baseMs * 2 ** Math.max(0, attempt - 1));
}

export class SshConnection implements Disposable {
  private readonly stateEmitter = new Emitter<StateChange>();
  readonly onDidChangeState: Event<StateChange> = this.stateEmitter.event;

  private _state: ConnectionState = 'disconnected';
  private chain: DialedChain | undefined;
  private connecting: Promise<Client> | undefined;
  private reconnectTimer: unknown;
  private idleTimer: unknown;
  private attempt = 0;
  private busy = 0;
  private lastUsed: number;
  private readonly timers: Timers;
  private readonly log: CommandLog;
  private readonly policy: ReconnectPolicy;
  private readonly idleMs: number;
  /** Completed handshakes of this endpoint (the target, not its hops). */
  handshakes = 0;
  lastError: Error | undefined;

  constructor(readonly endpoint: HostEndpoint, private readonly opts: ConnectionOptions) {
    this.timers = opts.timers ?? realTimers;
    this.log = opts.log ?? nullLog;
    this.policy = { ...DEFAULT_RECONNECT, ...opts.reconnect };
    this.idleMs = opts.idleMs ?? 10 * 60_000;
    this.lastUsed = this.timers.now();
  }

  get state(): ConnectionState {
    return this._state;
  }

  get label(): string {
    return endpointLabel(this.endpoint);
  }

  /** The ready client; connects (or reconnects at once, skipping a pending backoff) if needed. */
  client(): Promise<Client> {
    if (this._state === 'closed') return Promise.reject(new Error(`Connection to ${this.label} is closed`));
    if (this.chain && this._state === 'ready') return Promise.resolve(this.chain.client);
    if (this.connecting) return this.connecting;
    this.cancelReconnect();
    return this.connectNow(false);
  }

  /** Marks the connection in use until the returned function is called (idle close waits for it). */
  hold(): () => void {
    this.busy++;
    this.touch();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.busy--;
      this.touch();
    };
  }

  /** Opens an exec channel; the connection counts as busy until the channel closes. */
  async exec(command: string, opts: { pty?: PseudoTtyOptions | true; holdsConnection?: boolean } = {}): Promise<ClientChannel> {
    const client = await this.client();
    const release = opts.holdsConnection === false ? () => undefined : this.hold();
    this.touch();
    return new Promise((resolve, reject) => {
      const cb = (err: Error | undefined, ch: ClientChannel) => {
        if (err) {
          release();
          reject(new Error(`Cannot open a channel on ${this.label}: ${err.message}`));
          return;
        }
        ch.once('close', release);
        resolve(ch);
      };
      try {
        if (opts.pty) client.exec(command, { pty: opts.pty }, cb);
        else client.exec(command, cb);
      } catch (err) {
        release();
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  /** Opens a direct-tcpip channel from this host to `host:port` (what ProxyJump does); busy until it closes. */
  async forward(host: string, port: number): Promise<ClientChannel> {
    const client = await this.client();
    const release = this.hold();
    return new Promise((resolve, reject) => {
      client.forwardOut('127.0.0.1', 0, host, port, (err, ch) => {
        if (err) {
          release();
          reject(new Error(`${this.label} cannot reach ${host}:${port}: ${err.message}`));
          return;
        }
        ch.once('close', release);
        resolve(ch);
      });
    });
  }

  /** Closes now; the next use connects again. */
  disconnect(): void {
    this.cancelReconnect();
    this.clearIdle();
    this.teardown();
    this.attempt = 0;
    if (this._state !== 'closed') this.setState({ state: 'disconnected' });
  }

  dispose(): void {
    this.disconnect();
    this.setState({ state: 'closed' });
    this.stateEmitter.dispose();
  }

  private connectNow(isReconnect: boolean): Promise<Client> {
    this.setState(isReconnect ? { state: 'reconnecting', attempt: this.attempt } : { state: 'connecting' });
    const p = this.opts.dial(this.endpoint).then(
      (chain) => {
        this.connecting = undefined;
        if (this._state === 'closed') {
          chain.end();
          throw new Error(`Connection to ${this.label} is closed`);
        }
        this.chain = chain;
        this.handshakes++;
        this.attempt = 0;
        this.lastError = undefined;
        chain.client.on('close', () => this.onDrop(chain));
        chain.client.on('error', (err: Error) => { this.lastError = err; });
        this.setState({ state: 'ready' });
        this.log.info(this.endpoint.alias, `connected to ${this.label}`);
        this.touch();
        return chain.client;
      },
      (err: Error) => {
        this.connecting = undefined;
        this.lastError = err;
        if (isReconnect && this._state !== 'closed') this.scheduleReconnect(err);
        else if (this._state !== 'closed') this.setState({ state: 'disconnected', error: err });
        throw err;
      },
    );
    this.connecting = p;
    return p;
  }

  private onDrop(chain: DialedChain): void {
    if (this.chain !== chain) return; // a chain we closed ourselves
    this.chain = undefined;
    chain.end();
    const err = new Error(`Connection to ${this.label} was lost${this.lastError ? `: ${this.lastError.message}` : ''}`);
    this.lastError = err;
    this.log.info(this.endpoint.alias, err.message);
    this.attempt = 0;
    this.scheduleReconnect(err);
  }

  private scheduleReconnect(err: Error): void {
    this.attempt++;
    if (this.attempt > this.policy.maxAttempts) {
      this.attempt = 0;
      this.setState({ state: 'disconnected', error: err });
      return;
    }
    const delay = backoffDelay(this.attempt, this.policy);
    this.setState({ state: 'reconnecting', error: err, attempt: this.attempt });
    // The first attempt says the connection is being re-established; the next ones repeat it.
    this.log.info(this.endpoint.alias, `reconnecting in ${delay} ms (attempt ${this.attempt})`, this.attempt > 1 ? 'debug' : 'info');
    this.reconnectTimer = this.timers.setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connectNow(true).catch(() => undefined);
    }, delay);
  }

  private cancelReconnect(): void {
    if (this.reconnectTimer !== undefined) {
      this.timers.clearTimeout(this.reconnectTimer);
      this.reconnectTimer = undefined;
    }
  }

  private touch(): void {
    this.lastUsed = this.timers.now();
    this.clearIdle();
    if (this.idleMs > 0 && this.busy === 0 && this.chain) {
      this.idleTimer = this.timers.setTimeout(() => this.onIdle(), this.idleMs);
    }
  }

  private clearIdle(): void {
    if (this.idleTimer !== undefined) {
      this.timers.clearTimeout(this.idleTimer);
      this.idleTimer = undefined;
    }
  }

  private onIdle(): void {
    this.idleTimer = undefined;
    if (this.busy > 0 || !this.chain) return;
    if (this.timers.now() - this.lastUsed < this.idleMs) {
      this.touch();
      return;
    }
    this.log.info(this.endpoint.alias, `closing idle connection to ${this.label}`);
    this.teardown();
    this.setState({ state: 'disconnected' });
  }

  private teardown(): void {
    const chain = this.chain;
    this.chain = undefined;
    chain?.end();
  }

  private setState(change: StateChange): void {
    this._state = change.state;
    this.stateEmitter.fire(change);
  }
}
