// Start order (`after:`) and start commands: what the schema cannot say. `after` names VMs of the
// same host (Up orders one host's VMs; hosts start in parallel) and must not loop; `start` is for
// qemu VMs (the other backends start through their own manager). Dangling names are
// checkReferences' job (REF_RULES has vms.*.after.#).
import { entries, type Check } from './context';
import { afterCycles } from '../startOrder';

export { afterCycles, startOrder } from '../startOrder';

export const checkOrder: Check = ({ t, report }) => {
  for (const [name, vm] of entries(t.vms)) {
    if (vm.start && vm.backend !== 'qemu') {
      report('warning', 'start-ignored', ['vms', name, 'start'],
        `\`start\` is the launcher of a qemu VM; backend ${vm.backend} starts VMs itself and ignores it.`, { prefer: 'key' });
    }
    (Array.isArray(vm.after) ? vm.after : []).forEach((dep, i) => {
      const other = t.vms?.[dep];
      if (other && other.host !== vm.host) {
        report('warning', 'after-other-host', ['vms', name, 'after', i],
          `\`${dep}\` runs on host \`${other.host}\`, not \`${vm.host}\`: Up orders the VMs of one host only (hosts start in parallel), so this entry has no effect.`);
      }
    });
  }
  for (const cycle of afterCycles(t)) {
    const [first] = cycle;
    if (first === undefined) continue;
    const i = (t.vms?.[first]?.after ?? []).indexOf(cycle[1] ?? first);
    report('error', 'after-cycle', ['vms', first, 'after', Math.max(i, 0)],
      cycle.length === 1 ? `VM \`${first}\` is listed in its own \`after\`.`
        : `Start order loops: ${[...cycle, first].map((n) => `\`${n}\``).join(' → ')}; Up could start none of them. Remove one \`after\` entry.`);
  }
};
