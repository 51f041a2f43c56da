// A host's `services:` list: what the schema's pattern cannot say. A template without an instance
// never runs; a unit vsim watches anyway (a default, a microvm@ VM of the host) is listed twice.
import { DEFAULT_UNITS, fullUnitName, isBareTemplate, UNIT_PATTERN } from '../services';
import { entries, type Check } from './context';

export const checkServices: Check = ({ t, report }) => {
  for (const [host, h] of entries(t.hosts)) {
    if (!Array.isArray(h.services)) continue;
    const microvms = new Set(entries(t.vms).filter(([, v]) => v.host === host && v.backend === 'microvm').map(([n]) => `microvm@${n}.service`));
    const defaults = new Set<string>(DEFAULT_UNITS.map(fullUnitName));
    h.services.forEach((s, i) => {
      if (typeof s !== 'string' || !UNIT_PATTERN.test(s)) return; // the schema's error
      const path = ['hosts', host, 'services', i];
      const unit = fullUnitName(s);
      if (isBareTemplate(s)) {
        report('error', 'service-template', path, `\`${s}\` is a template without an instance: name one, e.g. \`${s.replace(/@(\.[a-z]+)?$/, '@NAME$1')}\`.`);
      } else if (defaults.has(unit)) {
        report('warning', 'service-default', path, `\`${s}\` is shown under every host's Services anyway; this entry can go.`);
      } else if (microvms.has(unit)) {
        report('warning', 'service-microvm', path, `\`${s}\` is the unit of microvm VM \`${unit.slice(8, -8)}\` on \`${host}\`, shown under Services anyway; this entry can go.`);
      }
    });
  }
};
