// libvirt domain states: virsh's words and virDomainState codes. Pure.

export type DomainState = 'nostate' | 'running' | 'blocked' | 'paused' | 'shutdown' | 'shutoff' | 'crashed' | 'pmsuspended';

/** virDomainState numbers (domstats `state.state=N`). */
export const STATE_CODES: readonly DomainState[] = ['nostate', 'running', 'blocked', 'paused', 'shutdown', 'shutoff', 'crashed', 'pmsuspended'];

/** The words `virsh list` prints, longest first (for matching at a line's end). */
export const STATE_WORDS: readonly [string, DomainState][] = [
  ['in shutdown', 'shutdown'], ['pmsuspended', 'pmsuspended'], ['no state', 'nostate'], ['shut off', 'shutoff'],
  ['running', 'running'], ['crashed', 'crashed'], ['blocked', 'blocked'], ['paused', 'paused'], ['idle', 'blocked'],
];

export function stateFromCode(code: number): DomainState | undefined {
  return STATE_CODES[code];
}

export function stateFromWord(word: string): DomainState | undefined {
  const w = word.trim().toLowerCase();
  return STATE_WORDS.find(([k]) => k === w)?.[1];
}
