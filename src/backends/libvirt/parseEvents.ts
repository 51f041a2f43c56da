// `virsh event --loop --all [--timestamp]` output → typed events. Pure, streaming: feed chunks,
// get events. Multi-line events (job-completed, tunable: a header ending in ':' followed by
// tab-indented `key: value` lines) are complete at the next non-tab line or at flush().

export type LifecycleEvent = 'Defined' | 'Undefined' | 'Started' | 'Suspended' | 'Resumed' | 'Stopped' | 'Shutdown' | 'PMSuspended' | 'Crashed';
const LIFECYCLE = new Set<string>(['Defined', 'Undefined', 'Started', 'Suspended', 'Resumed', 'Stopped', 'Shutdown', 'PMSuspended', 'Crashed']);

export interface VirshEvent {
  /** From --timestamp (virsh prints the host's time in UTC). */
  time?: Date;
  /** 'lifecycle', 'reboot', 'job-completed', 'rtc-change', … */
  type: string;
  domain: string;
  /** Text after the domain (e.g. "Started Booted", "0", "disk vda: …"); '' when none. */
  text: string;
  /** lifecycle only. */
  event?: LifecycleEvent;
  /** lifecycle only: "Booted", "Destroyed", "Finished after host request", "Snapshot", … */
  detail?: string;
  /** Tab-indented `key: value` (or `key=value`) lines of multi-line events. */
  fields?: Record<string, string>;
}

const HEAD = /^(?:(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?[+-]\d{4}): )?event '([^']+)' for domain '(.*?)'(?:(:| disk )(.*))?$/;

function parseTime(s: string): Date | undefined {
  const m = /^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?)([+-]\d\d)(\d\d)$/.exec(s);
  if (!m) return undefined;
  const d = new Date(`${m[1]}T${m[2]}${m[3]}:${m[4]}`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Parses one header line; undefined for anything else ("events received", blank, noise). */
export function parseEventLine(line: string): VirshEvent | undefined {
  const m = HEAD.exec(line.replace(/\r$/, ''));
  if (!m) return undefined;
  const [, ts, type, domain, sep, rest] = m as unknown as [string, string | undefined, string, string, string | undefined, string | undefined];
  const text = sep === ' disk ' ? `disk ${rest ?? ''}` : (rest ?? '').trim();
  const ev: VirshEvent = { type, domain, text };
  const time = ts ? parseTime(ts) : undefined;
  if (time) ev.time = time;
  if (type === 'lifecycle') {
    const sp = text.indexOf(' ');
    const first = sp < 0 ? text : text.slice(0, sp);
    if (LIFECYCLE.has(first)) {
      ev.event = first as LifecycleEvent;
      ev.detail = sp < 0 ? '' : text.slice(sp + 1);
    }
  }
  return ev;
}

export class VirshEventParser {
  private buf = '';
  private pending: VirshEvent | undefined;

  /** Feed a chunk of stdout; returns the events completed by it. */
  push(chunk: string): VirshEvent[] {
    this.buf += chunk;
    const out: VirshEvent[] = [];
    let nl: number;
    while ((nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl);
      this.buf = this.buf.slice(nl + 1);
      this.line(line, out);
    }
    return out;
  }

  /** Completes a pending multi-line event (call at end of stream or after a quiet moment). */
  flush(): VirshEvent[] {
    const out: VirshEvent[] = [];
    if (this.buf) {
      this.line(this.buf, out);
      this.buf = '';
    }
    if (this.pending) out.push(this.pending);
    this.pending = undefined;
    return out;
  }

  private line(line: string, out: VirshEvent[]): void {
    if (line.startsWith('\t')) {
      if (!this.pending) return;
      const kv = /^\t([^:=]+?)(?:: |=)(.*)$/.exec(line.replace(/\r$/, ''));
      if (kv) (this.pending.fields ??= {})[kv[1] as string] = kv[2] as string;
      return;
    }
    if (this.pending) {
      out.push(this.pending);
      this.pending = undefined;
    }
    const ev = parseEventLine(line);
    if (!ev) return;
    // A header ending in ':' with nothing after it announces tab-indented lines.
    if (ev.text === '' && /:\s*$/.test(line)) this.pending = ev;
    else out.push(ev);
  }
}

/** Parses a whole captured output at once. */
export function parseVirshEvents(text: string): VirshEvent[] {
  const p = new VirshEventParser();
  return [...p.push(text), ...p.flush()];
}
