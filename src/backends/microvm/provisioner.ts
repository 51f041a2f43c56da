// microvm.nix bring-up (seeds 002/003). A VM is "made" when STATE_DIR/NAME/current points at a
// build of its runner: provision = `nix build <flake>#nixosConfigurations.NAME.config.microvm.declaredRunner
// --out-link STATE_DIR/NAME/current` (the VM's image.flake when it has one), and a running VM is
// then `stale` (booted ≠ current): the restart is offered (restartNeeded), never done here.
// inspect: ONE round trip (systemctl show of the units + readlink -m of booted/current and their
// systems, + with `evaluate` the flake's toplevel per VM) read as `microvm -l` does (parseDrift.ts).
// deprovision = stop microvm@NAME and remove the `current` link; never the VM's state or data.
// Pure (no vscode).
import { nixEnv, type NixSettings } from '../../build/plan';
import { assertName, assertPath } from '../../model/names';
import type { Topology } from '../../model/types';
import { assertFlakeRef, nixBuildCommand, resolveFlakeRef } from '../../nix/commands';
import { mustRun, RemoteCommandError, type InspectedVm, type Provisioner } from '../backend';
import { withEnvOnStdin } from '../../remote/secretEnv';
import { shScript, splitSections } from '../script';
import { drift, type MicrovmLinks } from './parseDrift';
import { parseSystemctlShow } from './parseSystemctl';

const LINKS = ['booted', 'current', 'booted/share/microvm/system', 'current/share/microvm/system'] as const;

/**
 * $1 = state dir, $2 = flake ('' = no evaluation), then VM names. Sections: `units` (systemctl
 * show), `links` (readlink -m, 4 lines per VM, in LINKS order), `eval NAME` per VM with a flake
 * (the toplevel's path, or `@@vsim eval-failed NAME` + nix's message).
 */
export const INSPECT_SCRIPT = [
  'dir=$1; flake=$2; shift 2',
  'echo "@@vsim units"',
  'for n do systemctl show -p Id,LoadState,ActiveState,SubState,MainPID "microvm@$n.service" 2>&1; echo; done',
  'echo "@@vsim links"',
  'for n do readlink -m "$dir/$n/booted" "$dir/$n/current" "$dir/$n/booted/share/microvm/system" "$dir/$n/current/share/microvm/system"; done',
  'if [ -n "$flake" ]; then for n do',
  '  echo "@@vsim eval $n"',
  '  nix eval --raw "$flake#nixosConfigurations.$n.config.system.build.toplevel" 2>&1 || echo "@@vsim eval-failed $n"',
  '  echo',
  'done; fi',
].join('\n');

/** readlink -m lines → links; a line that resolves to the queried path itself is no link. */
export function linksFrom(names: readonly string[], body: string, stateDir: string): Record<string, MicrovmLinks> {
  const lines = body.split('\n');
  const out: Record<string, MicrovmLinks> = {};
  names.forEach((n, i) => {
    const got = LINKS.map((l, k) => {
      const v = lines[i * 4 + k]?.trim();
      return v && v !== `${stateDir}/${n}/${l}` ? v : undefined;
    });
    const [booted, current] = got;
    // A runner without share/microvm/system resolves to that literal path under it: not a system.
    const sys = (runner: string | undefined, p: string | undefined): string | undefined =>
      runner && p && p !== `${runner}/share/microvm/system` ? p : undefined;
    const l: MicrovmLinks = {};
    if (booted) l.booted = booted;
    if (current) l.current = current;
    const bs = sys(booted, got[2]);
    const cs = sys(current, got[3]);
    if (bs) l.bootedSystem = bs;
    if (cs) l.currentSystem = cs;
    out[n] = l;
  });
  return out;
}

/** What the plan sees of one VM: built or not, running, drift as microvm -l says it. */
export function inspectedMicrovm(name: string, links: MicrovmLinks, active: boolean, newSystem?: string): InspectedVm {
  const d = drift(name, links, newSystem);
  const out: InspectedVm = { exists: d.state !== 'not-built', running: active, detail: d.hint ?? d.state };
  if (d.state === 'stale' || d.state === 'outdated' || d.state === 'not-built') out.drift = d.state;
  // Built but running the previous runner: a restart would boot the new one (offered, not done).
  if (active && (d.state === 'stale' || (d.state === 'outdated' && links.booted !== links.current))) out.restartNeeded = true;
  const spec: Record<string, string> = {};
  if (d.current) spec.current = d.current;
  if (d.booted) spec.booted = d.booted;
  if (Object.keys(spec).length) out.spec = spec;
  return out;
}

/** The flake reference of a VM's declaredRunner: its image.flake, else its host's flake + the attribute. */
export function runnerFlakeRef(t: Topology, vm: string): string {
  const v = t.vms?.[vm];
  if (!v) throw new Error(`No VM ${JSON.stringify(vm)} in the topology`);
  const hostFlake = t.hosts[v.host]?.flake;
  if (v.image?.flake) {
    if ((v.image.flake === '.' || v.image.flake.startsWith('.#')) && !hostFlake) {
      throw new Error(`VM ${vm}: image.flake ${v.image.flake} is relative, but host ${v.host} has no \`flake\` to resolve it against.`);
    }
    return assertFlakeRef(resolveFlakeRef(v.image.flake, hostFlake));
  }
  if (!hostFlake) throw new Error(`VM ${vm}: host ${v.host} has no \`flake\` (and the VM no image.flake): nothing to build its runner from.`);
  return assertFlakeRef(`${hostFlake}#nixosConfigurations.${assertName(vm, 'VM name')}.config.microvm.declaredRunner`);
}

/** The flake whose nixosConfigurations an `outdated` check evaluates (the part before '#'). */
const evalFlake = (t: Topology, vm: string): string | undefined => {
  try {
    return runnerFlakeRef(t, vm).split('#')[0];
  } catch {
    return undefined;
  }
};

export interface MicrovmProvisionerOptions {
  stateDir: string;
  /** NIX_CONFIG / environment for nix build and nix eval on the host. */
  nix?: NixSettings;
}

export function createMicrovmProvisioner(o: MicrovmProvisionerOptions): Provisioner {
  const stateDir = assertPath(o.stateDir, 'microvm state directory');
  const env = nixEnv(o.nix ?? {});
  return {
    tools: ['nix'],

    async inspect(ctx, vmNames, opts) {
      if (!vmNames.length) return {};
      vmNames.forEach((n) => assertName(n, 'VM name'));
      // One evaluation flake per call (the script takes one): the first VM's, when they share it.
      const flakes = new Set(vmNames.map((n) => evalFlake(ctx.topology, n)).filter((f): f is string => !!f));
      const flake = opts?.evaluate && flakes.size === 1 ? [...flakes][0] ?? '' : '';
      const args = [stateDir, flake, ...vmNames];
      const cmd = withEnvOnStdin(shScript(INSPECT_SCRIPT, args), env);
      const r = await ctx.run.exec(cmd.argv, { ...(cmd.stdin !== undefined ? { stdin: cmd.stdin } : {}), timeoutMs: 30_000 + (flake ? 60_000 * vmNames.length : 0) });
      if (r.code !== 0) throw RemoteCommandError.fromResult(ctx.hostName, ['sh', '-c', '<microvm inspect script>', ...args], r);
      const secs = splitSections(r.stdout);
      const units = new Map(parseSystemctlShow(secs.find((s) => s.kind === 'units')?.body ?? '').map((u) => [u.unit.replace(/\.service$/, ''), u]));
      const links = linksFrom(vmNames, secs.find((s) => s.kind === 'links')?.body ?? '', stateDir);
      const evaluated = new Map<string, string>();
      secs.forEach((s, i) => {
        if (s.kind === 'eval' && secs[i + 1]?.kind !== 'eval-failed' && s.body.trim().startsWith('/')) evaluated.set(s.arg, s.body.trim());
      });
      const out: Record<string, InspectedVm> = {};
      for (const n of vmNames) {
        const u = units.get(`microvm@${n}`);
        const active = u?.activeState === 'active' || u?.activeState === 'activating' || u?.activeState === 'reloading';
        out[n] = inspectedMicrovm(n, links[n] ?? {}, active, evaluated.get(n));
        if (flake && !evaluated.has(n)) out[n] = { ...out[n] as InspectedVm, detail: `${out[n]?.detail ?? ''}; evaluation of ${flake} failed` };
      }
      return out;
    },

    /** Nothing field-by-field: a slot's drift is booted / current / evaluated, which inspect reports. */
    declared: () => ({}),

    async provision(ctx, vm) {
      await mustRun(ctx, ['mkdir', '-p', '--', `${stateDir}/${assertName(vm, 'VM name')}`]);
      const cmd = provisionCommand(ctx.topology, vm, stateDir, o.nix);
      await mustRun(ctx, cmd.argv, { ...(cmd.stdin !== undefined ? { stdin: cmd.stdin } : {}), timeoutMs: 3_600_000 });
    },

    async deprovision(ctx, vm) {
      const unit = `microvm@${assertName(vm, 'VM name')}.service`;
      await mustRun(ctx, ['systemctl', 'stop', unit]);
      await mustRun(ctx, ['rm', '-f', '--', `${stateDir}/${vm}/current`]);
    },
  };
}

/** The build a provision runs (also for confirmations): nix build … --out-link STATE_DIR/NAME/current. */
export function provisionArgv(t: Topology, vm: string, stateDir: string): string[] {
  return nixBuildCommand(runnerFlakeRef(t, vm), { outLink: `${assertPath(stateDir, 'state directory')}/${assertName(vm, 'VM name')}/current` });
}

/** provisionArgv with the Nix environment on its stdin (values never in the argv: `ps`, logs). */
export function provisionCommand(t: Topology, vm: string, stateDir: string, nix: NixSettings = {}): { argv: string[]; stdin?: string } {
  return withEnvOnStdin(provisionArgv(t, vm, stateDir), nixEnv(nix));
}
