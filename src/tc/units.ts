// tc's units (iproute2 semantics) for profile values. Pure.

const RATE_UNITS: Record<string, number> = {
  bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9, tbit: 1e12,
  bps: 8, kbps: 8e3, mbps: 8e6, gbps: 8e9,
};

/** A tc rate ("10mbit", "1.5gbit", "100kbps") in bit/s. */
export function rateBits(rate: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(bit|kbit|mbit|gbit|tbit|bps|kbps|mbps|gbps)$/.exec(rate);
  if (!m) throw new Error(`Invalid tc rate ${JSON.stringify(rate)} (e.g. 10mbit)`);
  return Math.round(Number(m[1]) * (RATE_UNITS[m[2] as string] as number));
}

// iproute2 get_size(): k/kb = 1024 bytes, kbit = 1024/8 bytes.
const SIZE_UNITS: Record<string, number> = { b: 1, k: 1024, kb: 1024, kbit: 128, m: 1048576, mb: 1048576, mbit: 131072 };

/** A tc size ("32kbit", "64kb", "1600b") in bytes. */
export function sizeBytes(size: string): number {
  const m = /^([0-9]+)(b|kb|k|mb|m|kbit|mbit)$/.exec(size);
  if (!m) throw new Error(`Invalid tc size ${JSON.stringify(size)} (e.g. 32kbit, 64kb)`);
  return Number(m[1]) * (SIZE_UNITS[m[2] as string] as number);
}

/** A duration ("50ms", "1.5s", "100us") in microseconds. */
export function durationUs(d: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)(us|ms|s)$/.exec(d);
  if (!m) throw new Error(`Invalid duration ${JSON.stringify(d)} (e.g. 50ms)`);
  const f = m[2] === 's' ? 1e6 : m[2] === 'ms' ? 1e3 : 1;
  return Math.round(Number(m[1]) * f);
}

/** A percentage ("5%", "0.1%") as a number of percent. */
export function percent(p: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)%$/.exec(p);
  if (!m) throw new Error(`Invalid percentage ${JSON.stringify(p)} (e.g. 1%)`);
  return Number(m[1]);
}

/** Default tbf burst: one timer tick's worth at 250 Hz, at least 1600 bytes (one MTU-size packet). */
export function defaultBurstBytes(bits: number): number {
  return Math.max(Math.ceil(bits / 8 / 250), 1600);
}

/** bit/s as a short human string (10mbit, 1.5gbit, 800kbit). */
export function formatRate(bits: number): string {
  for (const [unit, f] of [['gbit', 1e9], ['mbit', 1e6], ['kbit', 1e3]] as const) {
    if (bits >= f) return `${Number((bits / f).toFixed(3))}${unit}`;
  }
  return `${bits}bit`;
}

/** Microseconds as a short human string (50ms, 1.5s, 100us). */
export function formatDuration(us: number): string {
  if (us >= 1e6 && us % 1e5 === 0) return `${us / 1e6}s`;
  if (us >= 1e3) return `${Number((us / 1e3).toFixed(3))}ms`;
  return `${us}us`;
}
