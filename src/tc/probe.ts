// Side-effect-free probes of the host kernel's tc support (in a throwaway network namespace). Pure.

/** Exit 0: netem works. Fails with "Specified qdisc kind is unknown" (exit 2) when the kernel lacks it. */
export function netemProbe(): string[] {
  return ['unshare', '-n', 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'];
}

/** Exit 0: the gact action (`action drop`) works. Fails with "Failed to load TC action module" without it. */
export function gactProbe(): string[] {
  return ['unshare', '-n', 'sh', '-c',
    'tc qdisc add dev lo handle ffff: ingress && tc filter add dev lo parent ffff: protocol ip prio 1 u32 match u32 0 0 action drop'];
}

/** True when a probe's stderr says the kernel lacks the feature (as opposed to, e.g., no permission). */
export function isMissingFeature(stderr: string): boolean {
  return /Specified qdisc kind is unknown|Failed to load TC action module|Unknown action|TC classifier not found/.test(stderr);
}

export function netemUnavailableMessage(host: string): string {
  return `netem not available on ${host}`;
}
