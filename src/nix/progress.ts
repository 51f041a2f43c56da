// A reducer from Nix log events to build progress: what the notification and the failure message
// show. Pure: feed events (or raw stderr chunks) in order.
import { ActivityType, drvName, parseNixLogLine, ResultType, type NixLogEvent } from './parseLog';

export interface LogLine {
  /** Derivation name the line came from ('' for nix's own messages). */
  drv: string;
  line: string;
}

export interface BuildProgress {
  /** Derivations built / to build (the Builds activity's progress). */
  built: number;
  total: number;
  running: number;
  failedCount: number;
  /** Names of the derivations being built now, in start order. */
  current: string[];
  /** Paths downloaded / expected (CopyPaths), and bytes (FileTransfer). */
  downloads: { done: number; expected: number; bytesDone: number; bytesExpected: number };
  /** The last `maxLogLines` build log lines (all derivations, interleaved). */
  logLines: LogLine[];
  /** Error messages (level 0), ANSI-free. */
  errors: string[];
  /** The derivation that failed (from "builder for '…drv' failed …"), with its message. */
  failed?: { drvPath?: string; drv?: string; message: string };
}

interface Activity {
  type: number;
  drvPath?: string;
  name?: string;
  bytesDone?: number;
  bytesExpected?: number;
}

const n = (v: unknown): number => (typeof v === 'number' ? v : 0);

export class BuildProgressTracker {
  readonly progress: BuildProgress = {
    built: 0, total: 0, running: 0, failedCount: 0, current: [],
    downloads: { done: 0, expected: 0, bytesDone: 0, bytesExpected: 0 }, logLines: [], errors: [],
  };
  private readonly activities = new Map<number, Activity>();
  private partial = '';

  constructor(private readonly maxLogLines = 50) {}

  /** Feeds a chunk of nix's stderr; returns true when the progress changed. */
  push(chunk: string): boolean {
    this.partial += chunk;
    let changed = false;
    let nl: number;
    while ((nl = this.partial.indexOf('\n')) >= 0) {
      const ev = parseNixLogLine(this.partial.slice(0, nl));
      this.partial = this.partial.slice(nl + 1);
      if (ev) changed = this.apply(ev) || changed;
    }
    return changed;
  }

  /** Feeds the last unterminated line at the end of the stream. */
  end(): boolean {
    const rest = this.partial;
    this.partial = '';
    const ev = parseNixLogLine(rest);
    return ev ? this.apply(ev) : false;
  }

  apply(ev: NixLogEvent): boolean {
    const p = this.progress;
    switch (ev.action) {
      case 'start': {
        const a: Activity = { type: ev.type };
        if (ev.type === ActivityType.Build && typeof ev.fields[0] === 'string') {
          a.drvPath = ev.fields[0];
          a.name = drvName(ev.fields[0]);
          p.current.push(a.name);
        }
        this.activities.set(ev.id, a);
        return ev.type === ActivityType.Build;
      }
      case 'stop': {
        const a = this.activities.get(ev.id);
        this.activities.delete(ev.id);
        if (a?.name) {
          const i = p.current.indexOf(a.name);
          if (i >= 0) p.current.splice(i, 1);
          return true;
        }
        return false;
      }
      case 'result':
        return this.result(ev.id, ev.type, ev.fields);
      case 'msg':
        if (ev.level > 0) return false;
        p.errors.push(ev.msg);
        this.noteFailure(ev.msg);
        return true;
      case 'text':
        this.log('', ev.text);
        return true;
    }
  }

  private result(id: number, type: number, f: (string | number | null)[]): boolean {
    const p = this.progress;
    const a = this.activities.get(id);
    if (type === ResultType.BuildLogLine || type === ResultType.PostBuildLogLine) {
      this.log(a?.name ?? '', String(f[0] ?? ''));
      return true;
    }
    if (type === ResultType.Progress && a) {
      const [done, expected, running, failed] = [n(f[0]), n(f[1]), n(f[2]), n(f[3])];
      if (a.type === ActivityType.Builds) Object.assign(p, { built: done, total: expected, running, failedCount: failed });
      else if (a.type === ActivityType.CopyPaths) Object.assign(p.downloads, { done, expected });
      else if (a.type === ActivityType.FileTransfer) {
        a.bytesDone = done;
        a.bytesExpected = expected;
        this.sumBytes();
      } else return false;
      return true;
    }
    return false;
  }

  private sumBytes(): void {
    let done = 0;
    let expected = 0;
    for (const a of this.activities.values()) {
      done += a.bytesDone ?? 0;
      expected += a.bytesExpected ?? 0;
    }
    this.progress.downloads.bytesDone = Math.max(this.progress.downloads.bytesDone, done);
    this.progress.downloads.bytesExpected = Math.max(this.progress.downloads.bytesExpected, expected);
  }

  private log(drv: string, line: string): void {
    const l = this.progress.logLines;
    l.push({ drv, line });
    if (l.length > this.maxLogLines) l.splice(0, l.length - this.maxLogLines);
  }

  private noteFailure(msg: string): void {
    const p = this.progress;
    const m = /builder for '([^']+\.drv)' failed/.exec(msg) ?? /build of '([^']+\.drv)' failed/.exec(msg) ?? /'(\/nix\/store\/[^']+\.drv)'/.exec(msg);
    const message = msg.replace(/^error:\s*/, '');
    if (m) p.failed = { drvPath: m[1] as string, drv: drvName(m[1] as string), message };
    else p.failed ??= { message };
  }
}

/** "2/5 built · building hello, world · 3/7 downloads" */
export function describeProgress(p: BuildProgress): string {
  const parts: string[] = [];
  if (p.total) parts.push(`${p.built}/${p.total} built`);
  if (p.current.length) parts.push(`building ${p.current.join(', ')}`);
  if (p.downloads.expected) parts.push(`${p.downloads.done}/${p.downloads.expected} downloads`);
  if (p.failedCount) parts.push(`${p.failedCount} failed`);
  return parts.join(' · ') || 'evaluating';
}
