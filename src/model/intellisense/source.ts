// Shared inputs of the IntelliSense functions: the analysis, a best-effort topology (also while
// the file has errors), the node under an offset, and summaries of named items.
import { isMap, isPair, isScalar, isSeq, type Node } from 'yaml';
import { analyze, type Analysis } from '../analyze';
import { locate } from '../parse';
import { namesIn, singular } from '../references';
import { networkHosts, onHost } from '../fabric';
import { SECTIONS, type Network, type Path, type Section, type Topology } from '../types';

export interface Source {
  text: string;
  analysis: Analysis;
  /** The topology as far as it can be read, even when the file has errors. */
  t: Topology | undefined;
}

export function sourceOf(text: string, analysis?: Analysis): Source {
  const a = analysis && analysis.parsed.text === text ? analysis : analyze(text);
  let t = a.topology;
  if (!t && a.parsed.root) {
    try {
      const v: unknown = a.parsed.looseValue();
      if (v && typeof v === 'object' && !Array.isArray(v)) t = v as Topology;
    } catch {
      t = undefined;
    }
  }
  return { text, analysis: a, t };
}

export interface NodeHit {
  path: (string | number)[];
  isKey: boolean;
  node: Node;
}

/** The scalar (or key) under `offset`, with its path. */
export function nodeAt(src: Source, offset: number): NodeHit | undefined {
  let node: unknown = src.analysis.parsed.root;
  const path: (string | number)[] = [];
  const inside = (n: unknown) => {
    const r = (n as Node | null)?.range;
    return !!r && offset >= r[0] && offset <= r[1];
  };
  for (let depth = 0; depth < 200; depth++) {
    if (isMap(node)) {
      let next: unknown;
      for (const p of node.items) {
        if (!isPair(p)) continue;
        const key = isScalar(p.key) ? String(p.key.value) : undefined;
        if (key === undefined) continue;
        if (inside(p.key)) return { path: [...path, key], isKey: true, node: p.key as Node };
        if (inside(p.value)) {
          path.push(key);
          next = p.value;
          break;
        }
      }
      if (next === undefined) return undefined;
      node = next;
    } else if (isSeq(node)) {
      const i = node.items.findIndex((it) => inside(it));
      if (i < 0) return undefined;
      path.push(i);
      node = node.items[i];
    } else if (isScalar(node)) {
      return { path, isKey: false, node };
    } else {
      return undefined;
    }
  }
  return undefined;
}

/** Which of `sections` defines `name` (first match). */
export function sectionOf(t: Topology | undefined, sections: readonly Section[], name: string): Section | undefined {
  return sections.find((s) => namesIn(t, s).includes(name));
}

/** The range of the key that defines `section.name`. */
export function definitionRange(src: Source, section: Section, name: string): { start: number; end: number } | undefined {
  const key = locate(src.analysis.parsed, [section, name])?.key;
  return key?.range ? { start: key.range[0], end: key.range[1] } : undefined;
}

function obj(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

const code = (s: unknown) => `\`${String(s)}\``;

/** NICs of every VM, flattened (robust to half-typed input). */
export function allNics(t: Topology | undefined): { vm: string; index: number; network?: string; ip?: string; mac?: string }[] {
  const out: { vm: string; index: number; network?: string; ip?: string; mac?: string }[] = [];
  for (const [vm, v] of Object.entries(obj(t?.vms))) {
    list(obj(v).nics).forEach((n, index) => {
      const nic = obj(n);
      out.push({ vm, index, network: str(nic.network), ip: str(nic.ip), mac: str(nic.mac) });
    });
  }
  return out;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

/** Markdown summary of a named item, for hover on references and names. */
export function summarize(t: Topology | undefined, section: Section, name: string): string {
  const item = obj(t?.[section]?.[name as never]);
  const lines: string[] = [`**${singular(section)} ${code(name)}**`];
  const add = (label: string, v: unknown) => {
    if (v !== undefined && v !== '' && !(Array.isArray(v) && !v.length)) lines.push(`- ${label}: ${Array.isArray(v) ? v.join(', ') : String(v)}`);
  };
  if (typeof item.description === 'string') lines.push('', item.description, '');
  const vmsOn = (pred: (vm: Record<string, unknown>, n: string) => boolean) =>
    Object.entries(obj(t?.vms)).filter(([n, v]) => pred(obj(v), n)).map(([n]) => code(n));
  switch (section) {
    case 'hosts': {
      add('ssh', item.sshConfigHost ? `alias ${code(item.sshConfigHost)}` : item.address ? `${item.user ? `${String(item.user)}@` : ''}${String(item.address)}${item.port ? `:${String(item.port)}` : ''}` : undefined);
      add('via', item.proxyJump);
      add('arch', `${String(item.arch ?? 'x86_64')}${item.kvm === false ? ' (no kvm)' : ''}`);
      add('networks', Object.entries(obj(t?.networks)).filter(([, n]) => onHost(obj(n) as Network, name)).map(([n]) => code(n)));
      add('VMs', vmsOn((v) => v.host === name));
      break;
    }
    case 'networks': {
      add('host', item.host !== undefined ? code(item.host) : undefined);
      add('kind', `${String(item.kind ?? 'bridge')}${item.bridge ? ` ${code(item.bridge)}` : ''}`);
      add('subnet', item.subnet);
      add('gateway', item.gateway);
      const dhcp = obj(item.dhcp);
      add('dhcp', dhcp.start && dhcp.end ? `${String(dhcp.start)}–${String(dhcp.end)}` : undefined);
      add('nat', item.nat);
      const nics = allNics(t).filter((n) => n.network === name).map((n) => `${code(n.vm)}${n.ip ? ` ${n.ip}` : ''}`);
      add('VMs', [...new Set(nics)]);
      break;
    }
    case 'vms': {
      add('host', item.host !== undefined ? code(item.host) : undefined);
      add('backend', item.backend);
      add('arch', `${String(item.arch ?? 'x86_64')} / ${String(item.accel ?? 'kvm')}`);
      add('vcpus', item.vcpus);
      add('memory', item.memory);
      add('slot', item.slot !== undefined ? code(item.slot) : undefined);
      add('NICs', allNics(t).filter((n) => n.vm === name).map((n) => `${n.network ? code(n.network) : '?'}${n.ip ? ` ${n.ip}` : ''}${n.mac ? ` ${n.mac}` : ''}`));
      add('role', item.role);
      break;
    }
    case 'slots': {
      add('host', item.host !== undefined ? code(item.host) : undefined);
      add('network', item.network !== undefined ? code(item.network) : undefined);
      add('ip', item.ip);
      add('mac', item.mac);
      add('state', item.state !== undefined ? code(item.state) : undefined);
      add('VM', vmsOn((v) => v.slot === name));
      break;
    }
    case 'states': {
      add('host', item.host !== undefined ? code(item.host) : undefined);
      add('in slot', Object.entries(obj(t?.slots)).filter(([, s]) => obj(s).state === name).map(([n]) => code(n)));
      break;
    }
    case 'profiles': {
      for (const k of ['rate', 'burst', 'delay', 'jitter', 'loss', 'corrupt', 'duplicate', 'direction']) add(k, item[k]);
      add('targets', list(item.targets).map(code));
      add('links', Object.entries(obj(t?.links)).filter(([, l]) => obj(l).profile === name).map(([n]) => code(n)));
      break;
    }
    case 'links': {
      add('endpoints', list(item.endpoints).map(code).join(' ↔ '));
      add('profile', item.profile !== undefined ? code(item.profile) : undefined);
      break;
    }
  }
  return lines.join('\n').replace(/\n{3,}/g, '\n\n');
}

/** One-line detail of an item for completion lists and the outline. */
export function detailOf(t: Topology | undefined, section: Section, name: string): string {
  const item = obj(t?.[section]?.[name as never]);
  const parts: unknown[] = [];
  switch (section) {
    case 'hosts': parts.push(item.sshConfigHost ?? item.address, item.arch); break;
    case 'networks': parts.push(item.subnet, networkHosts(item as Network).length ? `on ${networkHosts(item as Network).join(', ')}` : undefined); break;
    case 'vms': parts.push(item.backend, item.host !== undefined ? `on ${String(item.host)}` : undefined); break;
    case 'slots': parts.push(item.ip, item.host !== undefined ? `on ${String(item.host)}` : undefined); break;
    case 'states': parts.push(item.host !== undefined ? `on ${String(item.host)}` : undefined); break;
    case 'profiles': parts.push(item.description); break;
    case 'links': parts.push(list(item.endpoints).join(' ↔ ')); break;
  }
  return parts.filter((p) => p !== undefined && p !== '').map(String).join(' ');
}

export function isSection(s: unknown): s is Section {
  return typeof s === 'string' && (SECTIONS as readonly string[]).includes(s);
}

export type { Path };
