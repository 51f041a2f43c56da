// The valid part of a topology with errors: every entry (a host, network, VM, slot, state, profile or
// link) an error points into is left out, then every entry that refers to a left-out one, until
// nothing refers to what is gone. The tree shows and commands drive what remains; an error outside
// the entries (YAML syntax, `version`, `offline`, a section that is not a map) leaves nothing usable.
// Pure. analyze() re-checks the result (schema and semantic checks) before anyone may use it.
import type { Problem } from './problem';
import { formatPath } from './problem';
import { referenceSites, singular } from './references';
import { SECTIONS, type Section, type Topology } from './types';

export interface LeftOut {
  section: Section;
  name: string;
  /** The first error in the entry, or which left-out entry it refers to. */
  reason: string;
}

export interface UsablePart {
  topology: Topology;
  leftOut: LeftOut[];
}

/** Top-level fields that only describe the lab: an error there drops the field, not the lab. */
const DESCRIPTIVE = new Set(['name', 'description', 'layout']);

const isSection = (s: unknown): s is Section => (SECTIONS as readonly unknown[]).includes(s);

export function leaveOutInvalid(t: Topology, problems: readonly Problem[]): UsablePart | undefined {
  const out: Topology = { ...t };
  const leftOut: LeftOut[] = [];
  const drop = (section: Section, name: string, reason: string): void => {
    const m = out[section] as Record<string, unknown> | undefined;
    if (!m || !Object.hasOwn(m, name)) return;
    const { [name]: _gone, ...rest } = m;
    (out as unknown as Record<string, unknown>)[section] = rest;
    leftOut.push({ section, name, reason });
  };
  for (const p of problems) {
    if (p.severity !== 'error') continue;
    const path = p.path ?? [];
    const head = path[0];
    if (isSection(head) && path.length >= 2 && typeof out[head] === 'object' && out[head] !== null) {
      drop(head, String(path[1]), p.message);
    } else if (typeof head === 'string' && DESCRIPTIVE.has(head)) {
      delete (out as unknown as Record<string, unknown>)[head];
    } else {
      return undefined;
    }
  }
  // Whatever refers to a left-out entry goes too (a VM on a left-out host or network, a link to a left-out VM…).
  for (let changed = true; changed;) {
    changed = false;
    for (const site of referenceSites(out)) {
      const owner = site.path[0];
      if (!isSection(owner) || site.rule.severity === 'warning') continue;
      if (site.rule.soft && /[@.:]/.test(site.name)) continue; // an SSH destination outside the file
      if (site.rule.targets.some((s) => Object.hasOwn((out[s] as object | undefined) ?? {}, site.name))) continue;
      const gone = leftOut.find((l) => l.name === site.name && site.rule.targets.includes(l.section));
      if (!gone) continue; // a dangling name the checks reported: its entry is already out
      drop(owner, String(site.path[1]), `${formatPath(site.path)} refers to ${singular(gone.section)} \`${gone.name}\`, which has errors.`);
      changed = true;
    }
  }
  return { topology: out, leftOut };
}
