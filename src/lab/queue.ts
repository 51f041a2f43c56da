// Per-VM operation queue: two operations on the same VM never interleave; they wait, visibly.
import { Emitter } from '../remote/events';

export interface QueuedOp {
  key: string;
  label: string;
  running: boolean;
}

export class OperationQueue {
  private readonly tails = new Map<string, Promise<unknown>>();
  private readonly pending = new Map<string, QueuedOp[]>();
  private readonly changed = new Emitter<string>();
  readonly onDidChange = this.changed.event;

  /** Operations queued or running for `key`, in order. */
  ops(key: string): readonly QueuedOp[] {
    return this.pending.get(key) ?? [];
  }

  run<T>(key: string, label: string, work: () => Promise<T>): Promise<T> {
    const op: QueuedOp = { key, label, running: false };
    const list = this.pending.get(key) ?? [];
    list.push(op);
    this.pending.set(key, list);
    this.changed.fire(key);
    const prev = this.tails.get(key) ?? Promise.resolve();
    const next = prev.catch(() => undefined).then(async () => {
      op.running = true;
      this.changed.fire(key);
      try {
        return await work();
      } finally {
        const l = this.pending.get(key) ?? [];
        l.splice(l.indexOf(op), 1);
        if (!l.length) this.pending.delete(key);
        this.changed.fire(key);
      }
    });
    const tail = next.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return next;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
