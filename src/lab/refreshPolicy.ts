// The one refresh policy: event streams where backends have them; polling only while a view that
// shows live state is visible, and only for hosts without a full event stream; triggers debounced.
export interface Timers {
  setTimeout(f: () => void, ms: number): unknown;
  clearTimeout(h: unknown): void;
}

export interface PolicyTarget {
  hostNames(): string[];
  refresh(host: string): Promise<void>;
  watch(host: string): Promise<void>;
  unwatch(host?: string): void;
  isFullyWatched(host: string): boolean;
}

/** The shortest poll interval: a setting of 0.001 s must not become a 1 ms loop (0 still means never). */
export const MIN_POLL_MS = 1000;

export class RefreshPolicy {
  /** Views showing live state (the Labs tree, topology graphs): live work while any is visible. */
  private readonly viewers = new Set<string>();
  private pollHandle: unknown;
  private debounceHandle: unknown;
  private readonly due = new Set<string>();
  private pollTicks = 0;
  /** Counts starts and stops: a staggered start's watches belong to the start they came from. */
  private generation = 0;
  private disposed = false;

  constructor(
    private readonly target: PolicyTarget,
    private readonly opts: { pollMs: number; debounceMs: number },
    private readonly timers: Timers = { setTimeout: (f, ms) => setTimeout(f, ms), clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout) },
  ) {}

  /** Poll intervals that have passed (figures and tests: "two polls later, still …"). */
  get polls(): number {
    return this.pollTicks;
  }

  get isVisible(): boolean {
    return this.viewers.size > 0;
  }

  /** The Labs tree became visible or hidden (shorthand for the viewer "tree"). */
  setVisible(visible: boolean): void {
    this.setViewer('tree', visible);
  }

  /** A view showing live state (`id`) became visible or hidden. */
  setViewer(id: string, shown: boolean): void {
    const was = this.isVisible;
    if (shown) this.viewers.add(id);
    else this.viewers.delete(id);
    if (this.isVisible === was) return;
    if (this.isVisible) {
      this.start();
    } else {
      this.generation++; // watches not yet started stay unstarted
      this.timers.clearTimeout(this.pollHandle);
      this.pollHandle = undefined;
      this.target.unwatch();
    }
  }

  /** Starts over while something is visible (e.g. after workspace trust is granted): every host refreshed and watched. */
  restart(): void {
    if (this.isVisible) this.start();
  }

  private start(): void {
    this.generation++;
    this.refreshAndWatch(this.target.hostNames());
    this.schedulePoll();
  }

  /** Each host refreshed soon and watched, a timer turn apart; a stop before the rest leaves them unwatched. */
  private refreshAndWatch(hosts: readonly string[]): void {
    const gen = this.generation;
    for (const h of hosts) this.request(h);
    this.oneByOne(hosts, (h) => {
      if (gen === this.generation) void this.target.watch(h);
    });
  }

  /**
   * Runs `f` for each host a timer turn apart: each may spawn `ssh -G` (30-40 ms of the extension
   * host at a time), and VS Code's messages (a graph's draw, an edit) get their turn in between.
   */
  private oneByOne(hosts: readonly string[], f: (h: string) => void): void {
    const rest = [...hosts];
    const next = () => {
      if (this.disposed) return;
      const h = rest.shift();
      if (h === undefined) return;
      f(h);
      if (rest.length) this.timers.setTimeout(next, 0);
    };
    next();
  }

  /**
   * Hosts that appeared while something is visible (a file that became valid, a host added to a
   * file, a host connected again): refreshed soon and watched, as start() does for every host.
   * Hidden: nothing (showing a view starts them all).
   */
  track(hosts: readonly string[]): void {
    if (this.isVisible) this.refreshAndWatch(hosts);
  }

  /** Asks for a refresh of a host soon (debounced: a burst of requests gives one refresh). */
  request(host: string): void {
    this.due.add(host);
    if (this.debounceHandle !== undefined) return;
    this.debounceHandle = this.timers.setTimeout(() => {
      this.debounceHandle = undefined;
      const hosts = [...this.due];
      this.due.clear();
      this.oneByOne(hosts, (h) => void this.target.refresh(h));
    }, this.opts.debounceMs);
  }

  private schedulePoll(): void {
    this.timers.clearTimeout(this.pollHandle);
    if (!this.isVisible || !(this.opts.pollMs > 0)) return;
    this.pollHandle = this.timers.setTimeout(() => {
      this.pollTicks++;
      for (const h of this.target.hostNames()) if (!this.target.isFullyWatched(h)) this.request(h);
      this.schedulePoll();
    }, Math.max(this.opts.pollMs, MIN_POLL_MS));
  }

  dispose(): void {
    this.disposed = true;
    this.timers.clearTimeout(this.pollHandle);
    this.timers.clearTimeout(this.debounceHandle);
    this.target.unwatch();
  }
}
