// `tc -s -j qdisc show dev X` → what the kernel has on that device. Pure. "Show" never guesses:
// every value here is read back from the kernel's answer.

export interface QdiscCounters {
  bytes: number;
  packets: number;
  drops: number;
  overlimits: number;
  requeues: number;
  backlog: number;
  qlen: number;
}

export interface Qdisc {
  kind: string;
  handle: string;
  /** "root", "ffff:fff1" (ingress) or the parent class id, e.g. "1:1". */
  parent: string;
  options: Record<string, unknown>;
  counters: QdiscCounters;
}

/** The shaping values found in a device's qdiscs (normalized: bit/s, bytes, µs, percent). */
export interface ActiveShaping {
  /** No vsim-style shaping: the device's default qdisc (noqueue, pfifo_fast, mq, fq_codel…). */
  none: boolean;
  /** Kinds from the root down, e.g. ["netem", "tbf"]. */
  kinds: string[];
  rateBits?: number;
  burstBytes?: number;
  delayUs?: number;
  jitterUs?: number;
  lossPct?: number;
  corruptPct?: number;
  duplicatePct?: number;
  /** Counters of the root qdisc (what left through the shaper). */
  counters: QdiscCounters;
  /** Root kinds vsim does not render (htb, prio, …): shown as custom. */
  foreign: boolean;
  qdiscs: Qdisc[];
}

const DEFAULT_KINDS = new Set(['noqueue', 'pfifo_fast', 'mq', 'fq_codel', 'fq', 'pfifo', 'sfq', 'cake']);
const ZERO: QdiscCounters = { bytes: 0, packets: 0, drops: 0, overlimits: 0, requeues: 0, backlog: 0, qlen: 0 };

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** The value of `tc -j …` output (empty output: no entries). */
export function parseTcJson(text: string): unknown {
  try {
    return JSON.parse(text.trim() || '[]');
  } catch (err) {
    throw new Error(`tc did not print JSON (${(err as Error).message}): ${text.slice(0, 200)}`);
  }
}

export function parseQdiscJson(text: string): Qdisc[] {
  const data = parseTcJson(text);
  if (!Array.isArray(data)) throw new Error('tc -j qdisc show: expected a JSON array');
  return data.map((raw) => {
    const q = obj(raw);
    const counters: QdiscCounters = { ...ZERO };
    for (const k of Object.keys(ZERO) as (keyof QdiscCounters)[]) counters[k] = num(q[k]);
    return {
      kind: String(q.kind ?? ''),
      handle: String(q.handle ?? ''),
      parent: q.root === true ? 'root' : String(q.parent ?? ''),
      options: obj(q.options),
      counters,
    };
  });
}

function readTbf(q: Qdisc, into: ActiveShaping): void {
  // tc prints tbf's rate in bytes/s and burst in bytes.
  if (q.options.rate !== undefined) into.rateBits = num(q.options.rate) * 8;
  if (q.options.burst !== undefined) into.burstBytes = num(q.options.burst);
}

function readNetem(q: Qdisc, into: ActiveShaping): void {
  // iproute2 ≥ 5.x JSON: times in seconds, percentages as fractions.
  const delay = obj(q.options.delay);
  if (delay.delay !== undefined) into.delayUs = Math.round(num(delay.delay) * 1e6);
  if (num(delay.jitter) > 0) into.jitterUs = Math.round(num(delay.jitter) * 1e6);
  const loss = obj(q.options['loss-random']);
  if (loss.loss !== undefined) into.lossPct = num(loss.loss) * 100;
  const corrupt = obj(q.options.corrupt);
  if (corrupt.corrupt !== undefined) into.corruptPct = num(corrupt.corrupt) * 100;
  const dup = obj(q.options.duplicate);
  if (dup.duplicate !== undefined) into.duplicatePct = num(dup.duplicate) * 100;
  const rate = obj(q.options.rate);
  if (rate.rate !== undefined && into.rateBits === undefined) into.rateBits = num(rate.rate) * 8;
}

/** Reads the shaping of one device from its qdiscs (root, then the root's children). */
export function activeShaping(qdiscs: Qdisc[]): ActiveShaping {
  const root = qdiscs.find((q) => q.parent === 'root');
  const out: ActiveShaping = { none: true, kinds: [], counters: root ? root.counters : { ...ZERO }, foreign: false, qdiscs };
  if (!root || DEFAULT_KINDS.has(root.kind)) return out;
  out.none = false;
  out.kinds.push(root.kind);
  const major = root.handle.replace(/:.*$/, '');
  const children = qdiscs.filter((q) => q !== root && q.parent.startsWith(`${major}:`));
  for (const q of [root, ...children]) {
    if (q !== root) out.kinds.push(q.kind);
    if (q.kind === 'tbf') readTbf(q, out);
    else if (q.kind === 'netem') readNetem(q, out);
    else out.foreign = true;
  }
  return out;
}
