// `virsh domstats --state [...]` → one record per domain (inactive ones included). Pure.
import { stateFromCode, type DomainState } from './parseState';

export interface DomainStats {
  name: string;
  state: DomainState;
  /** virDomain*Reason number for the state (e.g. running 1 = booted). */
  reason?: number;
  /** Every `key=value` of the block, as printed (counters: net.0.rx.bytes, block.0.rd.bytes, …). */
  fields: Record<string, string>;
}

export function parseDomstats(text: string): DomainStats[] {
  const out: DomainStats[] = [];
  let cur: DomainStats | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    const head = /^Domain: '(.*)'$/.exec(line);
    if (head) {
      cur = { name: head[1] as string, state: 'nostate', fields: {} };
      out.push(cur);
      continue;
    }
    const kv = /^([A-Za-z0-9_.-]+)=(.*)$/.exec(line);
    if (!kv || !cur) continue;
    const [, k, v] = kv as unknown as [string, string, string];
    cur.fields[k] = v;
    if (k === 'state.state') cur.state = stateFromCode(Number(v)) ?? 'nostate';
    if (k === 'state.reason') cur.reason = Number(v);
  }
  return out;
}
