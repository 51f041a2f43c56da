// The boot's last phase, "reachable": the VM's SSH port answers through its host (a direct-tcpip
// channel of the host's pooled connection, as ProxyJump dials it), i.e. the port sends an SSH
// identification line. Polled after userspace until it answers, the wait is cancelled, or the
// phase timeout passes. Pure (no vscode): the channel opener, clock and sleep are given.
import type { Duplex } from 'node:stream';

/** The first line an SSH server sends (RFC 4253 §4.2): `SSH-2.0-…`. */
const IDENT = /^SSH-\d+\.\d+-\S+/;
/** Bytes read at most while looking for the identification line (servers may send lines before it). */
const IDENT_CAP = 8 * 1024;

/**
 * The SSH identification line the opened stream sends, or throws why there is none (refused,
 * closed, not SSH, no line within `timeoutMs`). The stream is closed either way.
 */
export async function sshIdent(open: () => Promise<Duplex>, timeoutMs: number): Promise<string> {
  const s = await open();
  return new Promise<string>((resolve, reject) => {
    let buf = '';
    const done = (err: Error | undefined, ident?: string) => {
      clearTimeout(timer);
      s.removeAllListeners('data');
      s.destroy();
      if (err) reject(err);
      else resolve(ident!);
    };
    const timer = setTimeout(() => done(new Error(`no SSH identification within ${timeoutMs} ms`)), timeoutMs);
    s.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      const lines = buf.split('\n');
      for (const l of lines.slice(0, -1)) {
        const t = l.replace(/\r$/, '');
        if (IDENT.test(t)) return done(undefined, t.slice(0, 120));
      }
      if (buf.length > IDENT_CAP) done(new Error(`the port answers but sends no SSH identification line (${JSON.stringify(buf.slice(0, 40))}…)`));
    });
    s.once('error', (e: Error) => done(e));
    s.once('close', () => done(new Error(buf ? `the port closed after ${JSON.stringify(buf.slice(0, 40))} (not SSH)` : 'the port closed without a word')));
  });
}

export interface ReachOptions {
  /** One try: the identification line, or throws why not. */
  probe(): Promise<string>;
  /** Time between tries that failed. */
  intervalMs: number;
  /** Give up this long after the first try started. */
  timeoutMs: number;
  now(): number;
  sleep(ms: number): Promise<void>;
  /** True once the wait should stop (Cancel): no further try is made. */
  cancelled(): boolean;
}

export type Reach =
  | { outcome: 'reachable'; ident: string; afterMs: number; tries: number }
  | { outcome: 'timeout' | 'cancelled'; afterMs: number; tries: number; lastError: string };

/** Tries until the SSH port answers, the timeout passes, or the wait is cancelled. */
export async function waitReachable(o: ReachOptions): Promise<Reach> {
  const t0 = o.now();
  let tries = 0;
  let lastError = 'not tried';
  for (;;) {
    if (o.cancelled()) return { outcome: 'cancelled', afterMs: Math.round(o.now() - t0), tries, lastError };
    tries++;
    try {
      const ident = await o.probe();
      return { outcome: 'reachable', ident, afterMs: Math.round(o.now() - t0), tries };
    } catch (e) {
      lastError = (e as Error).message;
    }
    const left = t0 + o.timeoutMs - o.now();
    if (left <= 0) return { outcome: 'timeout', afterMs: Math.round(o.now() - t0), tries, lastError };
    if (o.cancelled()) return { outcome: 'cancelled', afterMs: Math.round(o.now() - t0), tries, lastError };
    await o.sleep(Math.min(o.intervalMs, left));
  }
}
