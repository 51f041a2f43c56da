// What "Build image", "Deploy slot" and "Deploy host" run, and where: argv from src/nix, decided
// from the topology. Pure: no vscode import.
import type { Topology } from '../model/types';
import { nixBuildCommand, nixosRebuildCommand, resolveFlakeRef } from '../nix/commands';

export interface BuildPlan {
  /** Host the command runs on. */
  host: string;
  argv: string[];
  /** What the notification calls it. */
  title: string;
  /** The flake reference built / deployed. */
  flakeRef: string;
}

export interface NixSettings {
  /** Text for NIX_CONFIG (nix.conf lines); '' = none. */
  config?: string;
  /** Pass --offline to nix build. */
  offline?: boolean;
  /** More environment variables for the remote command (NIX_SSHOPTS, TMPDIR, …). */
  environment?: Record<string, string>;
}

/** Environment for the remote command: `environment`, plus NIX_CONFIG when `config` is set. */
export function nixEnv(s: NixSettings): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.environment ?? {})) if (typeof v === 'string') env[k] = v;
  if (s.config?.trim()) env.NIX_CONFIG = s.config.trim();
  return env;
}

/** `nix build` of the VM's `image.flake` (relative refs resolved against its host's `flake`) on its host. */
export function imageBuildPlan(t: Topology, vmName: string, s: NixSettings = {}): BuildPlan {
  const vm = t.vms?.[vmName];
  if (!vm) throw new Error(`No VM named ${vmName} in this topology.`);
  if (!vm.image?.flake) throw new Error(`VM ${vmName} has no image.flake in the topology: nothing to build.`);
  const hostFlake = t.hosts[vm.host]?.flake;
  if ((vm.image.flake === '.' || vm.image.flake.startsWith('.#')) && !hostFlake) {
    throw new Error(`VM ${vmName}: image.flake ${vm.image.flake} is relative, but host ${vm.host} has no \`flake\` to resolve it against.`);
  }
  const flakeRef = resolveFlakeRef(vm.image.flake, hostFlake);
  const argv = nixBuildCommand(flakeRef, { ...(vm.image.outLink ? { outLink: vm.image.outLink } : {}), ...(s.offline ? { offline: true } : {}) });
  return { host: vm.host, argv, title: `Building image of ${vmName} on ${vm.host}`, flakeRef };
}

/**
 * Seed 002's slot deploy, run on the hypervisor: `nixos-rebuild switch --flake <host flake>#<VM>
 * --target-host root@<slot IP>`, with Nix's machine-readable log for the progress
 * (`--log-format internal-json -v`, passed through by nixos-rebuild to nix).
 */
export function slotDeployPlan(t: Topology, slotOrVm: string): BuildPlan & { vm: string; slot: string; ip: string } {
  const slotName = t.slots?.[slotOrVm] ? slotOrVm : t.vms?.[slotOrVm]?.slot;
  const slot = slotName ? t.slots?.[slotName] : undefined;
  if (!slotName || !slot) throw new Error(`No slot named ${slotOrVm} (and no VM in such a slot) in this topology.`);
  const vm = Object.entries(t.vms ?? {}).find(([, v]) => v.slot === slotName)?.[0] ?? slotName;
  const ip = slot.ip ?? t.vms?.[vm]?.nics?.find((n) => n.ip)?.ip;
  if (!ip) throw new Error(`Slot ${slotName} has no IP in the topology (slots.${slotName}.ip): no target host for nixos-rebuild.`);
  const hostFlake = t.hosts[slot.host]?.flake;
  if (!hostFlake) throw new Error(`Host ${slot.host} has no \`flake\` in the topology: nixos-rebuild needs the flake that defines ${vm}.`);
  const flakeRef = `${hostFlake}#${vm}`;
  const argv = [...nixosRebuildCommand(flakeRef, ip), '--log-format', 'internal-json', '-v'];
  return { host: slot.host, argv, title: `Deploying ${vm} to ${slotName} (${ip}) from ${slot.host}`, flakeRef, vm, slot: slotName, ip };
}

/**
 * The hypervisor's own configuration: `nixos-rebuild switch --flake <host flake>#<host>` run ON the
 * host over its SSH connection (the flake is a path or ref on the host, as the schema says), with
 * `--target-host root@<address>` only when the caller runs it elsewhere (`targetHost`).
 */
export function hostDeployPlan(t: Topology, hostName: string, opts: { targetHost?: string } = {}): BuildPlan {
  const host = t.hosts[hostName];
  if (!host) throw new Error(`No host named ${hostName} in this topology.`);
  if (!host.flake) throw new Error(`Host ${hostName} has no \`flake\` in the topology: set hosts.${hostName}.flake to the flake holding nixosConfigurations.${hostName}.`);
  const flakeRef = `${host.flake}#${hostName}`;
  const base = opts.targetHost
    ? nixosRebuildCommand(flakeRef, opts.targetHost)
    : nixosRebuildCommand(flakeRef, 'localhost').slice(0, 4); // nixos-rebuild switch --flake REF
  return { host: hostName, argv: [...base, '--log-format', 'internal-json', '-v'], title: `Deploying ${hostName} (nixos-rebuild switch)`, flakeRef };
}

/** One host of a "Deploy Lab": the command run on this machine, from the local checkout. */
export interface LabDeployPlan extends BuildPlan {
  /** `USER@HOST` nixos-rebuild connects to (the host's ssh config alias, else its address). */
  target: string;
}

/**
 * Seed 002's deploy for every host of the lab, run from the local checkout (the flake holding
 * `nixosConfigurations.<host>`): `nixos-rebuild switch --flake <checkout>#<host> --target-host
 * <user>@<sshConfigHost or address>`, with Nix's machine-readable log for the progress. Hosts that
 * nixos-rebuild's OpenSSH cannot reach by that name alone (a port, key or jump the topology sets
 * without an ssh config alias) are refused with the reason: NIX_SSHOPTS is one list for all.
 */
export function labDeployPlans(t: Topology, checkout: string, hosts: readonly string[] = Object.keys(t.hosts)): LabDeployPlan[] {
  return hosts.map((hostName) => {
    const host = t.hosts[hostName];
    if (!host) throw new Error(`No host named ${hostName} in this topology.`);
    const via = host.sshConfigHost ?? host.address;
    if (!via) throw new Error(`Host ${hostName} has neither sshConfigHost nor address: nixos-rebuild --target-host needs one.`);
    if (!host.sshConfigHost && (host.port || host.identityFile || host.proxyJump)) {
      throw new Error(`Host ${hostName} sets port/identityFile/proxyJump without sshConfigHost: give it an ~/.ssh/config alias (hosts.${hostName}.sshConfigHost) so that nixos-rebuild's ssh reaches it the same way.`);
    }
    const flakeRef = `${checkout}#${hostName}`;
    const argv = [...nixosRebuildCommand(flakeRef, via, { user: host.user ?? 'root' }), '--log-format', 'internal-json', '-v'];
    const target = argv[argv.indexOf('--target-host') + 1] as string;
    return { host: hostName, argv, title: `Deploying ${hostName} (nixos-rebuild switch --target-host ${target})`, flakeRef, target };
  });
}
