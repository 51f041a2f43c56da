// How a plan is shown: grouping per host, an icon per change kind, the per-VM drift marks the Labs
// tree and the graph put on their items, and the field diffs of a tooltip. Pure (no vscode): the
// Plan view, the badges and the graph's markers all read these, and unit tests run them directly.
import { isApplicable, type Change, type ChangeKind, type HostPlan, type Plan } from '../plan/types';

/** Codicon and theme colour per change kind (colour undefined: the default foreground). */
export const KIND_ICON: Record<ChangeKind, { icon: string; color?: string }> = {
  'vm-missing': { icon: 'diff-added', color: 'gitDecoration.addedResourceForeground' },
  'vm-differs': { icon: 'diff-modified', color: 'gitDecoration.modifiedResourceForeground' },
  'slot-drift': { icon: 'history', color: 'gitDecoration.modifiedResourceForeground' },
  'vm-undeclared': { icon: 'circle-slash', color: 'disabledForeground' },
  'network-missing': { icon: 'diff-added', color: 'gitDecoration.addedResourceForeground' },
  'network-differs': { icon: 'diff-modified', color: 'gitDecoration.modifiedResourceForeground' },
  'tunnel-missing': { icon: 'diff-added', color: 'gitDecoration.addedResourceForeground' },
  'tunnel-differs': { icon: 'diff-modified', color: 'gitDecoration.modifiedResourceForeground' },
  'tc-differs': { icon: 'dashboard', color: 'gitDecoration.modifiedResourceForeground' },
  'tool-missing': { icon: 'tools', color: 'errorForeground' },
};

/** The VM or network a change is about ('' for a missing tool). */
export function changeSubject(c: Change): string {
  switch (c.kind) {
    case 'network-missing':
    case 'network-differs':
    case 'tunnel-missing':
    case 'tunnel-differs':
      return c.network;
    case 'tool-missing':
      return c.tool;
    case 'vm-missing':
    case 'vm-differs':
    case 'slot-drift':
    case 'vm-undeclared':
    case 'tc-differs':
      return c.vm;
  }
}

/** The VM a change is about, when it is about a declared VM. */
export function changeVm(c: Change): string | undefined {
  switch (c.kind) {
    case 'vm-missing':
    case 'vm-differs':
    case 'slot-drift':
    case 'tc-differs':
      return c.vm;
    default:
      return undefined;
  }
}

/** One host of the Plan view: applicable changes first, then blocked ones, undeclared VMs last (each in the plan's order). */
export function orderedChanges(h: HostPlan): Change[] {
  const rank = (c: Change) => (c.kind === 'vm-undeclared' ? 2 : c.blockedBy ? 1 : 0);
  return [...h.changes].sort((a, b) => rank(a) - rank(b)); // stable: the plan's own order within each group
}

/** What a VM's marker says: the strongest drift among its applicable changes. */
export type DriftMark = 'missing' | 'differs' | 'stale';
export const DRIFT_MARKS: readonly DriftMark[] = ['missing', 'differs', 'stale'];

export interface VmDrift {
  mark: DriftMark;
  /** Short text for the tree item's description, e.g. `not defined` or `differs: memory, nics[0].mac`. */
  text: string;
  changes: Change[];
}

/** Per declared VM whose plan says it differs or is missing: its mark (VMs in sync are absent). */
export function vmDrifts(plan: Plan | undefined): Map<string, VmDrift> {
  const out = new Map<string, VmDrift>();
  for (const h of plan?.hosts ?? []) {
    for (const c of h.changes) {
      const vm = changeVm(c);
      if (!vm || !isApplicable(c)) continue;
      const d = out.get(vm) ?? { mark: 'stale' as DriftMark, text: '', changes: [] };
      d.changes.push(c);
      out.set(vm, d);
    }
  }
  for (const d of out.values()) {
    const kinds = new Set(d.changes.map((c) => c.kind));
    if (kinds.has('vm-missing')) {
      d.mark = 'missing';
      d.text = 'not defined on host';
    } else if (kinds.has('vm-differs') || kinds.has('tc-differs')) {
      d.mark = 'differs';
      const fields = d.changes.flatMap((c) => ('fields' in c ? c.fields.map((f) => f.field) : []));
      d.text = `differs: ${fields.join(', ') || 'definition'}`;
    } else {
      d.mark = 'stale';
      d.text = d.changes.map((c) => (c.kind === 'slot-drift' ? c.drift : c.kind)).join(', ');
    }
  }
  return out;
}

/** The field diffs of a change as rows (empty for kinds that have none). */
export function fieldRows(c: Change): { field: string; want: string; have: string }[] {
  return 'fields' in c ? c.fields.map((f) => ({ field: f.field, want: f.want || '(none)', have: f.have || '(none)' })) : [];
}

/** Text made safe inside Markdown (a table cell, a bold name): every Markdown punctuation escaped. */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>~:@&]/g, (ch) => `\\${ch}`).replace(/\r?\n/g, ' ');
}

/** Markdown tooltip of one change: its line, the field diffs (want → have), why it is blocked. */
export function changeTooltip(c: Change, line: string): string {
  const parts = [`**${escapeMarkdown(line)}**`];
  const rows = fieldRows(c);
  if (rows.length) {
    parts.push(['| field | file (want) | host (have) |', '|---|---|---|', ...rows.map((r) => `| ${escapeMarkdown(r.field)} | ${escapeMarkdown(r.want)} | ${escapeMarkdown(r.have)} |`)].join('\n'));
  }
  if (c.kind === 'vm-differs' && c.running) parts.push('Running: the new definition takes effect after a restart (never restarted without asking).');
  if (c.kind === 'vm-undeclared') parts.push('Not in the topology file: shown, never touched by apply, up, down or destroy.');
  if (c.blockedBy) parts.push(`Blocked: ${escapeMarkdown(c.blockedBy)}`);
  return parts.join('\n\n');
}

/** The Labs view title's count: applicable changes over every plan shown. */
export function totalDrift(plans: Iterable<Plan | undefined>): number {
  let n = 0;
  for (const p of plans) for (const h of p?.hosts ?? []) n += h.changes.filter(isApplicable).length;
  return n;
}

/**
 * A Plan view host row's contextValue (package.json's menus match it): `plan.host`, then `.drift`
 * when it has changes to apply, then `.nixos` when the file names its NixOS flake (Deploy host is offered).
 */
export function planHostContext(drift: boolean, nixos: boolean): string {
  return `plan.host${drift ? '.drift' : ''}${nixos ? '.nixos' : ''}`;
}
