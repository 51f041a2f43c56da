// A running packet capture over a CommandRunner that can stream (its own SSH channel): pcap bytes
// go to `onPcap` as they arrive (the caller appends them to a growing file and, optionally, to a
// local Wireshark), tcpdump's one-line-per-packet text to `onLine`. stop() stops the remote tcpdump
// by its pid on another round trip and reports whether it is gone. No vscode here.
import type { CommandRunner } from '../backends/backend';
import { captureArgv, missingTcpdumpMessage, parseMarker, stopArgv, type CaptureOptions } from './captureScript';

export interface CaptureSinks {
  onPcap(chunk: Buffer): void;
  onLine(line: string): void;
}

export interface CaptureEnd {
  /** tcpdump's exit code (0 after a packet limit or a stop by SIGINT). */
  code: number;
  /** Why it could not run (missing tcpdump, unknown interface, bad filter), when it did not. */
  error?: string;
  /** Bytes of pcap received. */
  bytes: number;
}

export class CaptureError extends Error {}

export class Capture {
  private pid: number | undefined;
  private bytes = 0;
  private failure: string | undefined;
  private readonly handle: { done: Promise<number>; dispose(): void };
  private readonly started: Promise<number>;
  /** Settles when the remote tcpdump exits (limit reached, stopped, or failed to start). */
  readonly done: Promise<CaptureEnd>;

  constructor(private readonly host: string, private readonly run: CommandRunner, readonly iface: string, options: CaptureOptions, sinks: CaptureSinks) {
    if (!run.streamRaw) throw new CaptureError(`The connection to ${host} cannot stream a capture.`);
    const argv = captureArgv(iface, options);
    let resolveStarted!: (pid: number) => void;
    let rejectStarted!: (e: Error) => void;
    this.started = new Promise((res, rej) => { resolveStarted = res; rejectStarted = rej; });
    this.started.catch(() => undefined);
    let text = '';
    const onErr = (chunk: Buffer): void => {
      text += chunk.toString('utf8');
      let i: number;
      while ((i = text.indexOf('\n')) >= 0) {
        const line = text.slice(0, i).replace(/\r$/, '');
        text = text.slice(i + 1);
        const m = parseMarker(line);
        if (!m) {
          // tcpdump prints "listening on IFACE, link-type …" once the capture is open.
          if (this.pid !== undefined && /^(tcpdump: )?listening on /.test(line)) resolveStarted(this.pid);
          sinks.onLine(line);
        } else if (m.kind === 'pid') {
          this.pid = m.pid;
        } else {
          this.failure = m.kind === 'missing' ? missingTcpdumpMessage(host)
            : m.kind === 'nodev' ? `${m.iface} does not exist on ${host}: is the VM running?`
              : `The capture filter does not compile on ${host}: ${m.message}`;
          rejectStarted(new CaptureError(this.failure));
        }
      }
    };
    this.handle = run.streamRaw(argv, { onStdout: (c) => { this.bytes += c.length; sinks.onPcap(c); }, onStderr: onErr });
    this.done = this.handle.done.then((code) => {
      if (text) sinks.onLine(text);
      rejectStarted(new CaptureError(this.failure ?? `The capture on ${host} ended (exit ${code}) before tcpdump started.`));
      return { code, error: this.failure, bytes: this.bytes };
    });
  }

  /** The remote tcpdump's pid once it listens (packets from then on are captured); rejects with the reason when it cannot start. */
  whenStarted(): Promise<number> {
    return this.started;
  }

  get remotePid(): number | undefined {
    return this.pid;
  }

  /**
   * Stops the remote tcpdump (SIGINT, then SIGKILL after 5 s) on a separate round trip and waits
   * for the channel to end. Returns whether the host reports that tcpdump gone.
   */
  async stop(): Promise<{ gone: boolean; end: CaptureEnd }> {
    let gone = true;
    if (this.pid !== undefined) {
      const r = await this.run.exec(stopArgv(this.pid), { timeoutMs: 20_000 });
      gone = r.code === 0 && r.stdout.trim() === 'gone';
    }
    const end = await Promise.race([this.done, new Promise<undefined>((res) => setTimeout(() => res(undefined), 5000))]);
    if (!end) this.handle.dispose();
    return { gone, end: end ?? (await this.done) };
  }

  /** Drops the channel without asking the host (the stop round trip is the reliable path). */
  dispose(): void {
    this.handle.dispose();
  }
}
