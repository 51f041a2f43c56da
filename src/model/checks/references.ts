// Dangling references: a host, network, VM, slot, state or profile that is not defined.
import { namesIn, referenceSites, singular } from '../references';
import { closest } from '../similar';
import type { Check } from './context';

export const checkReferences: Check = ({ t, report }) => {
  for (const site of referenceSites(t)) {
    const { rule, name, path } = site;
    const defined = rule.targets.flatMap((s) => namesIn(t, s));
    if (defined.includes(name)) continue;
    if (rule.soft && /[@.:]/.test(name)) continue; // an SSH destination outside the file
    const what = rule.targets.map(singular).join(' or ');
    const candidates = closest(name, defined);
    const fix = candidates.length ? ` Did you mean \`${candidates[0]}\`?` : defined.length
      ? ` Defined: ${defined.slice(0, 8).join(', ')}${defined.length > 8 ? ', …' : ''}.`
      : ` Add it under \`${rule.targets[0]}:\`.`;
    const soft = rule.soft ? ' (or write it as user@host:port)' : '';
    report(rule.severity ?? 'error', 'unknown-reference', path, `No ${what} named \`${name}\`${soft}.${fix}`,
      { prefer: rule.isKey ? 'key' : 'value', ...(candidates.length ? { fix: { kind: 'replace-reference', candidates } } : {}) });
  }
  // Names shared by a VM and a link make profile targets ambiguous.
  const vms = new Set(namesIn(t, 'vms'));
  for (const l of namesIn(t, 'links')) {
    if (vms.has(l)) report('error', 'ambiguous-name', ['links', l], `\`${l}\` is both a VM and a link name; profile targets would be ambiguous. Rename the link.`, { prefer: 'key' });
  }
};
