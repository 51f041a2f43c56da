// When the VM details page reads: once at once when it becomes visible (and ready), then one read
// per interval while it stays visible, never two at a time, nothing while hidden. Pure (timers
// injected, as the refresh policy's are).
import type { Timers } from '../lab/refreshPolicy';

export class Sampler {
  private handle: unknown;
  private visible = false;
  private ready = false;
  private reading = false;
  /** Reads started (tests and figures). */
  reads = 0;

  constructor(
    private readonly read: () => Promise<void>,
    private readonly intervalMs: () => number,
    private readonly timers: Timers = { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
  ) {}

  /** The page's script said it is ready for data. */
  setReady(): void {
    this.ready = true;
    this.schedule(0);
  }

  setVisible(visible: boolean): void {
    this.visible = visible;
    if (visible) this.schedule(0);
    else this.stop();
  }

  /** A read now (the page asked), then the interval again. */
  now(): void {
    this.schedule(0);
  }

  private stop(): void {
    this.timers.clearTimeout(this.handle);
    this.handle = undefined;
  }

  private schedule(ms: number): void {
    this.stop();
    if (!this.visible || !this.ready || this.reading) return;
    this.handle = this.timers.setTimeout(() => void this.tick(), ms);
  }

  private async tick(): Promise<void> {
    this.handle = undefined;
    this.reading = true;
    this.reads++;
    try {
      await this.read();
    } finally {
      this.reading = false;
      this.schedule(this.intervalMs());
    }
  }

  dispose(): void {
    this.visible = false;
    this.stop();
  }
}
