// `virsh -q list --all` → domains. Names may contain spaces: the state is read from the end. Pure.
import { STATE_WORDS, type DomainState } from './parseState';

export interface ListedDomain {
  /** Running domains have an id; inactive ones print "-". */
  id?: number;
  name: string;
  state: DomainState;
}

export function parseVirshList(text: string): ListedDomain[] {
  const out: ListedDomain[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || /^Id\s+Name\s+State$/.test(line) || /^-+$/.test(line)) continue;
    const m = /^(\d+|-)\s+(.*)$/.exec(line);
    if (!m) continue;
    const rest = m[2] as string;
    const hit = STATE_WORDS.find(([w]) => rest.endsWith(w) && /\s/.test(rest.charAt(rest.length - w.length - 1)));
    if (!hit) continue;
    const name = rest.slice(0, rest.length - hit[0].length).trim();
    if (!name) continue;
    out.push({ ...(m[1] === '-' ? {} : { id: Number(m[1]) }), name, state: hit[1] });
  }
  return out;
}
