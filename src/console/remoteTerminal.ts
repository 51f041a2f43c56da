// A VM console (or an SSH login) as a VS Code terminal: one instance per terminal with its own
// emitters. open(dims) connects with a remote pty of those dims, setDimensions resizes it,
// handleInput writes, close() detaches (never stops the VM) and is safe twice. When the session
// ends on its own (failure, dropped link, taken over, detached) the tab stays open with the reason
// and keys to reconnect (R/Enter), take over (F, asked first) or close (Q). A busy console names
// who holds it. Output reaches the terminal through a pacer (bounded memory, paused channel).
import * as vscode from 'vscode';
import { classifyEnd, connectedMessage, connectFailedMessage, connectingMessage, endMessage, holdersIn, type EndInfo, type EndKind, type MessageContext } from './failure';
import { keyAction } from './keys';
import { OutputPacer } from './pacer';
import { ConsoleSession, type ConsoleChannel } from './session';

export interface Dims {
  cols: number;
  rows: number;
}

/** How the program on the other end of a console behaves. */
export interface ConsoleBehaviour {
  pty: boolean;
  /** Bytes that detach the console program cleanly before the channel closes (virsh: Ctrl-]). */
  detach?: string;
  /** The user-facing name of the detach key, for the hint line. */
  detachHint?: string;
  /** libvirt: a busy console can be taken over with --force. */
  canForce: boolean;
  /** Read-only console (journal): input is not sent. */
  readOnly: boolean;
  /** A startup line that says the program is attached: input typed before it is held back. */
  readyLine?: RegExp;
}

/** What one connect attempt runs: resolved fresh each time (the VM may have moved, force changes argv). */
export interface PreparedConsole extends ConsoleBehaviour {
  /** The remote command as shown in messages. */
  command: string;
  open(dims: Dims): Promise<ConsoleChannel>;
}

export interface ConsoleTarget {
  vm: string;
  host: string;
  prepare(force: boolean): Promise<PreparedConsole>;
  /** Why the host link is down, or undefined when it is up. */
  linkError(): string | undefined;
  /** A clean exit closes the terminal (an SSH login's `exit`); consoles stay open with "detached". */
  closeOnCleanExit?: boolean;
  /** Who holds a busy console where the console program does not say (the backend's consoleHolders). */
  holders?(): Promise<string[]>;
  /** F pressed on a busy console: the owner asks and calls takeOver() (absent: F takes over at once). */
  requestTakeOver?(): void;
  /** The console was busy: the owner may offer "Take Over" outside the terminal. */
  onBusy?(holders: readonly string[]): void;
  /** Where the guest's output is also kept while the terminal is open (console/transcript.ts). */
  transcript?: TranscriptSink;
}

/** The local transcript of a terminal: fed what the guest prints, never blocking (ConsoleTranscript). */
export interface TranscriptSink {
  write(text: string): void;
  note(text: string): void;
  close(): Promise<void>;
}

/** Said once when the guest prints bytes that are not UTF-8. */
export function junkNotice(vm: string, host: string): string {
  return `\r\n\x1b[33mvsim: ${vm} on ${host} printed bytes that are not UTF-8 text (shown as \uFFFD): a binary dump, or a serial speed the guest does not use.\x1b[0m\r\n`;
}

export type TerminalState = 'new' | 'connecting' | 'connected' | 'ended' | 'closed';

const DEFAULT_DIMS: Dims = { cols: 80, rows: 24 };
const MAX_PENDING_INPUT = 4096;

export class RemoteTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  private readonly stateEmitter = new vscode.EventEmitter<TerminalState>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  /** For tests and the manager: connecting → connected → ended (→ connecting …) → closed. */
  readonly onDidChangeState = this.stateEmitter.event;

  private _state: TerminalState = 'new';
  private dims: Dims = DEFAULT_DIMS;
  private session: ConsoleSession | undefined;
  private prepared: PreparedConsole | undefined;
  private pendingInput = '';
  private lastEnd: EndKind | undefined;
  private attempt = 0;
  private pacer: OutputPacer | undefined;
  private busyHolders: string[] = [];

  /** `forceFirst`: the first connect takes the console over (a takeover asked for before the terminal existed). */
  constructor(readonly target: ConsoleTarget, private readonly forceFirst = false) {}

  get state(): TerminalState {
    return this._state;
  }

  /** How the last session ended (undefined while none has). */
  get lastEndKind(): EndKind | undefined {
    return this.lastEnd;
  }

  /** Who held the console when it was last busy. */
  get holders(): readonly string[] {
    return this.busyHolders;
  }

  /** Characters waiting for the terminal (the pacer's queue). */
  get pendingOutput(): number {
    return this.pacer?.pending ?? 0;
  }

  /** The current remote pty size. */
  get dimensions(): Dims {
    return this.dims;
  }

  open(initialDimensions: vscode.TerminalDimensions | undefined): void {
    if (initialDimensions) this.dims = { cols: initialDimensions.columns, rows: initialDimensions.rows };
    void this.connect(this.forceFirst);
  }

  setDimensions(d: vscode.TerminalDimensions): void {
    this.dims = { cols: d.columns, rows: d.rows };
    this.session?.resize(this.dims.cols, this.dims.rows);
  }

  handleInput(data: string): void {
    switch (this._state) {
      case 'connected':
        if (this.prepared?.readOnly) {
          if (keyAction(data, false) === 'close') this.closeTab();
          return;
        }
        this.session?.write(data);
        return;
      case 'connecting':
      case 'new':
        if (this.pendingInput.length < MAX_PENDING_INPUT) this.pendingInput += data;
        return;
      case 'ended':
        switch (keyAction(data, this.prepared?.canForce === true && (this.lastEnd === 'busy' || this.lastEnd === 'taken-over' || this.lastEnd === 'failed'))) {
          case 'reconnect': void this.connect(false); return;
          case 'force':
            if (this.target.requestTakeOver) this.target.requestTakeOver();
            else void this.takeOver();
            return;
          case 'close': this.closeTab(); return;
          case 'none': return;
        }
        return;
      case 'closed':
        return;
    }
  }

  /** Detaches and releases everything; safe to call twice (VS Code calls it when the tab closes). */
  close(): void {
    if (this._state === 'closed') return;
    this.setState('closed');
    this.session?.close();
    this.session = undefined;
    this.pacer?.dispose();
    void this.target.transcript?.close();
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
    this.stateEmitter.dispose();
  }

  /** Closes the tab from our side (Q, or `exit` of an SSH login), then releases like close(). */
  private closeTab(): void {
    if (this._state === 'closed') return;
    this.closeEmitter.fire();
    this.close();
  }

  /** Takes the console over from whoever holds it (the caller asked the user); false when it cannot be forced. */
  async takeOver(): Promise<boolean> {
    if (this._state === 'closed' || this.prepared?.canForce === false) return false;
    // A plain attempt still connecting (R pressed) is abandoned: the forced one replaces it.
    if (this._state === 'connecting') {
      this.attempt++;
      this.setState('ended');
    }
    await this.reconnect(true);
    return true;
  }

  /** Reconnects now (a command or a test; the same as pressing R). */
  reconnect(force = false): Promise<void> {
    if (this._state === 'connecting' || this._state === 'closed') return Promise.resolve();
    const old = this.session;
    this.session = undefined;
    old?.close();
    return this.connect(force);
  }

  private setState(s: TerminalState): void {
    this._state = s;
    this.stateEmitter.fire(s);
  }

  private write(s: string): void {
    if (this._state !== 'closed') this.writeEmitter.fire(s);
  }

  private context(p: PreparedConsole | undefined): MessageContext {
    return { vm: this.target.vm, host: this.target.host, command: p?.command ?? '(console)', canForce: p?.canForce ?? false };
  }

  /** A newer attempt started, or the terminal closed, while this one was awaiting. */
  private stale(attempt: number): boolean {
    return this._state !== 'connecting' || attempt !== this.attempt;
  }

  private async connect(force: boolean): Promise<void> {
    if (this._state === 'closed' || this._state === 'connecting') return;
    const attempt = ++this.attempt;
    this.setState('connecting');
    let prepared: PreparedConsole | undefined;
    let channel: ConsoleChannel;
    try {
      prepared = await this.target.prepare(force);
      if (this.stale(attempt)) return;
      this.prepared = prepared;
      this.write(connectingMessage(this.context(prepared), force));
      channel = await prepared.open(this.dims);
    } catch (err) {
      if (this.stale(attempt)) return;
      this.write(connectFailedMessage(err, this.context(prepared)));
      this.lastEnd = 'failed';
      this.setState('ended');
      return;
    }
    if (this.stale(attempt)) {
      // Closed while the channel was opening: detach at once.
      new ConsoleSession(channel, { pty: prepared.pty, ...(prepared.detach ? { detach: prepared.detach } : {}) }).close();
      return;
    }
    const session = new ConsoleSession(channel, {
      pty: prepared.pty,
      ...(prepared.detach ? { detach: prepared.detach } : {}),
      ...(prepared.readyLine ? { readyLine: prepared.readyLine } : {}),
    });
    this.session = session;
    this.pacer?.dispose();
    const pacer = new OutputPacer((s) => this.write(s), session);
    this.pacer = pacer;
    const transcript = this.target.transcript;
    session.onData(transcript ? (s) => { pacer.push(s); transcript.write(s); } : (s) => pacer.push(s));
    session.onJunk(() => pacer.push(junkNotice(this.target.vm, this.target.host)));
    session.onEnd((e) => {
      // Let the connection notice a drop first (its close event follows the channel's).
      setImmediate(() => void this.ended(session, prepared, e));
    });
    // Connected once the program is attached (virsh: after its banner); input typed meanwhile waits.
    if (session.ready) this.attached(session, prepared);
    else session.onReady(() => this.attached(session, prepared));
  }

  private attached(session: ConsoleSession, prepared: PreparedConsole): void {
    if (this.session !== session || this._state !== 'connecting') return;
    this.write(connectedMessage(this.context(prepared), prepared.detachHint));
    this.target.transcript?.note(`attached ${new Date().toString()} (${prepared.command})`);
    this.setState('connected');
    const pending = this.pendingInput;
    this.pendingInput = '';
    if (pending && !prepared.readOnly) session.write(pending);
  }

  private async ended(session: ConsoleSession, prepared: PreparedConsole, e: EndInfo): Promise<void> {
    if (this.session !== session || this._state === 'closed') return;
    this.session = undefined;
    this.pacer?.flush();
    const linkLost = this.target.linkError();
    let info: EndInfo = linkLost !== undefined ? { ...e, linkLost } : e;
    const kind = classifyEnd(info);
    if (kind === 'busy') {
      let holders = holdersIn(`${e.tail}\n${e.stderr}`);
      if (!holders.length && this.target.holders) holders = await this.target.holders().catch(() => []);
      if (this.session || (this._state as TerminalState) === 'closed') return; // reconnected or closed meanwhile
      this.busyHolders = holders;
      info = { ...info, holders };
    }
    this.lastEnd = kind;
    if (kind === 'detached' && this.target.closeOnCleanExit) {
      this.setState('ended');
      this.closeTab();
      return;
    }
    this.write(endMessage(kind, info, this.context(prepared)));
    this.target.transcript?.note(`console ${kind} ${new Date().toString()}`);
    this.setState('ended');
    if (kind === 'busy') this.target.onBusy?.(this.busyHolders);
  }
}
