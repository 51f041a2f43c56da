// One Lab per topology file in the workspace, kept in step with the file's text, and the one
// refresh policy over all of them. The tree and the graph read from here.
import * as vscode from 'vscode';
import { analysisOf, TOPOLOGY_GLOB } from '../common/topologyDocuments';
import { Disposable } from '../common/lifecycle';
import { Lab, type LabDeps } from '../lab/lab';
import { RefreshPolicy } from '../lab/refreshPolicy';
import type { Topology } from '../model/types';
import type { LeftOut } from '../model/usable';

export interface LabEntry {
  uri: vscode.Uri;
  /**
   * The valid part of the current text (all of it without errors), else the last topology that was
   * valid; undefined until one of them exists.
   */
  lab: Lab | undefined;
  /** Number of errors in the current text. */
  errors: number;
  firstError?: string;
  /** The errors of the current text, 1-based line first (for the tree's file row). */
  errorList: { line: number; message: string }[];
  /** The lab holds the valid part of the current text with these entries left out (empty: the whole file, or the last valid one when `errors`). */
  leftOut: LeftOut[];
  /** The lab holds the current text's valid part (true also without errors); false: the last valid version. */
  current: boolean;
}

/** How long after a text change its lab is brought up to date (unless read before). */
const UPDATE_DELAY_MS = 100;

export type LabsChange = { kind: 'files' } | { kind: 'host'; uri: vscode.Uri; host: string };

export class WorkspaceLabs extends Disposable {
  private readonly entries = new Map<string, LabEntry>();
  private readonly changed = this._register(new vscode.EventEmitter<LabsChange>());
  readonly onDidChange = this.changed.event;
  readonly policy: RefreshPolicy;
  private loaded: Promise<void> | undefined;
  /** Texts changed since their entry was made, updated after UPDATE_DELAY_MS or when read. */
  private readonly pending = new Map<string, { doc: vscode.TextDocument; timer: ReturnType<typeof setTimeout> }>();

  constructor(private readonly deps: LabDeps) {
    super();
    this.policy = new RefreshPolicy({
      // A host the user disconnected is neither polled nor watched.
      hostNames: () => this.all().flatMap((e) => (e.lab ? e.lab.hostNames().filter((h) => !e.lab!.isDisconnected(h)).map((h) => key(e.uri, h)) : [])),
      refresh: (k) => this.withHost(k, (lab, h) => lab.refresh(h)),
      watch: (k) => this.withHost(k, (lab, h) => lab.watch(h)),
      unwatch: () => this.all().forEach((e) => e.lab?.unwatch()),
      isFullyWatched: (k) => this.splitKey(k)?.lab.isFullyWatched(this.splitKey(k)!.host) ?? false,
    }, {
      pollMs: vscode.workspace.getConfiguration('vsim').get<number>('refresh.pollSeconds', 15) * 1000,
      debounceMs: 100,
    });
    this._register({ dispose: () => this.policy.dispose() });
    const watcher = this._register(vscode.workspace.createFileSystemWatcher(TOPOLOGY_GLOB));
    this._register(watcher.onDidCreate((u) => void this.load(u)));
    this._register(watcher.onDidChange((u) => void this.load(u)));
    this._register(watcher.onDidDelete((u) => this.remove(u)));
    // A text change is analysed a moment later (typing, or the graph's own edit, is not held up by a
    // whole parse of a big file); anything that reads the labs before then gets the current text's.
    this._register(vscode.workspace.onDidChangeTextDocument((e) => {
      if (this.entries.has(e.document.uri.toString())) this.updateSoon(e.document);
    }));
    this._register({ dispose: () => this.pending.forEach((p) => clearTimeout(p.timer)) });
    this._register({ dispose: () => this.entries.forEach((e) => e.lab?.dispose()) });
  }

  /** Loads every topology file of the workspace once (later changes come from watchers). */
  ready(): Promise<void> {
    this.loaded ??= (async () => {
      const uris = await vscode.workspace.findFiles(TOPOLOGY_GLOB, '**/node_modules/**');
      await Promise.all(uris.map((u) => this.load(u, false)));
      this.changed.fire({ kind: 'files' });
    })();
    return this.loaded;
  }

  all(): LabEntry[] {
    this.flush();
    return [...this.entries.values()].sort((a, b) => a.uri.path.localeCompare(b.uri.path));
  }

  get(uri: vscode.Uri): LabEntry | undefined {
    this.flush();
    return this.entries.get(uri.toString());
  }

  private async load(uri: vscode.Uri, fire = true): Promise<void> {
    try {
      const doc = await vscode.workspace.openTextDocument(uri);
      this.update(doc, fire);
    } catch {
      this.remove(uri);
    }
  }

  private updateSoon(doc: vscode.TextDocument): void {
    const k = doc.uri.toString();
    clearTimeout(this.pending.get(k)?.timer);
    this.pending.set(k, { doc, timer: setTimeout(() => this.flush(), UPDATE_DELAY_MS) });
  }

  /** Brings the entries of changed texts up to date now. */
  private flush(): void {
    if (!this.pending.size) return;
    const docs = [...this.pending.values()];
    this.pending.clear();
    for (const p of docs) {
      clearTimeout(p.timer);
      if (this.entries.has(p.doc.uri.toString())) this.update(p.doc);
    }
  }

  private update(doc: vscode.TextDocument, fire = true): void {
    const a = analysisOf(doc);
    const k = doc.uri.toString();
    const entry = this.entries.get(k) ?? { uri: doc.uri, lab: undefined, errors: 0, errorList: [], leftOut: [], current: false };
    const errors = a.problems.filter((p) => p.severity === 'error');
    entry.errors = errors.length;
    entry.firstError = errors[0]?.message;
    entry.errorList = errors.map((p) => ({ line: a.parsed.lines.position(p.start).line + 1, message: p.message }));
    // A file with errors still shows and drives its valid part; nothing left out reaches a host.
    const part = a.usable();
    entry.current = !!part;
    entry.leftOut = part?.leftOut ?? [];
    if (part) this.setTopology(entry, part.topology);
    this.entries.set(k, entry);
    if (fire) this.changed.fire({ kind: 'files' });
  }

  private setTopology(entry: LabEntry, t: Topology): void {
    const known = new Set(entry.lab?.hostNames() ?? []);
    if (entry.lab) {
      entry.lab.setTopology(t);
    } else {
      const lab = new Lab(t, this.deps);
      lab.onDidChange((c) => this.changed.fire({ kind: 'host', uri: entry.uri, host: c.host }));
      entry.lab = lab;
    }
    // A file that became valid (or gained a host) while a view shows live state: listed and watched now, not at the next poll.
    this.policy.track(entry.lab.hostNames().filter((h) => !known.has(h)).map((h) => key(entry.uri, h)));
  }

  private remove(uri: vscode.Uri): void {
    clearTimeout(this.pending.get(uri.toString())?.timer);
    this.pending.delete(uri.toString());
    const e = this.entries.get(uri.toString());
    if (!e) return;
    e.lab?.dispose();
    this.entries.delete(uri.toString());
    this.changed.fire({ kind: 'files' });
  }

  private splitKey(k: string): { lab: Lab; host: string } | undefined {
    const i = k.lastIndexOf('#');
    const lab = this.entries.get(k.slice(0, i))?.lab;
    return lab ? { lab, host: k.slice(i + 1) } : undefined;
  }

  private async withHost(k: string, f: (lab: Lab, host: string) => Promise<void>): Promise<void> {
    const s = this.splitKey(k);
    if (s) await f(s.lab, s.host);
  }

  /** The labs whose file has a host of this name: they share its pooled SSH connection. */
  private withHostName(host: string): { entry: LabEntry; lab: Lab }[] {
    return this.all().flatMap((entry) => (entry.lab?.current.hosts?.[host] ? [{ entry, lab: entry.lab }] : []));
  }

  /** Disconnect from Host: the host of every file that names it stays disconnected until connectHost (they share one connection). */
  disconnectHost(host: string): void {
    for (const { lab } of this.withHostName(host)) lab.disconnect(host);
  }

  /** Connect to Host: the host of every file that names it may connect again; refreshed and watched while a view shows live state. */
  connectHost(host: string): void {
    const labs = this.withHostName(host);
    for (const { lab } of labs) lab.connect(host);
    this.policy.track(labs.map(({ entry }) => key(entry.uri, host)));
  }

  /** Every loaded lab that defines a VM (or link) of this name, in file order; only `uri`'s when given. */
  findAll(section: 'vms' | 'links', name: string, uri?: vscode.Uri): { entry: LabEntry; lab: Lab }[] {
    const out: { entry: LabEntry; lab: Lab }[] = [];
    for (const e of uri ? [this.get(uri)].filter((x): x is LabEntry => !!x) : this.all()) {
      if (e.lab && Object.hasOwn(e.lab.current[section] ?? {}, name)) out.push({ entry: e, lab: e.lab });
    }
    return out;
  }
}

export function key(uri: vscode.Uri, host: string): string {
  return `${uri.toString()}#${host}`;
}
