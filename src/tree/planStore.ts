// The last plan of each topology file, for the Plan view, the Labs tree's badges and the graph's
// markers. Planning is remote work (one round trip per host and backend), so it is never polled:
// it runs when asked (the Plan command) and after apply / up / down / destroy. An edit of the file marks its plan stale (shown so) instead of re-planning.
import * as vscode from 'vscode';
import { Disposable } from '../common/lifecycle';
import type { Plan } from '../plan/types';
import type { LabEntry, WorkspaceLabs } from '../workspace/workspaceLabs';
import { totalDrift } from './planPresent';

export interface PlanEntry {
  uri: vscode.Uri;
  plan?: Plan;
  /** When the plan was made (Date.now()). */
  at?: number;
  /** The file changed since: the plan may no longer say what applying would do. */
  stale?: boolean;
  /** A plan is being made right now. */
  running?: boolean;
  /** Planning itself failed (not a host's error, which is in the plan). */
  error?: string;
}

/** The blockers of a lab entry: its error diagnostics (a file with errors is never applied). */
export function blockersOf(entry: LabEntry): Plan['blockers'] {
  if (!entry.errors) return [];
  return [{ message: `${entry.firstError ?? 'the file has errors'}${entry.errors > 1 ? ` (and ${entry.errors - 1} more error${entry.errors > 2 ? 's' : ''})` : ''}` }];
}

export class PlanStore extends Disposable {
  private readonly entries = new Map<string, PlanEntry>();
  private readonly inflight = new Map<string, Promise<Plan>>();
  private readonly changed = this._register(new vscode.EventEmitter<vscode.Uri | undefined>());
  /** Fires with the file whose plan changed (undefined: several). */
  readonly onDidChange = this.changed.event;
  private readonly versions = new Map<string, string>();

  constructor(private readonly labs: WorkspaceLabs) {
    super();
    this._register(labs.onDidChange((c) => {
      if (c.kind !== 'files') return;
      let any = false;
      const present = new Set(labs.all().map((e) => e.uri.toString()));
      for (const [k, e] of this.entries) {
        if (!present.has(k)) {
          this.entries.delete(k);
          any = true;
          continue;
        }
        // The topology the plan was made from changed: mark it stale.
        const now = this.fingerprint(e.uri);
        if (e.plan && !e.stale && now !== this.versions.get(k)) {
          e.stale = true;
          any = true;
        }
      }
      if (any) this.changed.fire(undefined);
    }));
  }

  private fingerprint(uri: vscode.Uri): string {
    const entry = this.labs.get(uri);
    return JSON.stringify([entry?.errors ?? 0, entry?.lab?.current ?? null]);
  }

  get(uri: vscode.Uri): PlanEntry | undefined {
    return this.entries.get(uri.toString());
  }

  all(): PlanEntry[] {
    return [...this.entries.values()];
  }

  /** Applicable changes over every file's last plan (the Labs view title's count). */
  total(): number {
    return totalDrift(this.all().map((e) => e.plan));
  }

  /** Plans a file (the given hosts only, merged into its last plan). Concurrent calls for a file share one run. */
  plan(uri: vscode.Uri, hosts?: readonly string[]): Promise<Plan> {
    const k = uri.toString();
    const running = this.inflight.get(k);
    if (running && !hosts) return running;
    const p = this.doPlan(uri, hosts).finally(() => {
      if (this.inflight.get(k) === p) this.inflight.delete(k);
    });
    this.inflight.set(k, p);
    return p;
  }

  private async doPlan(uri: vscode.Uri, hosts?: readonly string[]): Promise<Plan> {
    const k = uri.toString();
    const entry = this.labs.get(uri);
    const lab = entry?.lab;
    if (!entry || !lab) throw new Error(`${vscode.workspace.asRelativePath(uri)} has no valid topology yet: fix its errors first.`);
    const e = this.entries.get(k) ?? { uri };
    this.entries.set(k, e);
    e.running = true;
    this.changed.fire(uri);
    try {
      const fingerprint = this.fingerprint(uri);
      const fresh = await lab.plan({ blockers: blockersOf(entry), ...(hosts ? { hosts } : {}) });
      // A plan of some hosts replaces those hosts in the last whole plan.
      const merged: Plan = hosts && e.plan && !e.stale
        ? { blockers: fresh.blockers, hosts: [...e.plan.hosts.filter((h) => !hosts.includes(h.host)), ...fresh.hosts].sort((a, b) => lab.hostNames().indexOf(a.host) - lab.hostNames().indexOf(b.host)) }
        : fresh;
      Object.assign(e, { plan: merged, at: Date.now(), stale: false, error: undefined });
      this.versions.set(k, fingerprint);
      return merged;
    } catch (err) {
      e.error = (err as Error).message;
      throw err;
    } finally {
      e.running = false;
      this.changed.fire(uri);
    }
  }
}
