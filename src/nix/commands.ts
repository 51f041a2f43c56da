// nix build / nixos-rebuild command lines (argv), and `nix build --json` output. Pure.
import { assertPath } from '../model/names';

const FLAKE_REF = /^[^\s'`$;|&<>]+$/;

export function assertFlakeRef(ref: string): string {
  if (!FLAKE_REF.test(ref) || ref.startsWith('-')) {
    throw new Error(`Invalid flake reference ${JSON.stringify(ref)}: no spaces, quotes, '$', ';', '|', '&', '<', '>' and not starting with '-'`);
  }
  return ref;
}

/** A VM image ref relative to the host's flake (".#attr") → "<hostFlake>#attr"; others unchanged. */
export function resolveFlakeRef(ref: string, hostFlake?: string): string {
  if (hostFlake && (ref.startsWith('.#') || ref === '.')) return `${hostFlake}${ref.slice(1)}`;
  return ref;
}

export interface NixBuildOptions {
  /** Where to link the result (microvm: /var/lib/microvms/NAME/current); absent: --no-link. */
  outLink?: string;
  /** No network: --offline. */
  offline?: boolean;
}

/**
 * `nix build` with machine-readable progress on stderr and the result paths as JSON on stdout.
 * `-L` must come before `--log-format` (after it, Nix 2.8 turns the log human again); Nix 2.8
 * has no --print-out-paths, so --json gives [{drvPath, outputs: {out}}].
 */
export function nixBuildCommand(flakeRef: string, options: NixBuildOptions = {}): string[] {
  return [
    'nix', 'build', '-L', '--log-format', 'internal-json', '-v', '--json',
    ...(options.outLink ? ['--out-link', assertPath(options.outLink, 'out link')] : ['--no-link']),
    ...(options.offline ? ['--offline'] : []),
    assertFlakeRef(flakeRef),
  ];
}

/** The brief's name for nixBuildCommand. */
export const buildCommand = nixBuildCommand;

export interface BuildResult {
  drvPath: string;
  outputs: Record<string, string>;
}

/** `nix build --json` stdout → the built derivations and their output paths. */
export function parseNixBuildJson(stdout: string): BuildResult[] {
  const data: unknown = JSON.parse(stdout.trim() || '[]');
  if (!Array.isArray(data)) throw new Error('nix build --json: expected an array');
  return data.map((d) => {
    const o = (d ?? {}) as { drvPath?: unknown; outputs?: unknown };
    const outputs: Record<string, string> = {};
    for (const [k, v] of Object.entries((o.outputs ?? {}) as Record<string, unknown>)) if (typeof v === 'string') outputs[k] = v;
    return { drvPath: String(o.drvPath ?? ''), outputs };
  });
}

/** A host name or address, never starting with `-` (nixos-rebuild and ssh would read it as an option). */
const HOST = /^[A-Za-z0-9_.:][A-Za-z0-9_.:-]*$/;
const USER = /^[a-z_][a-z0-9_-]*$/;

export interface RebuildOptions {
  action?: 'switch' | 'boot' | 'test' | 'build' | 'dry-activate';
  /** Where the closure is built (default: locally on the machine running nixos-rebuild). */
  buildHost?: string;
  user?: string;
}

/** `nixos-rebuild switch --flake REF --target-host root@IP` (seed 002's slot deploy). */
export function nixosRebuildCommand(flakeRef: string, targetHost: string, options: RebuildOptions = {}): string[] {
  const user = options.user ?? 'root';
  if (!USER.test(user)) throw new Error(`Invalid user ${JSON.stringify(user)}`);
  if (!HOST.test(targetHost)) throw new Error(`Invalid target host ${JSON.stringify(targetHost)}`);
  if (options.buildHost !== undefined && !HOST.test(options.buildHost.replace(/^[a-z_][a-z0-9_-]*@/, ''))) {
    throw new Error(`Invalid build host ${JSON.stringify(options.buildHost)}`);
  }
  return [
    'nixos-rebuild', options.action ?? 'switch', '--flake', assertFlakeRef(flakeRef),
    '--target-host', `${user}@${targetHost}`,
    ...(options.buildHost ? ['--build-host', options.buildHost] : []),
  ];
}
