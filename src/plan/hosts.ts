// What plan, apply and the lifecycle share: a host's backend context (untrusted → no context),
// a runner that counts round trips, the host's declared VMs by backend, a concurrency bound. Pure.
import type { BackendContext, CommandRunner } from '../backends/backend';
import type { Backend, Topology } from '../model/types';
import type { PlanDeps, PlanInput } from './types';

export const UNTRUSTED_PLAN = 'This workspace is not trusted: vsim does not connect to hypervisors. Trust the workspace to plan or apply.';

/** Why a host of an `offline: true` file is never reached (plan, apply and every host command). */
export const offlineMessage = (hostName: string): string =>
  `The topology says offline: true: vsim does not connect to ${hostName}. Remove the line to connect.`;

/** Counts exec calls (round trips) of a runner. */
export function countingRunner(run: CommandRunner): CommandRunner & { count: number } {
  const counted: CommandRunner & { count: number } = {
    count: 0,
    exec(argv, opts) {
      counted.count++;
      return run.exec(argv, opts);
    },
  };
  if (run.follow) counted.follow = run.follow.bind(run);
  return counted;
}

export async function hostContext(topology: Topology, deps: PlanDeps, hostName: string): Promise<BackendContext> {
  const host = topology.hosts?.[hostName];
  if (!host) throw new Error(`No host named ${hostName} in this topology.`);
  if (!deps.trusted()) throw new Error(UNTRUSTED_PLAN);
  if (topology.offline) throw new Error(offlineMessage(hostName));
  return { hostName, host, topology, run: await deps.runnerFor(hostName, host, topology) };
}

/** The hosts a run covers: input.hosts, else every host of the file. */
export function hostsOf(input: PlanInput): string[] {
  const all = Object.keys(input.topology.hosts ?? {});
  return input.hosts ? all.filter((h) => input.hosts?.includes(h)) : all;
}

/** Declared VMs of a host by backend, each list in file order. */
export function vmsByBackend(topology: Topology, host: string): Map<Backend, string[]> {
  const out = new Map<Backend, string[]>();
  for (const [name, vm] of Object.entries(topology.vms ?? {})) {
    if (vm?.host !== host) continue;
    out.set(vm.backend, [...(out.get(vm.backend) ?? []), name]);
  }
  return out;
}

/** Runs `work` for every item with at most `n` in flight, starting them in the items' order. */
export async function boundedAll<T>(items: readonly T[], n: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.max(1, Math.min(n, items.length)) }, async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i] as T, i);
    }
  });
  await Promise.all(lanes);
}

/** The per-VM queue of the deps, or none. */
export function queued<T>(deps: PlanDeps, vm: string, op: string, f: () => Promise<T>): Promise<T> {
  return deps.queue ? deps.queue(vm, op, f) : f();
}
