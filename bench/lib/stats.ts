// Median and spread of repeated measures.
export interface Stats {
  n: number;
  median: number;
  p10: number;
  p90: number;
  min: number;
  max: number;
}

export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))] ?? NaN;
  return { n: s.length, median: at(0.5), p10: at(0.1), p90: at(0.9), min: s[0] ?? NaN, max: s[s.length - 1] ?? NaN };
}

export async function measure(n: number, f: () => unknown | Promise<unknown>, warmup = 2): Promise<Stats> {
  for (let i = 0; i < warmup; i++) await f();
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await f();
    out.push(performance.now() - t0);
  }
  return stats(out);
}

/** One line of the summary table `npm run bench` prints. */
export interface SummaryRow {
  measure: string;
  value: number;
  unit: string;
  spread?: string;
  goal?: string;
  /** The alternative measured in the same run, if any. */
  versus?: { label: string; value: number };
  /** value / versus.value (or as stated). */
  ratio?: number;
  met?: boolean;
}

export function fmt(v: number, digits = 1): string {
  return Number.isFinite(v) ? v.toFixed(digits) : String(v);
}

/** Wall and CPU time of one synchronous call, in milliseconds (CPU time is steadier on a loaded machine). */
export interface Sample { wall: number; cpu: number }
export function time(f: () => unknown): Sample {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  f();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}
