// Dangling references: a host, network, VM, slot, state or profile that is not defined.
import { namesIn, referenceSites, singular } from '../references';
import { closest } from '../similar';
import type { Section } from '../types';
import type { Check } from './context';

export const checkReferences: Check = ({ t, report }) => {
  // Name sets per section, built once: looking names up per site must not rescan a section.
  const sets = new Map<Section, Set<string>>();
  const isDefined = (s: Section, name: string) => {
    let set = sets.get(s);
    if (!set) sets.set(s, (set = new Set(namesIn(t, s))));
    return set.has(name);
  };
  for (const site of referenceSites(t)) {
    const { rule, name, path } = site;
    if (rule.targets.some((s) => isDefined(s, name))) continue;
    const defined = rule.targets.flatMap((s) => namesIn(t, s));
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
