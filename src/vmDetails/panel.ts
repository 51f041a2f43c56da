// The VM details page: a webview (the one HTML helper, src/webviewHtml.ts) with the VM's live facts
// and small charts of CPU and network throughput. One read of the backend's liveFacts (one round
// trip) per refresh interval while the page is visible; nothing while it is hidden. Its host is a
// viewer of the one refresh policy meanwhile, so the lab keeps it listed and watched.
import * as vscode from 'vscode';
import { Disposable } from '../common/lifecycle';
import { MIN_POLL_MS } from '../lab/refreshPolicy';
import type { Lab } from '../lab/lab';
import { vmLiveIps } from '../tree/vmLive';
import { webviewHtml, webviewOptions } from '../webviewHtml';
import type { WorkspaceLabs } from '../workspace/workspaceLabs';
import { parseFromWebview, type ToWebview } from '../../webview/vmDetails/protocol';
import { detailsFacts, sampleOf, type Reading } from './sample';
import { Sampler } from './sampler';

export const VM_DETAILS_VIEW_TYPE = 'vsim.vmDetails';

export interface VmRef { uri: vscode.Uri; host: string; vm: string; undeclared?: boolean }

const keyOf = (r: VmRef): string => `${r.uri.toString()}#${r.host}/${r.vm}${r.undeclared ? '?' : ''}`;

class VmDetailsPanel extends Disposable {
  private last: Reading | undefined;
  private readonly sampler: Sampler;

  constructor(readonly panel: vscode.WebviewPanel, private readonly labs: WorkspaceLabs, readonly ref: VmRef, private readonly intervalMs: () => number) {
    super();
    this.sampler = new Sampler(() => this.sample(), intervalMs);
    this._register(panel.webview.onDidReceiveMessage((raw: unknown) => {
      const msg = parseFromWebview(raw);
      if (msg?.type === 'ready') this.sampler.setReady();
      else if (msg?.type === 'refresh') this.sampler.now();
    }));
    this._register(panel.onDidChangeViewState(() => this.visibilityChanged()));
    this._register({ dispose: () => { this.sampler.dispose(); this.labs.policy.setViewer(this.viewerId, false); } });
    this.visibilityChanged();
  }

  /** Reads so far, for tests and figures: they stop while the page is hidden. */
  get samples(): number {
    return this.sampler.reads;
  }

  private get viewerId(): string {
    return `vmDetails:${keyOf(this.ref)}`;
  }

  private get lab(): Lab | undefined {
    return this.labs.get(this.ref.uri)?.lab;
  }

  private visibilityChanged(): void {
    this.labs.policy.setViewer(this.viewerId, this.panel.visible);
    this.sampler.setVisible(this.panel.visible);
  }

  private post(msg: ToWebview): void {
    void this.panel.webview.postMessage(msg);
  }

  private async sample(): Promise<void> {
    try {
      const lab = this.lab;
      if (!lab) throw new Error(`The topology of ${this.ref.vm} is not loaded (${vscode.workspace.asRelativePath(this.ref.uri)}).`);
      const undeclaredOn = this.ref.undeclared ? this.ref.host : undefined;
      const live = lab.backendOf(this.ref.vm, undeclaredOn)?.liveFacts;
      const status = lab.status(this.ref.vm, undeclaredOn);
      const declared = (lab.current.vms?.[this.ref.vm]?.nics ?? []).map((n) => n.ip).filter((x): x is string => !!x);
      if (!live) {
        const facts = detailsFacts(this.ref.vm, this.ref.host, status?.detail ?? status?.state ?? 'unknown', undefined, declared, vmLiveIps(lab.current, this.ref.vm, undefined, lab.host(this.ref.host).net, Date.now()));
        this.post({ type: 'facts', facts: { ...facts, agentNote: `the ${lab.vmRef(this.ref.vm, undeclaredOn).kind} backend reports no live facts (only the state)` }, sample: { at: Date.now() }, intervalMs: this.intervalMs() });
        return;
      }
      const facts = await live.read(await lab.context(this.ref.host), this.ref.vm);
      const cur: Reading = { at: Date.now(), facts };
      const sample = sampleOf(this.last, cur);
      this.last = cur;
      const ips = vmLiveIps(lab.current, this.ref.vm, facts, lab.host(this.ref.host).net, cur.at);
      this.post({ type: 'facts', facts: detailsFacts(this.ref.vm, this.ref.host, status?.state ?? 'unknown', facts, declared, ips), sample, intervalMs: this.intervalMs() });
    } catch (err) {
      this.post({ type: 'error', message: (err as Error).message, at: Date.now() });
    }
  }
}

export class VmDetailsPages extends Disposable {
  private readonly open = new Map<string, VmDetailsPanel>();

  constructor(private readonly extensionUri: vscode.Uri, private readonly labs: WorkspaceLabs) {
    super();
    this._register({ dispose: () => { for (const p of this.open.values()) p.panel.dispose(); } });
  }

  /** The interval of the one refresh policy's setting (at least MIN_POLL_MS). */
  private intervalMs(): number {
    const s = vscode.workspace.getConfiguration('vsim').get<number>('refresh.pollSeconds', 15);
    return Math.max(MIN_POLL_MS, (s > 0 ? s : 15) * 1000);
  }

  /** Opens (or reveals) the page of a VM. */
  show(ref: VmRef): VmDetailsPanel {
    const key = keyOf(ref);
    const had = this.open.get(key);
    if (had) {
      had.panel.reveal();
      return had;
    }
    const panel = vscode.window.createWebviewPanel(VM_DETAILS_VIEW_TYPE, `VM ${ref.vm}`, vscode.ViewColumn.Active, { ...webviewOptions(this.extensionUri), retainContextWhenHidden: false });
    panel.webview.html = webviewHtml(panel.webview, this.extensionUri, { title: `VM ${ref.vm}`, bundle: 'vmDetails', data: { vm: ref.vm, host: ref.host } });
    const page = new VmDetailsPanel(panel, this.labs, ref, () => this.intervalMs());
    this.open.set(key, page);
    panel.onDidDispose(() => {
      page.dispose();
      this.open.delete(key);
    });
    return page;
  }

  /** Open pages and their sample counts (tests). */
  stats(): { vm: string; host: string; visible: boolean; samples: number }[] {
    return [...this.open.values()].map((p) => ({ vm: p.ref.vm, host: p.ref.host, visible: p.panel.visible, samples: p.samples }));
  }
}
