// One line per change: the same text in the Plan view, the apply confirmation and `vsim plan`. Pure.
import type { Change, FieldDiff } from './types';

const show = (v: string): string => (v === '' ? '(none)' : v);

/** `memory 256MiB (host: 128MiB)` for each field. */
export function describeFields(fields: readonly FieldDiff[]): string {
  return fields.map((f) => `${f.field} ${show(f.want)} (host: ${show(f.have)})`).join(', ');
}

export function describeChange(c: Change): string {
  const blocked = c.blockedBy ? ` [blocked: ${c.blockedBy}]` : '';
  switch (c.kind) {
    case 'vm-missing':
      return `+ ${c.vm}: ${c.backend} VM missing on ${c.host}, will be created${blocked}`;
    case 'vm-differs':
      return `~ ${c.vm}: ${describeFields(c.fields)}${c.running ? ' (running: restart needed after apply)' : ''}${blocked}`;
    case 'slot-drift': {
      const what = c.drift === 'stale' ? 'booted system is not the current one' : c.drift === 'outdated' ? 'current system is older than the flake' : 'nothing built yet';
      return `~ ${c.vm}: slot ${c.slot} ${c.drift} (${what})${c.detail ? `: ${c.detail}` : ''}${blocked}`;
    }
    case 'vm-undeclared':
      return `? ${c.vm}: ${c.backend} VM on ${c.host} not in the file${c.state ? ` (${c.state})` : ''}, left alone`;
    case 'network-missing':
      return `+ network ${c.network}: bridge ${c.bridge} missing on ${c.host}, will be created${blocked}`;
    case 'network-differs':
      return `~ network ${c.network} (${c.bridge}): ${describeFields(c.fields)}${blocked}`;
    case 'tunnel-missing':
      return `+ tunnel ${c.port} (network ${c.network}, ${c.tunnel} to ${c.remotes.join(', ')}): missing on ${c.host}, will be added to ${c.bridge}${blocked}`;
    case 'tunnel-differs':
      return `~ tunnel ${c.port} (network ${c.network}): ${describeFields(c.fields)}, will be recreated${blocked}`;
    case 'tc-differs':
      return `~ tc ${c.vm}: profile ${c.profile} expected: ${describeFields(c.fields)}${blocked}`;
    case 'tool-missing':
      return `! ${c.host} lacks ${c.tool} (needed for ${c.neededFor})${blocked}`;
  }
}
