// Where a topology refers to names defined elsewhere: one table used by checks, completion,
// hover and go-to-definition.
import type { Path, Section, Topology } from './types';

/** `*` matches any map key, `#` any sequence index. */
type Seg = string;

export interface RefRule {
  pattern: readonly Seg[];
  targets: readonly Section[];
  /** The reference is the map key at the end of the pattern (not a value). */
  isKey?: boolean;
  /** May also be something outside the file (proxyJump `user@host:port`). */
  soft?: boolean;
  severity?: 'error' | 'warning';
}

export const REF_RULES: readonly RefRule[] = [
  { pattern: ['vms', '*', 'host'], targets: ['hosts'] },
  { pattern: ['vms', '*', 'slot'], targets: ['slots'] },
  { pattern: ['vms', '*', 'nics', '#', 'network'], targets: ['networks'] },
  { pattern: ['vms', '*', 'after', '#'], targets: ['vms'] },
  { pattern: ['networks', '*', 'host'], targets: ['hosts'] },
  { pattern: ['networks', '*', 'hosts', '#'], targets: ['hosts'] },
  { pattern: ['slots', '*', 'host'], targets: ['hosts'] },
  { pattern: ['slots', '*', 'network'], targets: ['networks'] },
  { pattern: ['slots', '*', 'state'], targets: ['states'] },
  { pattern: ['states', '*', 'host'], targets: ['hosts'] },
  { pattern: ['links', '*', 'endpoints', '#'], targets: ['vms'] },
  { pattern: ['links', '*', 'profile'], targets: ['profiles'] },
  { pattern: ['profiles', '*', 'targets', '#'], targets: ['vms', 'links'] },
  { pattern: ['profiles', '*', 'overrides', '*'], targets: ['vms', 'links'], isKey: true },
  { pattern: ['hosts', '*', 'proxyJump'], targets: ['hosts'], soft: true },
  { pattern: ['layout', 'hosts', '*'], targets: ['hosts'], isKey: true, severity: 'warning' },
  { pattern: ['layout', 'networks', '*'], targets: ['networks'], isKey: true, severity: 'warning' },
  { pattern: ['layout', 'vms', '*'], targets: ['vms'], isKey: true, severity: 'warning' },
  { pattern: ['layout', 'slots', '*'], targets: ['slots'], isKey: true, severity: 'warning' },
];

export interface RefSite {
  rule: RefRule;
  path: Path;
  name: string;
}

function matches(pattern: readonly Seg[], path: Path): boolean {
  if (pattern.length !== path.length) return false;
  return pattern.every((seg, i) => {
    const p = path[i];
    if (seg === '*') return typeof p === 'string';
    if (seg === '#') return typeof p === 'number';
    return seg === p;
  });
}

/** The reference rule for a value (or, with isKey, a map key) at `path`. */
export function ruleAt(path: Path, isKey: boolean): RefRule | undefined {
  return REF_RULES.find((r) => !!r.isKey === isKey && matches(r.pattern, path));
}

/** Every reference in the topology, with its path. */
export function referenceSites(t: Topology): RefSite[] {
  const out: RefSite[] = [];
  for (const rule of REF_RULES) walk(t, rule.pattern, 0, [], (path, value) => {
    if (rule.isKey) out.push({ rule, path, name: String(path[path.length - 1]) });
    else if (typeof value === 'string') out.push({ rule, path, name: value });
  });
  return out;
}

function walk(node: unknown, pattern: readonly Seg[], i: number, path: (string | number)[], visit: (p: Path, v: unknown) => void): void {
  if (i === pattern.length) {
    visit(path, node);
    return;
  }
  const seg = pattern[i] as Seg;
  if (seg === '#') {
    if (Array.isArray(node)) node.forEach((v, k) => walk(v, pattern, i + 1, [...path, k], visit));
  } else if (node && typeof node === 'object' && !Array.isArray(node)) {
    const obj = node as Record<string, unknown>;
    if (seg === '*') for (const k of Object.keys(obj)) walk(obj[k], pattern, i + 1, [...path, k], visit);
    else if (seg in obj) walk(obj[seg], pattern, i + 1, [...path, seg], visit);
  }
}

/** Names defined in a section. */
export function namesIn(t: Topology | undefined, section: Section): string[] {
  const m = t?.[section];
  return m && typeof m === 'object' ? Object.keys(m) : [];
}

const SINGULAR: Record<Section, string> = {
  hosts: 'host', networks: 'network', vms: 'VM', slots: 'slot', states: 'state', profiles: 'profile', links: 'link',
};
export function singular(s: Section): string {
  return SINGULAR[s];
}
