// The live state of one topology's hosts: fed by backends' listings and event streams, changed
// by lifecycle operations (queued per VM). The tree and the graph both read it. Pure (no vscode).
import { RemoteCommandError, type BackendContext, type CommandRunner, type HostListing, type LifecycleOp, type VmBackend, type VmStatus } from '../backends/backend';
import type { Backend as BackendKind, Host, Topology } from '../model/types';
import { Emitter, type Disposable } from '../remote/events';
import type { HostHealth } from '../health/hostHealth';
import { emptyHost, fingerprint, unreachable, type HostLive, type Unreachable } from './hostState';
import { OperationQueue } from './queue';
import { TcStateStore } from '../tc/opsState';
import { applyPlan, destroyLab, downLab, planLab, upLab, type PlanDeps, type PlanInput } from '../plan';
import { offlineMessage } from '../plan/hosts';
import type { ApplyOptions, ApplyResult, Plan } from '../plan/types';
import { hostNetError, hostNetProbe } from '../hostnet/probeHost';
import type { HostNetProbe } from '../hostnet/parse';
import { healthError } from '../health/probe';
import { isMicrovmHost } from '../model/services';
import { runBatch, type Settled } from '../backends/batch';
import type { Probe } from '../backends/probe';

/** What a Lab's bring-up call says besides its own topology. */
export type LabPlanInput = Omit<PlanInput, 'topology'>;

export interface LabDeps {
  /** A runner for the host (pooled SSH in the extension). Throws with a clear message when unreachable. */
  runnerFor(hostName: string, host: Host, topology: Topology): Promise<CommandRunner>;
  backends: Partial<Record<BackendKind, VmBackend>>;
  /** False in an untrusted workspace: nothing remote happens. */
  trusted(): boolean;
  /** The host's Services probe (src/health/probe.ts), asked in each refresh's round trip; absent: none. */
  health?(ctx: BackendContext): Probe<HostHealth>;
  /** Each refresh of a host with declared networks also probes them (src/hostnet), in the same round trip. */
  probeNetworks?: boolean;
}

export const UNTRUSTED = 'This workspace is not trusted: vsim does not connect to hypervisors. Trust the workspace to connect.';

/** Why a host the user disconnected is not reached (listing, streams, commands, plan). */
export const disconnectedMessage = (hostName: string): string => `${hostName} is disconnected: use "Connect to Host" to connect to it again.`;

/** How a failed listing shows on its host: the backend's tool missing, or the error. */
function listingFailure(hostName: string, kind: BackendKind, backend: VmBackend, err: Error): Unreachable {
  if (err instanceof RemoteCommandError && (err.result?.code === 127 || (/command not found|No such file/.test(err.result?.stderr ?? '') && err.argv[0] === backend.tool))) {
    return { kind: 'missing-tool', tool: backend.tool, message: `${backend.tool} is not installed on ${hostName} (needed for ${kind} VMs).` };
  }
  return { kind: 'error', message: err.message };
}

export interface LabChange {
  host: string;
}

export class Lab implements Disposable {
  private topology: Topology;
  private readonly hosts = new Map<string, HostLive>();
  private readonly inflight = new Map<string, Promise<void>>();
  private readonly watchers = new Map<string, Disposable[]>();
  /** Hosts the user disconnected: no listing, stream or command until connect(). */
  private readonly disconnected = new Set<string>();
  private readonly changed = new Emitter<LabChange>();
  readonly onDidChange = this.changed.event;
  readonly queue = new OperationQueue();
  /** What the kernel had on each VM's interfaces at the last tc apply/show/clear. */
  readonly tc = new TcStateStore();
  /** Refresh round trips per host (one per refresh: listings, Services and networks together), for figures and tests. */
  readonly roundTrips = new Map<string, number>();
  /** Network probes per host (one per refresh of a host with networks, inside its round trip), for figures and tests. */
  readonly netRoundTrips = new Map<string, number>();

  constructor(topology: Topology, private readonly deps: LabDeps) {
    this.topology = topology;
    this.tc.onDidChange(({ vm, link }) => {
      const ends = vm ? [vm] : link ? (this.topology.links?.[link]?.endpoints ?? []) : [];
      for (const host of new Set(ends.map((v) => this.topology.vms?.[v]?.host))) if (host) this.changed.fire({ host });
    });
  }

  get current(): Topology {
    return this.topology;
  }

  setTopology(t: Topology): void {
    this.topology = t;
    for (const name of [...this.hosts.keys()]) if (!t.hosts?.[name]) this.hosts.delete(name);
    for (const name of [...this.watchers.keys()]) if (!t.hosts?.[name]) this.unwatch(name);
    for (const name of [...this.disconnected]) if (!t.hosts?.[name]) this.disconnected.delete(name);
  }

  host(name: string): HostLive {
    return this.hosts.get(name) ?? emptyHost();
  }

  hostNames(): string[] {
    return Object.keys(this.topology.hosts ?? {});
  }

  /** The VMs of a host grouped by backend. */
  vmsByBackend(hostName: string): Map<BackendKind, string[]> {
    const out = new Map<BackendKind, string[]>();
    for (const [name, vm] of Object.entries(this.topology.vms ?? {})) {
      if (vm?.host !== hostName) continue;
      out.set(vm.backend, [...(out.get(vm.backend) ?? []), name]);
    }
    return out;
  }

  private update(name: string, f: (h: HostLive) => HostLive): void {
    const before = this.hosts.get(name) ?? emptyHost();
    const after = f(before);
    this.hosts.set(name, after);
    if (fingerprint(before) !== fingerprint(after)) this.changed.fire({ host: name });
  }

  /**
   * The guard every remote operation on a host passes: the workspace is trusted and the topology
   * names the host. Throws with the message to show otherwise.
   */
  hostTarget(hostName: string): { hostName: string; host: Host; topology: Topology } {
    if (!this.deps.trusted()) throw new Error(UNTRUSTED);
    if (this.topology.offline) throw new Error(offlineMessage(hostName));
    const host = this.topology.hosts?.[hostName];
    if (!host) throw new Error(`No host named ${hostName} in this topology.`);
    if (this.disconnected.has(hostName)) throw new Error(disconnectedMessage(hostName));
    return { hostName, host, topology: this.topology };
  }

  /** The guarded host with its runner: what backends and remote commands run with. */
  async context(hostName: string): Promise<BackendContext> {
    const t = this.hostTarget(hostName);
    return { ...t, run: await this.deps.runnerFor(hostName, t.host, t.topology) };
  }

  /** Lists all VMs of a host with its Services and networks: ONE round trip, whatever the number of VMs and backends. */
  refresh(hostName: string): Promise<void> {
    const running = this.inflight.get(hostName);
    if (running) return running;
    const p = this.doRefresh(hostName).finally(() => this.inflight.delete(hostName));
    this.inflight.set(hostName, p);
    return p;
  }

  private async doRefresh(hostName: string): Promise<void> {
    if (!this.deps.trusted()) {
      this.update(hostName, (h) => ({ ...h, connection: { kind: 'untrusted' } }));
      return;
    }
    if (this.topology.offline) {
      this.update(hostName, (h) => ({ ...h, connection: { kind: 'offline' } }));
      return;
    }
    if (this.disconnected.has(hostName)) return;
    if (this.host(hostName).connection.kind !== 'connected') this.update(hostName, (h) => ({ ...h, connection: { kind: 'connecting' } }));
    // What the listing learnt, unless the user disconnected the host meanwhile (it stays disconnected).
    const settle = (f: (h: HostLive) => HostLive): void => {
      if (!this.disconnected.has(hostName)) this.update(hostName, f);
    };
    let ctx: BackendContext;
    try {
      ctx = await this.context(hostName);
    } catch (err) {
      settle((h) => unreachable(h, { kind: 'error', message: (err as Error).message }));
      return;
    }
    const hostProbes = this.hostProbes(ctx);
    const listed = [...this.vmsByBackend(hostName)].map(([kind, names]) => ({ kind, names, backend: this.deps.backends[kind] }));
    const vms: HostLive['vms'] = {};
    const undeclared: HostLive['undeclared'] = [];
    // Every backend's listing and the host's probes in ONE round trip; a backend without a listing
    // probe lists itself (a round trip of its own).
    const probes: Probe<unknown>[] = [];
    const listings = listed.map(({ names, backend }): Promise<Settled<HostListing>> | Probe<HostListing> | undefined => {
      if (!backend) return undefined;
      if (!backend.listProbe) return this.counted(hostName, backend.list(ctx, names)).then((value) => ({ ok: true as const, value }), (error: Error) => ({ ok: false as const, error }));
      try {
        const p = backend.listProbe(ctx, names);
        probes.push(p);
        return p;
      } catch (error) {
        return Promise.resolve({ ok: false as const, error: error as Error });
      }
    });
    probes.push(...hostProbes.map((p) => p.probe));
    if (probes.some((p) => p.argv)) this.count(hostName);
    const answers = new Map(probes.map((p, i) => [p, i]));
    const settled = await runBatch(ctx, probes);
    const answerOf = <T>(p: Probe<T>): Settled<T> => settled[answers.get(p)!] as Settled<T>;
    const host: Pick<HostLive, 'health' | 'net'> = {};
    for (const h of hostProbes) h.keep(answerOf(h.probe), host);
    let failure: Unreachable | undefined;
    for (const [i, { kind, names, backend }] of listed.entries()) {
      const l = listings[i];
      if (!backend || !l) {
        for (const n of names) vms[n] = { state: 'unknown', detail: `backend ${kind} not supported yet` };
        continue;
      }
      const r = 'parse' in l ? answerOf(l) : await l;
      if (r.ok) {
        Object.assign(vms, r.value.vms);
        for (const u of r.value.undeclared) undeclared.push({ ...u, backend: kind });
      } else {
        failure ??= listingFailure(hostName, kind, backend, r.error);
      }
    }
    // A listing that failed makes the host unreachable; what the round trip's other probes read is kept
    // (libvirtd down: the Services node says so).
    if (failure) settle((h) => ({ ...unreachable(h, failure), ...host }));
    else settle(() => ({ connection: { kind: 'connected' }, vms, undeclared, refreshedAt: Date.now(), ...host }));
  }

  /** The host's own probes of a refresh (Services, networks) and where each answer goes. */
  private hostProbes(ctx: BackendContext): { probe: Probe<unknown>; keep(r: Settled<unknown>, into: Pick<HostLive, 'health' | 'net'>): void }[] {
    const out: ReturnType<Lab['hostProbes']> = [];
    const health = this.deps.health?.(ctx);
    if (health) {
      const zfs = isMicrovmHost(ctx.topology, ctx.hostName);
      out.push({ probe: health, keep: (r, into) => { into.health = r.ok ? (r.value as HostHealth) : healthError(r.error.message, zfs); } });
    }
    if (this.deps.probeNetworks && this.hasNetworks(ctx.hostName)) {
      this.netRoundTrips.set(ctx.hostName, (this.netRoundTrips.get(ctx.hostName) ?? 0) + 1);
      out.push({ probe: hostNetProbe(ctx), keep: (r, into) => { into.net = r.ok ? (r.value as HostNetProbe) : hostNetError(ctx, r.error); } });
    }
    return out;
  }

  private count(hostName: string): void {
    this.roundTrips.set(hostName, (this.roundTrips.get(hostName) ?? 0) + 1);
  }

  private counted<T>(hostName: string, p: Promise<T>): Promise<T> {
    this.count(hostName);
    return p;
  }

  /** The file declares a network on the host (its Networks node has something to show). */
  hasNetworks(hostName: string): boolean {
    return Object.values(this.topology.networks ?? {}).some((n) => n?.host === hostName);
  }

  /** Hosts whose Networks node is open: their counters are live data, polled while the view is visible. */
  private readonly netShown = new Set<string>();

  setNetworksShown(hostName: string, shown: boolean): void {
    if (shown) this.netShown.add(hostName);
    else this.netShown.delete(hostName);
  }

  /**
   * Disconnect from Host: the host's streams stop, it is shown disconnected (its VMs with their last
   * known state) and nothing remote runs for it — no listing, poll or stream, and commands say so —
   * until connect(). The caller closes the SSH connection.
   */
  disconnect(hostName: string): void {
    if (this.topology.offline) return; // never connected: it stays offline
    this.disconnected.add(hostName);
    this.unwatch(hostName);
    this.update(hostName, (h) => unreachable(h, { kind: 'disconnected' }));
  }

  /** Connect to Host: the host may be used again (the caller refreshes and watches it). */
  connect(hostName: string): void {
    if (!this.disconnected.delete(hostName)) return;
    this.update(hostName, (h) => ({ ...h, connection: { kind: 'idle' } }));
  }

  isDisconnected(hostName: string): boolean {
    return this.disconnected.has(hostName);
  }

  /**
   * The host and backend of a VM of this lab: declared in the file, or — `undeclaredOn` — found on
   * that host by a listing, undeclared, and driven by a backend with the `undeclared` capability.
   * Throws naming what is missing.
   */
  vmRef(vmName: string, undeclaredOn?: string): { host: string; kind: BackendKind; backend: VmBackend; declared: boolean } {
    if (undeclaredOn === undefined) {
      const vm = this.topology.vms?.[vmName];
      if (!vm) throw new Error(`No VM named ${vmName} in this topology.`);
      const backend = this.deps.backends[vm.backend];
      if (!backend) throw new Error(`Backend ${vm.backend} is not supported yet (VM ${vmName}).`);
      return { host: vm.host, kind: vm.backend, backend, declared: true };
    }
    const u = this.host(undeclaredOn).undeclared.find((x) => x.name === vmName);
    if (!u) throw new Error(`${vmName} is neither in this topology nor listed on ${undeclaredOn} (refresh the host).`);
    const backend = this.deps.backends[u.backend];
    if (!backend?.undeclared) throw new Error(`vsim cannot drive ${u.backend} VMs that are not in the file (${vmName} on ${undeclaredOn}); add it to the topology first.`);
    return { host: undeclaredOn, kind: u.backend, backend, declared: false };
  }

  /** The last listed status of a VM (declared, or undeclared on `undeclaredOn`). */
  status(vmName: string, undeclaredOn?: string): VmStatus | undefined {
    if (undeclaredOn !== undefined) return this.host(undeclaredOn).undeclared.find((x) => x.name === vmName)?.status;
    const host = this.topology.vms?.[vmName]?.host;
    return host ? this.host(host).vms[vmName] : undefined;
  }

  /** Runs a lifecycle operation on a VM (queued behind others on the same VM), then refreshes its host. */
  async lifecycle(vmName: string, op: LifecycleOp, undeclaredOn?: string): Promise<void> {
    if (!this.deps.trusted()) throw new Error(UNTRUSTED);
    const { host, backend } = this.vmRef(vmName, undeclaredOn);
    await this.queue.run(vmName, op, async () => {
      const ctx = await this.context(host);
      await backend.lifecycle(ctx, vmName, op);
    });
    await this.refresh(host);
  }

  /** The backend of a VM (commands ask it for its capabilities instead of branching on the kind). */
  backendOf(vmName: string, undeclaredOn?: string): VmBackend | undefined {
    try {
      return this.vmRef(vmName, undeclaredOn).backend;
    } catch {
      return undefined;
    }
  }

  /** The backend of a kind (for what the host listed under that kind: its capabilities). */
  backendOfKind(kind: BackendKind): VmBackend | undefined {
    return this.deps.backends[kind];
  }

  /**
   * Every VM of the host the file does not declare (under any host), from each backend that can
   * drive such VMs — including backends the file has no VM of on this host (a host nobody described
   * yet). One listing per such backend; a backend that cannot list here is a note, not a failure.
   */
  async discoverUndeclared(hostName: string): Promise<{ found: { name: string; backend: BackendKind; status: VmStatus }[]; notes: string[] }> {
    const ctx = await this.context(hostName);
    const byKind = this.vmsByBackend(hostName);
    const declared = new Set(Object.keys(this.topology.vms ?? {}));
    const found: { name: string; backend: BackendKind; status: VmStatus }[] = [];
    const notes: string[] = [];
    for (const [kind, backend] of Object.entries(this.deps.backends) as [BackendKind, VmBackend | undefined][]) {
      if (!backend?.undeclared) continue;
      try {
        const listing = await backend.list(ctx, byKind.get(kind) ?? []);
        for (const u of listing.undeclared) if (!declared.has(u.name)) found.push({ ...u, backend: kind });
      } catch (err) {
        notes.push(`${kind}: could not list ${hostName} (${(err as Error).message.split('\n')[0]})`);
      }
    }
    return { found, notes };
  }

  /** The plan engine's deps: this Lab's runners, backends, trust and per-VM queue. */
  private planDeps(): PlanDeps {
    return {
      ...this.deps,
      // A host the user disconnected is not reached by plan or apply either.
      runnerFor: async (name, host, t) => {
        if (this.disconnected.has(name)) throw new Error(disconnectedMessage(name));
        return this.deps.runnerFor(name, host, t);
      },
      queue: (vm, op, f) => this.queue.run(vm, op, f),
    };
  }

  private planInput(input: LabPlanInput): PlanInput {
    return { ...input, topology: this.topology };
  }

  /** Refreshes the hosts a bring-up touched (all of the run's hosts), whatever its outcome. */
  private async after<T>(input: LabPlanInput, p: Promise<T>): Promise<T> {
    try {
      return await p;
    } finally {
      await Promise.all((input.hosts ?? this.hostNames()).map((h) => this.refresh(h)));
    }
  }

  /** What differs between the file and its hosts (src/plan/planLab). */
  plan(input: LabPlanInput = {}): Promise<Plan> {
    return planLab(this.planInput(input), this.planDeps());
  }

  apply(plan: Plan, ids: readonly string[] | 'all', input: LabPlanInput = {}, opts: ApplyOptions = {}): Promise<ApplyResult> {
    return this.after(input, applyPlan(plan, ids, this.planInput(input), this.planDeps(), opts));
  }

  up(input: LabPlanInput = {}, opts: ApplyOptions = {}): Promise<ApplyResult> {
    return this.after(input, upLab(this.planInput(input), this.planDeps(), opts));
  }

  down(input: LabPlanInput = {}, opts: ApplyOptions & { timeoutMs?: number } = {}): Promise<ApplyResult> {
    return this.after(input, downLab(this.planInput(input), this.planDeps(), opts));
  }

  destroy(input: LabPlanInput = {}, opts: ApplyOptions = {}): Promise<ApplyResult> {
    return this.after(input, destroyLab(this.planInput(input), this.planDeps(), opts));
  }

  /** Starts the backends' event streams for a host (where they have one). */
  async watch(hostName: string): Promise<void> {
    if (this.watchers.has(hostName)) return;
    this.watchers.set(hostName, []);
    let ctx: BackendContext;
    try {
      ctx = await this.context(hostName);
    } catch {
      this.watchers.delete(hostName);
      return;
    }
    const subs = this.watchers.get(hostName);
    if (!subs) return;
    for (const kind of this.vmsByBackend(hostName).keys()) {
      const backend = this.deps.backends[kind];
      if (backend?.watch) subs.push(backend.watch(ctx, () => void this.refresh(hostName)));
    }
  }

  /** Whether the host has a live event stream for every backend it uses (then polling is not needed). */
  isFullyWatched(hostName: string): boolean {
    if (!this.watchers.has(hostName)) return false;
    if (this.deps.probeNetworks && this.netShown.has(hostName)) return false;
    return [...this.vmsByBackend(hostName).keys()].every((k) => !!this.deps.backends[k]?.watch);
  }

  unwatch(hostName?: string): void {
    for (const [name, subs] of this.watchers) {
      if (hostName && name !== hostName) continue;
      subs.forEach((s) => s.dispose());
      this.watchers.delete(name);
    }
  }

  dispose(): void {
    this.unwatch();
    this.queue.dispose();
    this.tc.dispose();
    this.changed.dispose();
  }
}
