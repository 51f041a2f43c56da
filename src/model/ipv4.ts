// IPv4 arithmetic for subnet checks and "next free IP". Pure.

export function parseIp(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const v = Number(p);
    if (v > 255) return undefined;
    n = n * 256 + v;
  }
  return n;
}

export function formatIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface Cidr {
  base: number;
  prefix: number;
  size: number;
}

export function parseCidr(s: string): Cidr | undefined {
  const [ip, p] = s.split('/');
  if (ip === undefined || p === undefined || !/^\d{1,2}$/.test(p)) return undefined;
  const addr = parseIp(ip);
  const prefix = Number(p);
  if (addr === undefined || prefix > 32) return undefined;
  const size = 2 ** (32 - prefix);
  return { base: addr - (addr % size), prefix, size };
}

export function inCidr(ip: number, c: Cidr): boolean {
  return ip >= c.base && ip < c.base + c.size;
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + b.size && b.base < a.base + a.size;
}

export function formatCidr(c: Cidr): string {
  return `${formatIp(c.base)}/${c.prefix}`;
}

/** First usable address of the subnet not in `used` (skipping network and broadcast addresses). */
export function nextFreeIp(c: Cidr, used: ReadonlySet<number>): number | undefined {
  const first = c.size > 2 ? c.base + 1 : c.base;
  const last = c.size > 2 ? c.base + c.size - 2 : c.base + c.size - 1;
  for (let ip = first; ip <= last; ip++) if (!used.has(ip)) return ip;
  return undefined;
}
