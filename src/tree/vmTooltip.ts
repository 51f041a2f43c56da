// The VM row's tooltip as Markdown text. Every value is escaped: VM names, details and facts can
// come from the host (an undeclared domain's name, a unit's status), and a tooltip must not turn
// them into links, images or formatting. Pure (no vscode), rendered in tests with marked as VS Code does.
import type { Vm } from '../model/types';
import { escapeMarkdown as md } from './planPresent';

export interface VmTooltipInput {
  name: string;
  state: string;
  detail?: string;
  vm?: Vm;
  ips: readonly string[];
  facts?: Record<string, string>;
  tc?: { lines: readonly string[]; at: number };
  undeclared?: boolean;
  planDrift?: string;
}

const row = (k: string, v: string): string => `| ${md(k)} | ${md(v)} |\n`;

export function vmTooltip(i: VmTooltipInput): string {
  let out = `**${md(i.name)}** — ${md(i.state)}${i.detail ? ` (${md(i.detail)})` : ''}\n\n`;
  if (i.vm) {
    out += '| | |\n|---|---|\n';
    out += row('backend', i.vm.backend) + (i.vm.domain !== undefined ? row('libvirt domain', i.vm.domain) : '') + row('arch', `${i.vm.arch ?? 'x86_64'} (${i.vm.accel ?? 'kvm'})`);
    out += row('vCPUs', String(i.vm.vcpus ?? 1)) + row('memory', String(i.vm.memory ?? '—'));
    if (i.ips.length) out += row('IPs', i.ips.join(', '));
    if (i.vm.role) out += row('role', i.vm.role);
  }
  for (const [k, v] of Object.entries(i.facts ?? {})) out += row(k, v);
  if (i.tc?.lines.length) {
    out += `\n**Traffic control** (read back from the kernel ${md(new Date(i.tc.at).toLocaleTimeString())}):\n\n${i.tc.lines.map((l) => `- ${md(l)}`).join('\n')}\n`;
  }
  if (i.undeclared) out += '\nThis VM exists on the host but is not declared in the topology file.';
  if (i.planDrift) out += `\n**Plan:** ${md(i.planDrift)} (see the Plan view; apply to make the host match).`;
  return out;
}

/** The host row's tooltip heading: name and where it is reached, escaped. */
export function hostTooltipHead(host: string, where: string): string {
  return `**${md(host)}** — ${md(where)}\n\n`;
}
