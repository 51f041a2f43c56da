// Seeded generators for the OpenSSH differential test: ssh configs (Host patterns with * ? ! and
// capitals, Include trees, Match host/originalhost/user/all/negation, tokens, quotes, comments,
// `=` forms, ProxyJump chains, host-key policies) and known_hosts files (plain, comma lists,
// wildcards, negation, hashed, [host]:port, @revoked, @cert-authority, capitals).
import { createHmac } from 'node:crypto';

export type Rand = () => number;

export const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const chance = (r: Rand, p: number) => r() < p;
const range = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));

/** Destinations asked about: capitals, near-misses for `?`, dotted names, an address. */
export const DESTS = ['db-prod', 'Db-Prod', 'db-prod1', 'db-prodXY', 'web.corp', 'WEB.Corp', 'db.corp', 'bastion.corp', 'jump', 'gw1', 'gw-east', 'x', '10.0.0.5', 'A1'];

const PATTERNS = ['*', 'db-prod', 'Db-Prod', 'db-prod?', 'Db-Prod?', '!Db-Prod?', '*.corp', '!bastion.corp', 'gw*', '!gw-east', 'web.*', 'WEB.*', '?', 'x', 'a,b', '*1', '10.0.0.*', 'jump', '"db.corp"', '*-*'];
const MATCH_PATTERNS = ['db-prod', 'DB-PROD', 'db-prod?', '*.corp', '!bastion.corp', 'gw*,!gw-east', '*.lab', 'web.*', 'real-host', '10.0.0.*', '*'];

const VALUES: Record<string, readonly string[]> = {
  HostName: ['10.0.0.9', '%h.lab', 'Upper.%h.EXAMPLE', 'h-%%', 'real-host', '%h', 'Real-Host.lab', 'fe80::1', 'FE80::A', '"quoted.host"', 'h#x', 'host\\ x'],
  Port: ['2222', '22', '65535', '2200', '2201'],
  User: ['admin', 'Root', 'u%h', '"two words"', 'ops'],
  IdentityFile: ['~/.ssh/id_%h', '~/.ssh/%r@%h:%p', '%d/k_%u', '~/.ssh/%C', '~/k%i-%k-%l-%L-%n', '${VSIM_DIFF_VAR}/k', 'none', '~/.ssh/dup', '"~/.ssh/with space"', "'~/.ssh/sq'", '~root/.ssh/r', '~/.ssh/h#x', '~/.ssh/dup'],
  IdentitiesOnly: ['yes', 'no', 'true', 'False', 'YES'],
  StrictHostKeyChecking: ['yes', 'no', 'ask', 'accept-new', 'true', 'FALSE', 'off', 'Accept-New'],
  UserKnownHostsFile: ['~/.ssh/kh_%h', '~/.ssh/kh_%k %d/kh2', '/dev/null', 'none', '${VSIM_DIFF_VAR}/kh', '~/kh_%C_%n_%p_%r_%u', '"~/kh q"'],
  GlobalKnownHostsFile: ['/etc/ssh/gkh', '~/g %h', 'none', '/dev/null'],
  HostKeyAlias: ['Alias-%h', 'KeyAlias', 'db-prod'],
  HashKnownHosts: ['yes', 'no', 'true', 'No'],
  ConnectTimeout: ['10', '1m', '30s', '1h2m', '0'],
  ProxyJump: ['jump', 'root@jump:2200', 'jump,bastion.corp', 'none', 'gw1,root@gw-east:2222,jump', 'ssh://u@gw1:2201', '[::1]:2222', 'Jump', 'NONE'],
  ProxyCommand: ['none', 'nc %h %p'],
  LocalCommand: ['echo %h'],
  PermitLocalCommand: ['yes', 'no'],
};
const RARE_BAD: Record<string, readonly string[]> = {
  Port: ['0', '70000', '22x'],
  StrictHostKeyChecking: ['maybe'],
  ProxyJump: ['a,,b', 'u@'],
  IdentitiesOnly: ['sometimes'],
};
const KEYS = Object.keys(VALUES);

function optionLine(r: Rand, indent: string): string {
  const key = pick(r, KEYS);
  const bad = RARE_BAD[key];
  const value = bad && chance(r, 0.03) ? pick(r, bad) : pick(r, VALUES[key] as readonly string[]);
  const kw = chance(r, 0.15) ? key.toUpperCase() : chance(r, 0.15) ? key.toLowerCase() : key;
  const sep = pick(r, [' ', ' ', ' ', '=', ' = ', '\t']);
  const comment = chance(r, 0.08) ? ' # note' : '';
  return `${indent}${kw}${sep}${value}${comment}`;
}

function hostLine(r: Rand): string {
  const n = range(r, 1, 3);
  return `Host ${Array.from({ length: n }, () => pick(r, PATTERNS)).join(' ')}`;
}

function matchLine(r: Rand): string {
  const crit = () => {
    const neg = chance(r, 0.3) ? '!' : '';
    const kind = pick(r, ['host', 'host', 'originalhost', 'user', 'localuser']);
    const arg = kind === 'user' ? pick(r, ['root', 'admin', 'ops,!admin', 'nobody']) : kind === 'localuser' ? pick(r, ['root', 'nobody']) : pick(r, MATCH_PATTERNS);
    return `${neg}${chance(r, 0.2) ? kind.toUpperCase() : kind} ${arg}`;
  };
  if (chance(r, 0.15)) return chance(r, 0.2) ? 'Match !all' : 'Match all';
  if (chance(r, 0.05)) return `Match ${pick(r, ['final', 'canonical', '!final', 'final host real-host', 'canonical all'])}`;
  return `Match ${Array.from({ length: range(r, 1, 2) }, crit).join(' ')}`;
}

export interface GenConfig {
  /** Main config text. */
  text: string;
  /** Files to create: path as ssh sees it → text. */
  files: Map<string, string>;
}

/** One config with its Include tree; `home` is the passwd home ssh sees, `tag` keeps its include files apart. */
export function genConfig(r: Rand, home: string, tag: string): GenConfig {
  const files = new Map<string, string>();
  const dir = `${home}/.ssh/${tag}`;
  const includeArg = (depth: number): string => {
    const name = pick(r, ['10-a', '20-b', '30-c', '.hidden']);
    if (!files.has(`${dir}/${name}`)) files.set(`${dir}/${name}`, '');
    files.set(`${dir}/${name}`, body(depth + 1, 3));
    return pick(r, [`${tag}/*`, `${tag}/${name}`, `~/.ssh/${tag}/${name}`, `${dir}/*`, `${tag}/missing`, `${tag}/?0-*`]);
  };
  function block(depth: number): string[] {
    const out: string[] = [];
    const head = chance(r, 0.7) ? hostLine(r) : matchLine(r);
    out.push(head);
    for (let i = range(r, 1, 4); i > 0; i--) {
      if (depth < 2 && chance(r, 0.1)) out.push(`  Include ${includeArg(depth)}`);
      else out.push(optionLine(r, pick(r, ['  ', '\t', ''])));
    }
    return out;
  }
  function body(depth: number, maxSegments: number): string {
    const out: string[] = [];
    for (let s = range(r, 1, maxSegments); s > 0; s--) {
      const kind = r();
      if (kind < 0.2) out.push(optionLine(r, ''));
      else if (kind < 0.3 && depth < 2) out.push(`Include ${includeArg(depth)}${chance(r, 0.2) ? ` ${includeArg(depth)}` : ''}`);
      else if (kind < 0.35) out.push(chance(r, 0.5) ? '# a comment line' : '');
      else out.push(...block(depth));
    }
    return out.join('\n') + '\n';
  }
  return { text: body(0, 8), files };
}

/** Command-line options (topology fields) for a fifth of the queries. */
export function genCmdline(r: Rand): Record<string, string | number> {
  const o: Record<string, string | number> = {};
  if (!chance(r, 0.2)) return o;
  if (chance(r, 0.4)) o.hostName = pick(r, ['192.0.2.7', 'Topo-Host.lab', '%h.topo']);
  if (chance(r, 0.3)) o.port = pick(r, [2022, 22]);
  if (chance(r, 0.3)) o.user = pick(r, ['topo', 'root']);
  if (chance(r, 0.3)) o.identityFile = pick(r, ['~/.ssh/topo', '~/.ssh/id_%h']);
  if (chance(r, 0.3)) o.proxyJump = pick(r, ['jump', 'ops@bastion.corp:2201', 'gw1,jump']);
  return o;
}

// ---- known_hosts ----

export interface KnownKey {
  type: string;
  b64: string;
}

/** Names a known_hosts line may carry (capitals on purpose: ssh lower-cases the name it looks up). */
const KH_NAMES = ['web.corp', 'WEB.Corp', 'db-prod', 'Db-Prod', '10.0.0.5', '[web.corp]:2222', '[WEB.corp]:2222', '[db-prod]:2200', '*.corp', '!bastion.corp', 'gw?', '[gw1]:*', 'keyalias', 'bastion.corp', 'gw1', '[10.0.0.5]:2222', 'db-prod?', '*'];

export function hashName(name: string, r: Rand): string {
  const salt = Buffer.from(Array.from({ length: 20 }, () => Math.floor(r() * 256)));
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

/** One known_hosts file of 3–10 lines. */
export function genKnownHosts(r: Rand, keys: readonly KnownKey[]): string {
  const lines: string[] = [];
  for (let i = range(r, 3, 10); i > 0; i--) {
    const roll = r();
    if (roll < 0.06) { lines.push(pick(r, ['# comment', '', '   '])); continue; }
    const k = pick(r, keys);
    let hosts: string;
    if (chance(r, 0.3)) {
      const plain = pick(r, KH_NAMES.filter((n) => !/[*?!]/.test(n)));
      hosts = hashName(plain, r);
    } else {
      hosts = Array.from({ length: range(r, 1, 3) }, () => pick(r, KH_NAMES)).join(',');
    }
    const marker = chance(r, 0.12) ? '@revoked ' : chance(r, 0.08) ? '@cert-authority ' : '';
    lines.push(`${marker}${hosts} ${k.type} ${k.b64}${chance(r, 0.2) ? ' comment' : ''}`);
  }
  return lines.join('\n') + '\n';
}

/** Lookup names for ssh-keygen -F: what ssh looks up for host:port (lower-cased), or a HostKeyAlias. */
export function genLookup(r: Rand): { host: string; port: number; alias?: string } {
  const host = pick(r, ['web.corp', 'WEB.Corp', 'db-prod', 'Db-Prod', '10.0.0.5', 'x.corp', 'bastion.corp', 'gw1', 'gw2', 'db-prod1']);
  const port = pick(r, [22, 22, 2222, 2200]);
  return chance(r, 0.1) ? { host, port, alias: 'keyalias' } : { host, port };
}
