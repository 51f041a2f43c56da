// Booted vs current vs freshly evaluated system of microvm.nix VMs, as `microvm -l` defines it
// (astro/microvm.nix pkgs/microvm-command.nix):
//   outdated   current/share/microvm/system ≠ the flake's toplevel now → rebuild and reboot
//   stale      booted system ≠ that toplevel (built, not yet booted)  → reboot
//   current    booted system = that toplevel
//   not-booted current, never booted (no `booted` link)
// Without an evaluation, "that toplevel" is the current link's system (no outdated). Pure.
import { assertName, assertPath } from '../../model/names';

export const STATE_DIR = '/var/lib/microvms';
const LINKS = ['booted', 'current', 'booted/share/microvm/system', 'current/share/microvm/system'] as const;

/**
 * `readlink -m` prints exactly one line per argument, existing or not (a missing link prints
 * its own path, outside /nix/store), so the lines align with the arguments: 4 per VM.
 */
export function readlinkCommand(names: readonly string[], stateDir = STATE_DIR): string[] {
  assertPath(stateDir, 'state directory');
  return ['readlink', '-m', ...names.flatMap((n) => LINKS.map((l) => `${stateDir}/${assertName(n, 'VM name')}/${l}`))];
}

export interface MicrovmLinks {
  /** Store paths (runner), undefined when the link does not exist. */
  booted?: string;
  current?: string;
  bootedSystem?: string;
  currentSystem?: string;
}

/** `storeDir`: only paths inside it count as existing links (a missing link resolves to itself). */
export function parseReadlink(names: readonly string[], stdout: string, storeDir = '/nix/store'): Record<string, MicrovmLinks> {
  const lines = stdout.split('\n');
  const out: Record<string, MicrovmLinks> = {};
  const store = (s: string | undefined): string | undefined => (s && s.startsWith(`${storeDir}/`) ? s.trim() : undefined);
  names.forEach((n, i) => {
    const [booted, current, bSys, cSys] = [0, 1, 2, 3].map((k) => store(lines[i * 4 + k]));
    // A runner without share/microvm/system resolves to that literal, unresolved path: not a system.
    const sys = (runner: string | undefined, p: string | undefined): string | undefined =>
      p && runner && p === `${runner}/share/microvm/system` ? undefined : p;
    const bootedSystem = sys(booted, bSys);
    const currentSystem = sys(current, cSys);
    const l: MicrovmLinks = {};
    if (booted) l.booted = booted;
    if (current) l.current = current;
    if (bootedSystem) l.bootedSystem = bootedSystem;
    if (currentSystem) l.currentSystem = currentSystem;
    out[n] = l;
  });
  return out;
}

export type DriftState = 'current' | 'stale' | 'outdated' | 'not-booted' | 'not-built';

export interface Drift {
  state: DriftState;
  /** The short hash-less tail microvm -l shows, e.g. "25.05.20250101.abcdef". */
  booted?: string;
  current?: string;
  latest?: string;
  /** What to do about it, in microvm.nix's words. */
  hint?: string;
}

/** "/nix/store/…-nixos-system-slot1-25.05.20250101.abcdef" → "25.05.20250101.abcdef" (microvm -l's sed 's/.*-//'). */
export function systemVersion(path: string | undefined): string | undefined {
  return path ? path.replace(/.*-/, '') : undefined;
}

/** `newSystem`: `nix eval --raw FLAKE#nixosConfigurations.NAME.config.system.build.toplevel`, when evaluated. */
export function drift(name: string, links: MicrovmLinks, newSystem?: string): Drift {
  const current = links.currentSystem ?? links.current;
  const booted = links.bootedSystem ?? links.booted;
  const v = { booted: systemVersion(booted), current: systemVersion(current), latest: systemVersion(newSystem) };
  const clean = <T extends object>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, x]) => x !== undefined)) as T;
  if (!current) return clean({ state: 'not-built', ...v, hint: `build it: microvm -c ${name}` });
  if (newSystem && links.currentSystem && links.currentSystem !== newSystem) {
    return clean({ state: 'outdated', ...v, hint: `rebuild and reboot: microvm -Ru ${name}` });
  }
  if (!booted) return clean({ state: 'not-booted', ...v, hint: `systemctl start microvm@${name}.service` });
  // Compare like with like: systems when both are known, else runners.
  const same = links.bootedSystem && (newSystem || links.currentSystem)
    ? links.bootedSystem === (newSystem ?? links.currentSystem)
    : links.booted === links.current;
  return same ? clean({ state: 'current', ...v }) : clean({ state: 'stale', ...v, hint: `reboot: systemctl restart microvm@${name}.service` });
}

/** The evaluation microvm -l does to detect "outdated". */
export function evalToplevelCommand(flake: string, name: string): string[] {
  if (!/^[^\s'`$;|&<>]+$/.test(flake) || flake.startsWith('-')) throw new Error(`Invalid flake reference ${JSON.stringify(flake)}`);
  return ['nix', 'eval', '--raw', `${flake}#nixosConfigurations.${assertName(name, 'VM name')}.config.system.build.toplevel`];
}
