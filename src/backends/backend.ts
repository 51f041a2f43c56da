// The one interface every backend implements, so the tree, commands and graph do not care
// whether a VM is a libvirt domain, a microvm@ unit, a QEMU process or a cloud-hypervisor node.
// Pure: commands go through a CommandRunner (the SSH control shell in the extension, a fake in tests).
import { RemoteCommandError } from '../remote/controlShell';
import type { Disposable } from '../remote/events';
import type { Backend as BackendKind, Host, Topology } from '../model/types';
import type { FoundVm } from '../model/edits/adopt';

export interface ExecResult {
  stdout: string;
  stderr: string;
  code: number;
  durationMs: number;
}

export interface CommandRunner {
  /**
   * Runs one command (argv, quoted by the runner) and collects its output. `channel`: a long
   * command that may run side by side with others on the host (its own SSH exec channel instead of
   * waiting its turn on the host's control shell); runners without channels ignore it.
   */
  exec(argv: readonly string[], opts?: { timeoutMs?: number; stdin?: string; channel?: boolean }): Promise<ExecResult>;
  /** Starts a long-running command; each stdout line is delivered; `done` settles with its exit code. */
  follow?(argv: readonly string[], onLine: (line: string) => void): { done: Promise<number>; dispose(): void };
  /** Starts a long-running command on its own channel with raw stdout and stderr (binary-safe, e.g. a pcap). */
  streamRaw?(argv: readonly string[], sinks: { onStdout(chunk: Buffer): void; onStderr(chunk: Buffer): void }): { done: Promise<number>; dispose(): void };
}

/**
 * One question for a host: its command and the parser of what the command printed (probe.ts runs
 * one alone; batch.ts asks a host's probes in one round trip).
 */
export interface Probe<T> {
  /** What it asks, for messages: `libvirt listing`, `Services probe`. */
  readonly label: string;
  /** The command (argv, quoted by the runner); absent: nothing to ask (`parse` gets an empty, successful result). */
  readonly argv?: readonly string[];
  /** How long the command may take (the runner's default when absent). */
  readonly timeoutMs?: number;
  /** What the command printed → the answer; throws (naming host and command) when it failed. */
  parse(r: ExecResult): T;
}

export type VmState = 'running' | 'paused' | 'stopped' | 'crashed' | 'starting' | 'stopping' | 'missing' | 'unknown';

export interface VmStatus {
  state: VmState;
  /** Backend words for the state, e.g. `shut off (destroyed)`, `active/running`, `Created`. */
  detail?: string;
  /** Backend-specific facts for the tooltip (booted/current system, state assigned to a slot…). */
  facts?: Record<string, string>;
  /** While the host is unreachable (state `unknown`): the state last listed and when (ms since the epoch). */
  lastKnown?: { state: VmState; at: number };
}

export interface HostListing {
  /** Status of every VM of the topology on this host that the backend handles. */
  vms: Record<string, VmStatus>;
  /** VMs found on the host that the topology does not declare. */
  undeclared: { name: string; status: VmStatus }[];
}

export type LifecycleOp = 'start' | 'shutdown' | 'destroy' | 'reboot' | 'suspend' | 'resume';

export interface BackendContext {
  hostName: string;
  host: Host;
  topology: Topology;
  run: CommandRunner;
}

export interface VmBackend {
  readonly kind: BackendKind;
  /** A program the host must have; missing → the host is shown as "missing TOOL". */
  readonly tool: string;
  /** Lists the given VMs of one host in one round trip, whatever their number. */
  list(ctx: BackendContext, vmNames: readonly string[]): Promise<HostListing>;
  /**
   * The listing as a command and its parser (what `list` runs), so a refresh asks it in the host's
   * one round trip with the other backends' and the host's probes (batch.ts). Absent: the refresh
   * calls `list`, a round trip of its own.
   */
  listProbe?(ctx: BackendContext, vmNames: readonly string[]): Probe<HostListing>;
  lifecycle(ctx: BackendContext, vmName: string, op: LifecycleOp): Promise<void>;
  /** Live changes where the backend has an event stream; calls back with the VM names that changed. */
  watch?(ctx: BackendContext, onChange: (vmNames: string[] | 'all') => void): Disposable;
  /** argv and pty need of the serial console of a VM; `force` takes over a busy one where `consoleOptions.force`. */
  console?(ctx: BackendContext, vmName: string, opts?: ConsoleOptions): { argv: string[]; pty: boolean };
  /** The VM's log as a followed, read-only stream ("Show Log"; microvm: the unit's journal). */
  followLog?(ctx: BackendContext, vmName: string): { argv: string[]; pty: boolean };
  /** What the console accepts besides the default (absent: nothing). */
  readonly consoleOptions?: { force?: boolean };
  /**
   * Who holds a busy console, one line each (`virsh (pid 12, user root, up 01:02, from sshd: …)`),
   * where the console program itself does not say (libvirt: the host's `virsh console` of the domain).
   */
  consoleHolders?(ctx: BackendContext, vmName: string): Promise<string[]>;
  /** The serial output since the VM's last boot as the host keeps it ("Show Boot Log", boot progress). */
  bootLog?(ctx: BackendContext, vmName: string): BootLogSource;
  /** Bring-up: how the backend compares and makes the VMs the file declares (plan/apply/destroy). */
  provisioner?: Provisioner;
  /** Named snapshots of a VM (libvirt snapshot-*, cloud-hypervisor vm.snapshot / vm.restore). */
  snapshots?: Snapshots;
  /** Memory saved to a file on the host and restored from it (libvirt save / restore). */
  save?: SaveRestore;
  /**
   * VMs the host has that the file does not declare (its `list` reports them in `undeclared`): with
   * this capability the backend drives them by name like declared ones (lifecycle, console,
   * snapshots and save need no topology entry) and reads their definitions ("Add to Topology").
   */
  undeclared?: UndeclaredVms;
  /** What the host says about a running (or defined) VM right now: tooltip and the VM details page. */
  liveFacts?: LiveFacts;
}

export interface LiveInterface {
  /** Host-side device (the tap), when the VM runs. */
  tap?: string;
  mac?: string;
  /** Bridge or network it is attached to. */
  source?: string;
  model?: string;
  rxBytes?: number;
  txBytes?: number;
  rxDrop?: number;
  txDrop?: number;
}

export interface VmLiveFacts {
  /** The host's word for the state (`running`, `shut off`). */
  state?: string;
  vcpus?: number;
  memoryKiB?: number;
  maxMemoryKiB?: number;
  /** CPU time used since the VM started, in nanoseconds (what the CPU chart differentiates). */
  cpuTimeNs?: number;
  interfaces: LiveInterface[];
  disks: { target: string; source?: string; device?: string; type?: string }[];
  /** IPv4 addresses the guest agent reports; absent with `agentNote` saying why. */
  agentIps?: string[];
  agentNote?: string;
}

export interface LiveFacts {
  /** Everything about one VM in ONE round trip. Throws naming host and VM when the host does not know it. */
  read(ctx: BackendContext, vmName: string): Promise<VmLiveFacts>;
}

/** Where a VM's boot log is on its host and the commands that read it. */
export interface BootLogSource {
  /** What it is, for messages (`/var/log/libvirt/qemu/chassis-serial.log (libvirt <log file>)`). */
  where: string;
  /** Prints the log of the last boot (the last few MiB of it). */
  read: string[];
  /** Prints it from its first line and follows it (tail -F: a reboot truncating it is followed). */
  follow: string[];
}

export interface UndeclaredVms {
  /** What the host defines for these VMs, in ONE round trip; a VM it cannot read gets the reason. */
  read(ctx: BackendContext, names: readonly string[]): Promise<Record<string, FoundVm | { error: string }>>;
}

export interface ConsoleOptions {
  /** Take over a console another client holds (libvirt `virsh console --force`). */
  force?: boolean;
}

/** `running`: the VM's state as the caller last saw it (cloud-hypervisor pauses a running VM around a snapshot). */
export interface Snapshots {
  list(ctx: BackendContext, vm: string): Promise<string[]>;
  create(ctx: BackendContext, vm: string, name: string, opts: { running: boolean }): Promise<void>;
  revert(ctx: BackendContext, vm: string, name: string, opts: { running: boolean }): Promise<void>;
  delete(ctx: BackendContext, vm: string, name: string): Promise<void>;
  /** What a revert does, for the confirmation. */
  revertDetail(topology: Topology, vm: string, name: string): string;
}

export interface SaveRestore {
  /** Where a save goes unless the user says otherwise. */
  defaultFile(vm: string): string;
  save(ctx: BackendContext, vm: string, file: string): Promise<void>;
  restore(ctx: BackendContext, vm: string, file: string): Promise<void>;
}

/**
 * A VM's definition as comparable text fields (`vcpus`, `memory`, `arch`, `accel`, `kernel`,
 * `initrd`, `cmdline`, `disks[0].path`, `nics[0].network`, `nics[0].mac`, `nics[0].tap`, `qos…`):
 * the file's side from `declared`, the host's from `inspect`, compared field by field (plan/diff.ts).
 */
export type VmSpec = Record<string, string>;

export interface InspectedVm {
  /** The host has the VM (a domain, a created cloud-hypervisor VM, a built slot). */
  exists: boolean;
  running: boolean;
  /** What the host has, in `declared`'s fields; absent when the backend cannot read it. */
  spec?: VmSpec;
  /** microvm slots: booted ≠ current (`stale`), current ≠ fresh evaluation (`outdated`), nothing built. */
  drift?: 'stale' | 'outdated' | 'not-built';
  /** Running an older build than the one provisioned (microvm: booted ≠ current): offer a restart, never do it unasked. */
  restartNeeded?: boolean;
  detail?: string;
}

export interface Provisioner {
  /** Programs the host needs to provision (besides `tool`), e.g. `cloud-hypervisor`, `nix`. */
  readonly tools?: readonly string[];
  /** What the host has for these VMs, in ONE round trip whatever their number. */
  inspect(ctx: BackendContext, vmNames: readonly string[], opts?: { evaluate?: boolean }): Promise<Record<string, InspectedVm>>;
  /** The file's side of the comparison, in the fields `inspect` reports. Pure. */
  declared(topology: Topology, vmName: string): VmSpec;
  /** Makes the host hold the declared VM (define / redefine, start the VMM + vm.create, build the slot). Idempotent; does not boot it. */
  provision(ctx: BackendContext, vmName: string): Promise<void>;
  /** Removes what `provision` made, after the caller stopped the VM. Never called for undeclared VMs. */
  deprovision(ctx: BackendContext, vmName: string): Promise<void>;
}

export { RemoteCommandError };

export async function mustRun(ctx: BackendContext, argv: readonly string[], opts?: { timeoutMs?: number; stdin?: string; channel?: boolean }): Promise<ExecResult> {
  const r = await ctx.run.exec(argv, opts);
  if (r.code !== 0) throw RemoteCommandError.fromResult(ctx.hostName, argv, r);
  return r;
}
