// libvirt backend (seeds 000/001): domains driven with virsh over the host's CommandRunner.
// list: ONE `virsh domstats --state` for every domain of the host; watch: `virsh event --loop`
// streamed, reconnected with backoff when libvirtd restarts. Pure (no vscode).
import { mustRun, RemoteCommandError, type BackendContext, type HostListing, type LifecycleOp, type VmBackend, type VmState, type VmStatus } from '../backend';
import { mustProbe, runProbe, type Probe } from '../probe';
import type { Disposable } from '../../remote/events';
import { delay } from '../script';
import { domainOf, keysByDomain } from './domains';
import { parseDomstats } from './parseDomstats';
import { VirshEventParser } from './parseEvents';
import type { DomainState } from './parseState';
import { renderDomainXml, type DomainXmlOptions } from './renderDomainXml';
import * as virsh from './renderVirsh';
import { createLibvirtProvisioner } from './provisioner';
import { libvirtSave, libvirtSnapshots } from './snapshots';
import { libvirtUndeclared } from './adopt';
import { consoleHoldersArgv, libvirtBootLog } from './consoleLog';
import { libvirtLiveFacts } from './liveFacts';

export interface LibvirtBackendOptions {
  /** How long `shutdown` waits for the domain to be shut off before failing with an offer to destroy. */
  shutdownTimeoutMs?: number;
  /** Poll interval of that wait. */
  shutdownPollMs?: number;
  /** Backoff of the event stream's reconnects: first and longest delay. */
  reconnectMinMs?: number;
  reconnectMaxMs?: number;
  /**
   * `virsh event --loop` says nothing when it has subscribed, so an event between the start of the
   * stream and the subscription is lost: one re-list this long after each (re)start closes that gap.
   */
  streamSettleMs?: number;
}

/** `virsh shutdown` was accepted but the domain kept running: the UI turns this into "Destroy?". */
export class ShutdownTimeoutError extends Error {
  readonly offerDestroy = true;
  constructor(readonly host: string, readonly vm: string, readonly seconds: number, readonly lastState: string) {
    super(`${vm} on ${host} did not stop within ${seconds} s after an ACPI shutdown (still ${lastState}); ` +
      'the guest may ignore the power button. Destroy it (hard power-off)?');
  }
}

/** A second console on a domain: libvirt allows one; `console(…, { force: true })` takes it over. */
export const CONSOLE_BUSY = /Active console session exists/i;
/** What the first console sees when another one took over with --force. */
export const CONSOLE_TAKEN_OVER = /stream had I\/O failure/i;

export function libvirtUri(ctx: BackendContext): string {
  return ctx.host.libvirtUri ?? virsh.DEFAULT_URI;
}

const STATE_MAP: Record<DomainState, VmState> = {
  nostate: 'unknown', running: 'running', blocked: 'running', paused: 'paused', shutdown: 'stopping',
  shutoff: 'stopped', crashed: 'crashed', pmsuspended: 'paused',
};
const STATE_WORD: Record<DomainState, string> = {
  nostate: 'no state', running: 'running', blocked: 'blocked', paused: 'paused', shutdown: 'in shutdown',
  shutoff: 'shut off', crashed: 'crashed', pmsuspended: 'pmsuspended',
};
// virDomainShutoffReason / virDomainPausedReason words worth showing.
const SHUTOFF_REASONS = ['unknown', 'shutdown', 'destroyed', 'crashed', 'migrated', 'saved', 'failed', 'from snapshot', 'daemon'];
const PAUSED_REASONS = ['unknown', 'user', 'migration', 'save', 'dump', 'ioerror', 'watchdog', 'from snapshot', 'shutdown', 'snapshot', 'api error', 'starting up', 'postcopy', 'postcopy failed'];

function status(state: DomainState, reason: number | undefined): VmStatus {
  const word = STATE_WORD[state];
  const why = reason === undefined ? undefined : state === 'shutoff' ? SHUTOFF_REASONS[reason] : state === 'paused' ? PAUSED_REASONS[reason] : undefined;
  return { state: STATE_MAP[state], detail: why && why !== 'unknown' ? `${word} (${why})` : word };
}

function stateOf(domstateOutput: string): string {
  return domstateOutput.trim().split('\n')[0]?.trim() ?? '';
}

export function createLibvirtBackend(options: LibvirtBackendOptions = {}): VmBackend & {
  define(ctx: BackendContext, vmName: string, xmlOptions?: DomainXmlOptions): Promise<void>;
  undefine(ctx: BackendContext, vmName: string, opts?: { nvram?: boolean }): Promise<void>;
  console(ctx: BackendContext, vmName: string, opts?: { force?: boolean }): { argv: string[]; pty: boolean };
} {
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? 60_000;
  const shutdownPollMs = options.shutdownPollMs ?? 500;
  const reconnectMinMs = options.reconnectMinMs ?? 1000;
  const reconnectMaxMs = options.reconnectMaxMs ?? 30_000;
  const streamSettleMs = options.streamSettleMs ?? 2000;

  async function waitShutOff(ctx: BackendContext, vm: string): Promise<void> {
    const uri = libvirtUri(ctx);
    const deadline = Date.now() + shutdownTimeoutMs;
    let last = 'running';
    for (;;) {
      const r = await mustRun(ctx, virsh.domstate(uri, domainOf(ctx.topology, vm)));
      last = stateOf(r.stdout);
      if (last.startsWith('shut off')) return;
      if (Date.now() >= deadline) throw new ShutdownTimeoutError(ctx.hostName, vm, Math.round(shutdownTimeoutMs / 1000), last);
      await delay(Math.min(shutdownPollMs, Math.max(0, deadline - Date.now())));
    }
  }

  /** ONE `virsh domstats --state` → every declared domain's state and the host's undeclared ones. */
  function listProbe(ctx: BackendContext, vmNames: readonly string[]): Probe<HostListing> {
    return mustProbe(ctx, 'libvirt listing', virsh.domstats(libvirtUri(ctx)), (r) => {
      const found = new Map(parseDomstats(r.stdout).map((d) => [d.name, d]));
      const vms: Record<string, VmStatus> = {};
      const declared = keysByDomain(ctx.topology, vmNames);
      for (const [domain, n] of declared) {
        const d = found.get(domain);
        vms[n] = d ? status(d.state, d.reason) : { state: 'missing', detail: `no libvirt domain ${domain} on ${ctx.hostName}` };
      }
      const undeclared = [...found.values()].filter((d) => !declared.has(d.name)).map((d) => ({ name: d.name, status: status(d.state, d.reason) }));
      return { vms, undeclared };
    });
  }

  return {
    kind: 'libvirt',
    tool: 'virsh',
    provisioner: createLibvirtProvisioner({ uri: libvirtUri }),
    snapshots: libvirtSnapshots(libvirtUri),
    save: libvirtSave(libvirtUri),
    undeclared: libvirtUndeclared(libvirtUri),
    liveFacts: libvirtLiveFacts(libvirtUri),
    consoleOptions: { force: true },

    list: async (ctx, vmNames) => runProbe(ctx, listProbe(ctx, vmNames)),

    listProbe,

    async lifecycle(ctx, vmName, op: LifecycleOp) {
      const uri = libvirtUri(ctx);
      const vm = domainOf(ctx.topology, vmName);
      switch (op) {
        // Its own channel: a host's starts run side by side (a TCG start takes seconds).
        case 'start': await mustRun(ctx, virsh.start(uri, vm), { channel: true, timeoutMs: 120_000 }); return;
        case 'shutdown':
          // Returns 0 at once even when the guest ignores ACPI: wait for "shut off" with a deadline.
          await mustRun(ctx, virsh.shutdown(uri, vm));
          await waitShutOff(ctx, vmName);
          return;
        case 'destroy': await mustRun(ctx, virsh.destroy(uri, vm), { channel: true, timeoutMs: 120_000 }); return;
        case 'reboot': await mustRun(ctx, virsh.reboot(uri, vm)); return;
        case 'suspend': await mustRun(ctx, virsh.suspend(uri, vm)); return;
        case 'resume': await mustRun(ctx, virsh.resume(uri, vm)); return;
      }
    },

    watch(ctx, onChange): Disposable {
      const follow = ctx.run.follow?.bind(ctx.run);
      if (!follow) return { dispose() { /* runner without streams: the lab polls */ } };
      const argv = virsh.events(libvirtUri(ctx));
      let disposed = false;
      let current: { dispose(): void } | undefined;
      let wake: (() => void) | undefined;
      const loop = async (): Promise<void> => {
        let backoff = reconnectMinMs;
        let first = true;
        while (!disposed) {
          const parser = new VirshEventParser();
          const startedAt = Date.now();
          const deliver = (names: string[]): void => {
            if (!disposed && names.length) onChange([...new Set(names)]);
          };
          const handle = follow(argv, (line) => {
            deliver(parser.push(`${line}\n`).filter((e) => e.type === 'lifecycle' || e.type === 'reboot').map((e) => e.domain));
          });
          current = handle;
          // Events may have been missed while the stream was down: re-list everything; and once more
          // when it has surely subscribed (it does not say when), for events during its start.
          if (!first) onChange('all');
          first = false;
          const settle = setTimeout(() => { if (!disposed && current === handle) onChange('all'); }, streamSettleMs);
          await handle.done.catch(() => -1);
          clearTimeout(settle);
          parser.flush();
          if (disposed) return;
          if (Date.now() - startedAt > 10 * reconnectMinMs) backoff = reconnectMinMs;
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, backoff);
          });
          backoff = Math.min(backoff * 2, reconnectMaxMs);
        }
      };
      void loop();
      return {
        dispose() {
          disposed = true;
          current?.dispose();
          wake?.();
        },
      };
    },

    console(ctx: BackendContext, vmName: string, opts: { force?: boolean } = {}) {
      return { argv: virsh.console(libvirtUri(ctx), domainOf(ctx.topology, vmName), opts), pty: true };
    },

    async consoleHolders(ctx, vmName) {
      const r = await ctx.run.exec(consoleHoldersArgv(domainOf(ctx.topology, vmName)));
      return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
    },

    bootLog: (ctx, vmName) => libvirtBootLog(libvirtUri(ctx), domainOf(ctx.topology, vmName)),

    async define(ctx, vmName, xmlOptions = {}) {
      const xml = renderDomainXml(ctx.topology, vmName, xmlOptions);
      await mustRun(ctx, virsh.define(libvirtUri(ctx)), { stdin: xml });
    },

    async undefine(ctx, vmName, opts = {}) {
      await mustRun(ctx, virsh.undefine(libvirtUri(ctx), domainOf(ctx.topology, vmName), opts));
    },
  };
}

/** True when a failed console start means "someone else holds the console" (offer --force). */
export function isConsoleBusy(err: unknown): boolean {
  if (err instanceof RemoteCommandError) return CONSOLE_BUSY.test(`${err.result?.stderr ?? ''}${err.result?.stdout ?? ''}`);
  return CONSOLE_BUSY.test(String((err as Error)?.message ?? err));
}
