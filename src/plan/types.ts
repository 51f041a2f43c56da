// The plan of a lab: what differs between the topology file and each host, as typed changes.
// Pure (no vscode): built by plan/planLab.ts from each backend's inspection of its host,
// shown by the Plan view, the badges and `vsim plan`, carried out by plan/apply.ts.
import type { CommandRunner, VmBackend } from '../backends/backend';
import type { Backend, Host, Topology } from '../model/types';

/** One field of a declared object that the host has otherwise. */
export interface FieldDiff {
  /** Dotted field name as the user reads it in the file: `memory`, `vcpus`, `nics[0].mac`, `gateway`. */
  field: string;
  /** The value the file declares, as text ('' when the file leaves it out). */
  want: string;
  /** The value the host has, as text ('' when the host has none). */
  have: string;
}

interface ChangeBase {
  /** Stable identity (`HOST/kind/NAME`): the same change keeps its id across plans. */
  id: string;
  host: string;
  /** Why it cannot be applied (a tool missing, the file has errors, an undeclared object). */
  blockedBy?: string;
}

export type Change =
  /** A declared VM the host does not have at all (no domain, no VMM socket, no unit). */
  | (ChangeBase & { kind: 'vm-missing'; vm: string; backend: Backend })
  /** A declared VM whose definition differs; a running VM keeps running until restarted. */
  | (ChangeBase & { kind: 'vm-differs'; vm: string; backend: Backend; fields: FieldDiff[]; running: boolean })
  /** microvm slot: booted ≠ current (`stale`), current ≠ a fresh evaluation (`outdated`), nothing built (`not-built`). */
  | (ChangeBase & { kind: 'slot-drift'; vm: string; slot: string; drift: 'stale' | 'outdated' | 'not-built'; detail?: string })
  /** A VM on the host that the file does not declare: shown, never touched. */
  | (ChangeBase & { kind: 'vm-undeclared'; vm: string; backend: Backend; state?: string })
  /** A declared bridge / OVS bridge the host does not have. */
  | (ChangeBase & { kind: 'network-missing'; network: string; bridge: string })
  /** A declared network whose gateway address, NAT rule or dnsmasq leases differ. */
  | (ChangeBase & { kind: 'network-differs'; network: string; bridge: string; fields: FieldDiff[] })
  /** A tunnel port of a spanning network the host lacks (a vxlan/gretap device or an OVS port). */
  | (ChangeBase & { kind: 'tunnel-missing'; network: string; port: string; bridge: string; tunnel: string; remotes: string[] })
  /** A tunnel port whose identifier, endpoints, bridge or MTU differ: apply recreates it. */
  | (ChangeBase & { kind: 'tunnel-differs'; network: string; port: string; bridge: string; fields: FieldDiff[] })
  /** The default traffic profile the file declares vs what `tc -j` reads back on a VM's interfaces. */
  | (ChangeBase & { kind: 'tc-differs'; vm: string; profile: string; fields: FieldDiff[] })
  /** A program the host needs for some of its changes (`virsh`, `ovs-vsctl`, `dnsmasq`, `cloud-hypervisor`). */
  | (ChangeBase & { kind: 'tool-missing'; tool: string; neededFor: string });

export type ChangeKind = Change['kind'];

/** The comparison of one host: one round trip per backend (and one for networks), whatever the VM count. */
export interface HostPlan {
  host: string;
  changes: Change[];
  /** The host could not be inspected (unreachable, untrusted): the message says why; no changes then. */
  error?: string;
  /** Remote round trips this comparison took (figures and tests). */
  roundTrips: number;
}

export interface Plan {
  /** The topology's diagnostics that block applying (errors); a plan with blockers applies nothing. */
  blockers: { message: string; line?: number; field?: string }[];
  hosts: HostPlan[];
}

/** True for changes that applying would act on (undeclared VMs and blocked changes are only shown). */
export function isApplicable(c: Change): boolean {
  return c.kind !== 'vm-undeclared' && !c.blockedBy;
}

/** Number of applicable changes of a plan (what "in sync" means: zero). */
export function driftCount(plan: Plan): number {
  return plan.hosts.reduce((n, h) => n + h.changes.filter(isApplicable).length, 0);
}

/** Progress of apply / up / down / destroy, one event per item. */
export type ApplyEvent =
  | { kind: 'start'; id: string; host: string; title: string }
  | { kind: 'done'; id: string; host: string; title: string; note?: string }
  | { kind: 'failed'; id: string; host: string; title: string; message: string }
  | { kind: 'skipped'; id: string; host: string; title: string; reason: string };

export interface ApplyOptions {
  onEvent?(e: ApplyEvent): void;
  /** Checked between items: a cancelled run starts nothing new and leaves done items as they are. */
  signal?: AbortSignal;
  /** Most operations in flight on one host at a time (VMs of one host run side by side, bounded). */
  perHostConcurrency?: number;
}

export interface ApplyResult {
  done: string[];
  /** `offerDestroy`: a VM still running after the graceful shutdown's timeout (the UI offers a hard stop). */
  failed: { id: string; message: string; offerDestroy?: boolean }[];
  skipped: string[];
  cancelled: boolean;
  /** Running VMs whose definition changed: "restart needed" (never restarted without asking). */
  restartNeeded: string[];
}

export interface PlanDeps {
  /** A runner for the host (pooled SSH in the extension, one connection per host in the CLI). */
  runnerFor(hostName: string, host: Host, topology: Topology): Promise<CommandRunner>;
  backends: Partial<Record<Backend, VmBackend>>;
  /** False in an untrusted workspace: nothing remote happens, every host plan says why. */
  trusted(): boolean;
  /** Serialises operations on one VM (the Lab's per-VM queue); default: none. */
  queue?<T>(vm: string, op: string, f: () => Promise<T>): Promise<T>;
}

export interface PlanInput {
  topology: Topology;
  /** Error diagnostics of the file: any → the plan is blocked and applies nothing. */
  blockers?: Plan['blockers'];
  /** Limit to these hosts (default all). */
  hosts?: readonly string[];
  /** Also evaluate microvm flakes for `outdated` (slow; only when the user asks). */
  evaluate?: boolean;
}
