// Quick fixes for problems that carry fix data: replace a misspelt reference, use the next free
// IP of a subnet, generate a locally administered MAC. Text edits only; pure.
import { isScalar } from 'yaml';
import { formatCidr, formatIp, parseCidr, parseIp } from '../ipv4';
import { locate } from '../parse';
import type { Problem } from '../problem';
import type { Analysis } from '../analyze';
import type { Topology } from '../types';
import { allNics, sourceOf, type Source } from './source';

export interface TextEdit {
  start: number;
  end: number;
  newText: string;
}

export interface QuickFix {
  title: string;
  edits: TextEdit[];
  isPreferred: boolean;
}

export interface FixOptions {
  /** Random numbers in [0, 1) for generated MACs (inject a seeded one in tests). */
  random?: () => number;
  analysis?: Analysis;
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** Every address in use on `network`: NIC and slot IPs and the gateway. */
export function usedIps(t: Topology | undefined, network: string): Set<number> {
  const used = new Set<number>();
  const add = (ip: unknown) => {
    const n = typeof ip === 'string' ? parseIp(ip) : undefined;
    if (n !== undefined) used.add(n);
  };
  add(obj(obj(t?.networks)[network]).gateway);
  for (const nic of allNics(t)) if (nic.network === network) add(nic.ip);
  for (const s of Object.values(obj(t?.slots))) if (obj(s).network === network) add(obj(s).ip);
  return used;
}

/** First free address of the network's subnet, outside the DHCP range when possible. */
export function nextFreeIpIn(t: Topology | undefined, network: string): { ip: string; subnet: string } | undefined {
  const net = obj(obj(t?.networks)[network]);
  const c = typeof net.subnet === 'string' ? parseCidr(net.subnet) : undefined;
  if (!c) return undefined;
  const used = usedIps(t, network);
  const dhcp = obj(net.dhcp);
  const ds = typeof dhcp.start === 'string' ? parseIp(dhcp.start) : undefined;
  const de = typeof dhcp.end === 'string' ? parseIp(dhcp.end) : undefined;
  const first = c.size > 2 ? c.base + 1 : c.base;
  const last = c.size > 2 ? c.base + c.size - 2 : c.base + c.size - 1;
  for (const avoidDhcp of [true, false]) {
    for (let ip = first; ip <= last; ip++) {
      if (used.has(ip)) continue;
      if (avoidDhcp && ds !== undefined && de !== undefined && ip >= ds && ip <= de) {
        ip = de;
        continue;
      }
      return { ip: formatIp(ip), subnet: formatCidr(c) };
    }
  }
  return undefined;
}

export function usedMacs(t: Topology | undefined): Set<string> {
  const used = new Set<string>();
  for (const nic of allNics(t)) if (nic.mac) used.add(nic.mac.toLowerCase());
  for (const s of Object.values(obj(t?.slots))) if (typeof obj(s).mac === 'string') used.add(String(obj(s).mac).toLowerCase());
  return used;
}

/** A unicast, locally administered MAC (02:xx:xx:xx:xx:xx) not used in the topology. */
export function generateMac(t: Topology | undefined, random: () => number = Math.random): string {
  const used = usedMacs(t);
  for (let attempt = 0; attempt < 1000; attempt++) {
    const octets = ['02'];
    for (let i = 0; i < 5; i++) octets.push(Math.floor(random() * 256).toString(16).padStart(2, '0'));
    const mac = octets.join(':');
    if (!used.has(mac)) return mac;
  }
  throw new Error('could not find an unused MAC');
}

/** The range of the scalar the problem is about, and its quote character (if quoted). */
function scalarRange(src: Source, problem: Problem): { start: number; end: number; quote: string } {
  let start = problem.start;
  let end = problem.end;
  const node = problem.path ? locate(src.analysis.parsed, problem.path)?.value : undefined;
  if (node && isScalar(node) && node.range) [start, end] = [node.range[0], node.range[1]];
  const q = src.text[start];
  return { start, end, quote: q === '"' || q === "'" ? q : '' };
}

export function quickFixes(text: string, problem: Problem, opts: FixOptions = {}): QuickFix[] {
  const fix = problem.fix;
  if (!fix) return [];
  const src = sourceOf(text, opts.analysis);
  const at = scalarRange(src, problem);
  const edit = (value: string, quote = at.quote): TextEdit[] => [{ start: at.start, end: at.end, newText: `${quote}${value}${quote}` }];
  switch (fix.kind) {
    case 'replace-reference':
      return fix.candidates.map((c) => ({ title: `Change to \`${c}\``, edits: edit(c), isPreferred: fix.candidates.length === 1 }));
    case 'next-free-ip': {
      const next = nextFreeIpIn(src.t, fix.network);
      return next ? [{ title: `Use next free IP in ${next.subnet} (${next.ip})`, edits: edit(next.ip), isPreferred: true }] : [];
    }
    case 'generate-mac': {
      const mac = generateMac(src.t, opts.random);
      return [{ title: `Generate a locally administered MAC (${mac})`, edits: edit(mac, at.quote || '"'), isPreferred: true }];
    }
  }
  return [];
}
