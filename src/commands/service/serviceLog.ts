// "Show Log" of a host's unit as a read-only terminal `journal: UNIT (HOST)`: the last N lines,
// then what the journal gets, followed (src/health/journal.ts). Closing the tab (or Q) stops it
// and the remote journalctl with it; an ended follow can be started again with R or Enter.
import * as vscode from 'vscode';
import type { CommandRunner } from '../../backends/backend';
import { JournalFollow } from '../../health/journal';
import { buildCommand } from '../../remote/quote';

const DIM = '\x1b[2m';
const RESET = '\x1b[0m';

export interface ServiceLogSource {
  unit: string;
  host: string;
  argv: string[];
  runner(): Promise<CommandRunner>;
}

export class ServiceLogTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<void>();
  private readonly stateEmitter = new vscode.EventEmitter<'following' | 'ended' | 'closed'>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  /** For tests: following → ended (→ following …) → closed. */
  readonly onDidChangeState = this.stateEmitter.event;
  private follow: JournalFollow | undefined;
  private closed = false;
  state: 'new' | 'following' | 'ended' | 'closed' = 'new';

  constructor(readonly source: ServiceLogSource) {}

  /** The follow now (tests read its kept lines and the remote argv). */
  get current(): JournalFollow | undefined {
    return this.follow;
  }

  open(): void {
    void this.start();
  }

  private setState(s: 'following' | 'ended' | 'closed'): void {
    this.state = s;
    this.stateEmitter.fire(s);
  }

  private write(s: string): void {
    if (!this.closed) this.writeEmitter.fire(s);
  }

  /** Starts following (again). */
  async start(): Promise<void> {
    if (this.closed || this.state === 'following') return;
    const { host, argv } = this.source;
    this.write(`${DIM}vsim: ${buildCommand(argv)} on ${host} (read-only; close this tab or press Q to stop it)${RESET}\r\n`);
    this.setState('following');
    let run: CommandRunner;
    try {
      run = await this.source.runner();
    } catch (err) {
      this.ended(-1, (err as Error).message);
      return;
    }
    if (this.closed) return;
    const f = new JournalFollow(run, argv, {
      onLines: (lines) => this.write(`${lines.join('\r\n')}\r\n`),
      onEnd: (code, stderr) => { if (this.follow === f) this.ended(code, stderr); },
    });
    this.follow = f;
    void f.done;
  }

  private ended(code: number, stderr: string): void {
    this.follow = undefined;
    if (this.closed) return;
    const why = stderr ? `: ${stderr.split('\n').slice(-3).join(' / ')}` : '';
    this.write(`${DIM}vsim: the journal of ${this.source.unit} on ${this.source.host} ended (exit ${code})${why}.${RESET}\r\n`
      + 'Press R or Enter to follow it again, Q to close this terminal.\r\n');
    this.setState('ended');
  }

  handleInput(data: string): void {
    const k = data.toLowerCase();
    if (k === 'q') {
      this.closeEmitter.fire();
      this.close();
    } else if (this.state === 'ended' && (k === 'r' || k === '\r')) void this.start();
  }

  /** Stops the follow (the remote journalctl ends with its channel); safe twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.follow?.dispose();
    this.follow = undefined;
    this.setState('closed');
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
    this.stateEmitter.dispose();
  }
}

/** The open journal terminals of the window, one per host and unit, shown again when asked twice. */
export class ServiceLogs implements vscode.Disposable {
  private readonly open = new Map<string, { terminal: vscode.Terminal; pty: ServiceLogTerminal }>();
  private readonly sub = vscode.window.onDidCloseTerminal((t) => {
    for (const [k, o] of this.open) if (o.terminal === t) this.open.delete(k);
  });

  static terminalName(unit: string, host: string): string {
    return `journal: ${unit.replace(/\.service$/, '')} (${host})`;
  }

  show(key: string, source: ServiceLogSource, preserveFocus = false): ServiceLogTerminal {
    const existing = this.open.get(key);
    if (existing && existing.terminal.exitStatus === undefined && existing.pty.state !== 'closed') {
      existing.terminal.show(preserveFocus);
      if (existing.pty.state === 'ended') void existing.pty.start();
      return existing.pty;
    }
    const pty = new ServiceLogTerminal(source);
    const terminal = vscode.window.createTerminal({ name: ServiceLogs.terminalName(source.unit, source.host), pty, iconPath: new vscode.ThemeIcon('output') });
    this.open.set(key, { terminal, pty });
    terminal.show(preserveFocus);
    return pty;
  }

  dispose(): void {
    this.sub.dispose();
    for (const o of this.open.values()) o.pty.close();
    this.open.clear();
  }
}
