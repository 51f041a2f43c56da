// Bounded console output: a guest printing 100 MB in a burst must neither fill the extension host's
// memory nor hold its event loop. Output goes to the terminal at most `rate` characters a second, in
// slices of one tick's budget, each on its own timer turn; past `high` queued characters the source
// is paused (the SSH channel stops reading, its window closes, the remote socat blocks) and resumed
// below `low`. Memory held: `high` plus one chunk. Pure (no vscode): timers are injected for tests.

export interface PacerOptions {
  /** Characters a second given to the terminal at most. */
  rate?: number;
  /** Queue size that pauses the source. */
  high?: number;
  /** Queue size that resumes it. */
  low?: number;
  tickMs?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
}

export interface PacerSource {
  pause(): void;
  resume(): void;
}

export const PACER_DEFAULTS = { rate: 8_000_000, high: 1_000_000, low: 250_000, tickMs: 20 } as const;

export class OutputPacer {
  private readonly queue: string[] = [];
  private queued = 0;
  private paused = false;
  private scheduled = false;
  private budget: number;
  private disposed = false;
  /** The most characters ever queued (for tests and figures). */
  maxQueued = 0;
  /** Times the source was paused. */
  pauses = 0;
  private readonly rate: number;
  private readonly high: number;
  private readonly low: number;
  private readonly tickMs: number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;

  constructor(private readonly sink: (s: string) => void, private readonly source: PacerSource | undefined, o: PacerOptions = {}) {
    this.rate = o.rate ?? PACER_DEFAULTS.rate;
    this.high = o.high ?? PACER_DEFAULTS.high;
    this.low = o.low ?? PACER_DEFAULTS.low;
    this.tickMs = o.tickMs ?? PACER_DEFAULTS.tickMs;
    this.setTimer = o.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.budget = this.perTick;
  }

  private get perTick(): number {
    return Math.max(1, Math.floor((this.rate * this.tickMs) / 1000));
  }

  /** Characters waiting for the terminal. */
  get pending(): number {
    return this.queued;
  }

  push(s: string): void {
    if (this.disposed || !s) return;
    // The common case (an idle console, typed echo): straight through while the tick's budget lasts.
    if (this.queued === 0 && s.length <= this.budget) {
      this.budget -= s.length;
      this.sink(s);
      this.schedule();
      return;
    }
    this.queue.push(s);
    this.queued += s.length;
    if (this.queued > this.maxQueued) this.maxQueued = this.queued;
    if (!this.paused && this.queued > this.high && this.source) {
      this.paused = true;
      this.pauses++;
      this.source.pause();
    }
    this.schedule();
  }

  private schedule(): void {
    if (this.scheduled || this.disposed) return;
    this.scheduled = true;
    this.setTimer(() => this.tick(), this.tickMs);
  }

  private tick(): void {
    this.scheduled = false;
    if (this.disposed) return;
    this.budget = this.perTick;
    let out = '';
    while (this.queue.length && this.budget > 0) {
      const head = this.queue[0]!;
      if (head.length <= this.budget) {
        out += head;
        this.queue.shift();
        this.budget -= head.length;
        this.queued -= head.length;
      } else {
        // Cut between UTF-16 halves never: keep a surrogate pair together.
        let n = this.budget;
        const c = head.charCodeAt(n - 1);
        if (c >= 0xd800 && c <= 0xdbff) n--;
        if (n <= 0) break;
        out += head.slice(0, n);
        this.queue[0] = head.slice(n);
        this.budget -= n;
        this.queued -= n;
      }
    }
    if (out) this.sink(out);
    if (this.paused && this.queued < this.low) {
      this.paused = false;
      this.source?.resume();
    }
    if (this.queued > 0 || out) this.schedule();
  }

  /** Everything still queued, at once (the session ended: its last words must show). */
  flush(): void {
    if (this.disposed || !this.queue.length) return;
    const s = this.queue.join('');
    this.queue.length = 0;
    this.queued = 0;
    this.sink(s);
  }

  dispose(): void {
    this.disposed = true;
    this.queue.length = 0;
    this.queued = 0;
  }
}
