// What a topology file's row in the Labs tree says about its errors: the description (counts) and
// the Markdown tooltip (each error with its line, what is left out). Every value is escaped: messages
// quote names from the file. Pure (no vscode).
import type { LeftOut } from '../model/usable';
import { escapeMarkdown as md } from './planPresent';

export interface FileSummaryInput {
  /** The file, relative to the workspace. */
  path: string;
  errors: readonly { line: number; message: string }[];
  leftOut: readonly LeftOut[];
  /** The tree shows the valid part of the current text (else the last valid version, or nothing). */
  current: boolean;
  hasLab: boolean;
  offline?: boolean;
}

const plural = (n: number, word: string, words = `${word}s`): string => `${n} ${n === 1 ? word : words}`;

/** How many error rows the file shows before "… and N more". */
export const ERROR_ROWS = 5;

export function fileDescription(i: FileSummaryInput): string {
  if (!i.errors.length) return `${i.offline ? 'offline · ' : ''}${i.path}`;
  const errors = plural(i.errors.length, 'error');
  if (i.current) return i.leftOut.length ? `${errors} · ${plural(i.leftOut.length, 'entry', 'entries')} left out` : errors;
  return i.hasLab ? `${errors} (showing last valid)` : errors;
}

export function fileTooltip(i: FileSummaryInput): string {
  if (!i.errors.length) return md(i.path);
  const lines = [`**${md(i.path)}**: ${md(plural(i.errors.length, 'error'))}`, ''];
  for (const e of i.errors.slice(0, 20)) lines.push(`- line ${e.line}: ${md(e.message)}`);
  if (i.errors.length > 20) lines.push(`- … ${i.errors.length - 20} more in Problems`);
  if (i.current && i.leftOut.length) {
    lines.push('', `Left out until fixed (not shown, never sent to a host): ${i.leftOut.map((l) => `${md(l.section)}.${md(l.name)}`).join(', ')}.`);
    lines.push('', 'The rest of the file is shown and can be driven.');
  } else if (!i.current) {
    lines.push('', i.hasLab ? 'An error outside the hosts and VMs: the tree shows the last valid version of the file.' : 'An error outside the hosts and VMs: nothing can be shown until it is fixed.');
  }
  return lines.join('\n');
}
