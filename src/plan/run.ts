// One item of apply / up / down / destroy: the cancel check before it starts, its start/done/failed
// event, its outcome in the result. A failure is recorded and the other items go on. Pure.
import type { ApplyEvent, ApplyOptions, ApplyResult } from './types';

export function emptyResult(): ApplyResult {
  return { done: [], failed: [], skipped: [], cancelled: false, restartNeeded: [] };
}

export function mergeResults(into: ApplyResult, from: ApplyResult): ApplyResult {
  into.done.push(...from.done);
  into.failed.push(...from.failed);
  into.skipped.push(...from.skipped);
  into.restartNeeded.push(...from.restartNeeded);
  into.cancelled ||= from.cancelled;
  return into;
}

export class ItemRunner {
  constructor(readonly result: ApplyResult, private readonly opts: ApplyOptions = {}) {}

  emit(e: ApplyEvent): void {
    try {
      this.opts.onEvent?.(e);
    } catch {
      // a listener's error is not the item's
    }
  }

  skip(id: string, host: string, title: string, reason: string): void {
    this.result.skipped.push(id);
    this.emit({ kind: 'skipped', id, host, title, reason });
  }

  get cancelled(): boolean {
    return !!this.opts.signal?.aborted;
  }

  /** Runs one item unless the run was cancelled; `work` may return a note for the done event. Resolves true when done. */
  async item(id: string, host: string, title: string, work: () => Promise<string | void>): Promise<boolean> {
    if (this.cancelled) {
      this.result.cancelled = true;
      this.skip(id, host, title, 'cancelled');
      return false;
    }
    this.emit({ kind: 'start', id, host, title });
    try {
      const note = await work();
      this.result.done.push(id);
      this.emit({ kind: 'done', id, host, title, ...(note ? { note } : {}) });
      return true;
    } catch (err) {
      const message = (err as Error)?.message ?? String(err);
      const offerDestroy = (err as { offerDestroy?: boolean })?.offerDestroy === true;
      this.result.failed.push({ id, message, ...(offerDestroy ? { offerDestroy } : {}) });
      this.emit({ kind: 'failed', id, host, title, message });
      return false;
    }
  }
}
