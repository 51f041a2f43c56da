// The fallback resolver for machines without OpenSSH: reads an ssh config as OpenSSH 9.2's readconf.c
// does and returns the values `ssh -G` prints for the options vsim uses (SshOptions). Line syntax
// (argv_split: quotes, `\` escapes, `#` only at the start of a word), first value wins, Host patterns
// (case-sensitive, `?` is one character, `!` excludes), Match (host/originalhost lower-cased, HostName
// with %h seen, negation, all, user, localuser, canonical/final with the final pass), Include (only
// in an active block, each file starting from the includer's state, the state restored after it),
// ProxyJump as parse_jump(), then ssh.c's post-processing (HostName %h, lower-casing, defaults,
// UserKnownHostsFile expansion). `Match exec` is never run: reaching one is an SshConfigRefused.
import { isIP } from 'node:net';
import { includeFiles, MAX_INCLUDE_DEPTH, nodeIncludeFs, type IncludeFs } from './sshConfigInclude';
import { expandClientPath, percentExpand, type SshEnv } from './sshTokens';

/** The resolved values of one destination, as `ssh -G` prints them (keys lower-case as there). */
export interface SshOptions {
  /** The destination as given (`host` line of ssh -G). */
  host: string;
  hostname: string;
  user: string;
  port: number;
  /** Raw IdentityFile values (tokens unexpanded), duplicates dropped; the defaults when none. */
  identityfile: string[];
  identitiesonly: boolean;
  /** `[extra,…,][user@]host[:port]`; absent when none. */
  proxyjump?: string;
  proxycommand?: string;
  localcommand?: string;
  permitlocalcommand: boolean;
  stricthostkeychecking: 'true' | 'false' | 'ask' | 'accept-new';
  /** Expanded (tilde, ${VAR}, tokens). */
  userknownhostsfile: string[];
  /** As written. */
  globalknownhostsfile: string[];
  /** Lower-cased, tokens unexpanded. */
  hostkeyalias?: string;
  hashknownhosts: boolean;
  /** Seconds; absent = none. */
  connecttimeout?: number;
}

/** Options given as `ssh -o KEY=VALUE` (topology fields): applied before the config, so they win. */
export interface CommandLineOptions {
  hostName?: string;
  port?: number;
  user?: string;
  identityFile?: string;
  proxyJump?: string;
}

/** A config vsim will not act on (it would run a local command); the message names file and line. */
export class SshConfigRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SshConfigRefused';
  }
}

export const DEFAULT_IDENTITY_FILES = ['~/.ssh/id_rsa', '~/.ssh/id_ecdsa', '~/.ssh/id_ecdsa_sk', '~/.ssh/id_ed25519', '~/.ssh/id_ed25519_sk', '~/.ssh/id_xmss', '~/.ssh/id_dsa'];
const MAX_IDENTITY_FILES = 100;
const MAX_HOST_FILES = 16;

interface Jump {
  host: string;
  user?: string;
  port?: number;
  extra?: string;
}

/** Values as readconf.c holds them while reading (undefined = not set yet). */
interface Raw {
  hostname?: string;
  user?: string;
  port?: number;
  identityFiles: string[];
  identitiesOnly?: boolean;
  jump?: Jump | 'none';
  proxyCommand?: string;
  localCommand?: string;
  permitLocalCommand?: boolean;
  strict?: SshOptions['stricthostkeychecking'];
  userKnownHosts?: string[];
  globalKnownHosts?: string[];
  hostKeyAlias?: string;
  hashKnownHosts?: boolean;
  connectTimeout?: number;
}

interface Pass {
  /** Name Host lines match against (the destination; the final HostName in the final pass). */
  host: string;
  originalHost: string;
  final: boolean;
  wantFinal: boolean;
  env: SshEnv;
  fs: IncludeFs;
  errors: string[];
}

/** misc.c argv_split(…, terminate_on_comment=1): words, quotes removed, `\` escapes, `#` starts a comment. */
export function argvSplit(s: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (c === ' ' || c === '\t') { i++; continue; }
    if (c === '#') break;
    let quote = '';
    let arg = '';
    for (; i < s.length; i++) {
      const ch = s[i] as string;
      const next = s[i + 1];
      if (ch === '\\') {
        if (next === "'" || next === '"' || next === '\\' || (quote === '' && next === ' ')) {
          i++;
          arg += next;
        } else {
          arg += ch;
        }
      } else if (quote === '' && (ch === ' ' || ch === '\t')) break;
      else if (quote === '' && (ch === '"' || ch === "'")) quote = ch;
      else if (quote !== '' && ch === quote) quote = '';
      else arg += ch;
    }
    if (i >= s.length && quote !== '') return undefined;
    out.push(arg);
  }
  return out;
}

/** match.c match_pattern: `*` any run, `?` exactly one character; case-sensitive. */
export function matchPattern(s: string, p: string): boolean {
  let si = 0;
  let pi = 0;
  let star = -1;
  let mark = 0;
  while (si < s.length) {
    if (pi < p.length && (p[pi] === '?' || p[pi] === s[si])) { si++; pi++; continue; }
    if (pi < p.length && p[pi] === '*') { star = pi++; mark = si; continue; }
    if (star >= 0) { pi = star + 1; si = ++mark; continue; }
    return false;
  }
  while (pi < p.length && p[pi] === '*') pi++;
  return pi === p.length;
}

/** match.c match_pattern_list: 1 if a positive item matches, -1 if a `!` item matches, else 0. */
export function matchPatternList(s: string, list: string, lower: boolean): 1 | 0 | -1 {
  let got = 0 as 1 | 0;
  for (const raw of list.split(',')) {
    const negated = raw.startsWith('!');
    let item = negated ? raw.slice(1) : raw;
    if (lower) item = item.toLowerCase();
    if (matchPattern(s, item)) {
      if (negated) return -1;
      got = 1;
    }
  }
  return got;
}

/** ssh.c lower-cases a host name, but not an address (resolve_addr with AI_NUMERICHOST): `FE80::A` stays. */
export function sshHostCase(host: string): string {
  return isIP(host) ? host : host.toLowerCase();
}

export function matchHostname(host: string, list: string): boolean {
  return matchPatternList(host.toLowerCase(), list, true) === 1;
}

function parseFlag(v: string): boolean | undefined {
  switch (v.toLowerCase()) {
    case 'yes': case 'true': return true;
    case 'no': case 'false': return false;
    default: return undefined;
  }
}

function parseStrict(v: string): SshOptions['stricthostkeychecking'] | undefined {
  switch (v.toLowerCase()) {
    case 'yes': case 'true': return 'true';
    case 'no': case 'false': case 'off': return 'false';
    case 'ask': return 'ask';
    case 'accept-new': return 'accept-new';
    default: return undefined;
  }
}

/** misc.c a2port: 1–65535, digits only. */
export function a2port(s: string): number | undefined {
  if (!/^\d+$/.test(s)) return undefined;
  const n = Number(s);
  return n >= 1 && n <= 65535 ? n : undefined;
}

/** misc.c convtime: `90`, `1m30s`, units s m h d w (either case). */
function convtime(s: string): number | undefined {
  if (!s) return undefined;
  let total = 0;
  for (const m of s.matchAll(/(\d+)([smhdwSMHDW]?)|(.)/g)) {
    if (m[3] !== undefined) return undefined;
    const mult = { '': 1, s: 1, m: 60, h: 3600, d: 86400, w: 604800 }[(m[2] ?? '').toLowerCase()] ?? 1;
    total += Number(m[1]) * mult;
  }
  return total;
}

/** misc.c parse_user_host_port (+ hpdelim, cleanhostname). */
function parseUserHostPort(s: string): Jump | undefined {
  let rest = s;
  let user: string | undefined;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    if (!user) return undefined;
    rest = rest.slice(at + 1);
  }
  let host: string;
  let portStr: string | undefined;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return undefined;
    const after = rest[close + 1];
    if (after !== undefined && after !== ':' && after !== '/') return undefined;
    host = rest.slice(0, close + 1);
    portStr = after === undefined ? undefined : rest.slice(close + 2);
  } else {
    const d = rest.search(/[:/]/);
    host = d < 0 ? rest : rest.slice(0, d);
    portStr = d < 0 ? undefined : rest.slice(d + 1);
  }
  if (!host) return undefined;
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  let port: number | undefined;
  if (portStr) {
    port = a2port(portStr);
    if (port === undefined) return undefined;
  }
  return { host, ...(user !== undefined ? { user } : {}), ...(port !== undefined ? { port } : {}) };
}

/** misc.c parse_ssh_uri for `ssh://[user@]host[:port]` (no path); 'not-uri' when it is not one. */
function parseSshUri(s: string): Jump | undefined | 'not-uri' {
  if (!s.toLowerCase().startsWith('ssh://')) return 'not-uri';
  let rest = s.slice(6);
  let user: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    user = decodeURIComponent(rest.slice(0, at));
    if (!user) return undefined;
    rest = rest.slice(at + 1);
  }
  const hp = parseUserHostPort(rest);
  if (!hp || hp.user !== undefined || rest.includes('/')) return undefined;
  return { ...hp, ...(user !== undefined ? { user } : {}) };
}

function parseHop(s: string): Jump | undefined {
  const uri = parseSshUri(s);
  return uri === 'not-uri' ? parseUserHostPort(s) : uri;
}

/** readconf.c parse_jump: the last hop is parsed, earlier ones only checked and kept as text. */
function parseJump(s: string, raw: Raw, active: boolean): boolean {
  const isActive = active && raw.proxyCommand === undefined && raw.jump === undefined;
  const hashAt = s.indexOf('#');
  const sdup = (hashAt >= 0 ? s.slice(0, hashAt) : s).replace(/[ \t\r\n]+$/, '');
  if (s.toLowerCase() === 'none') {
    if (isActive) raw.jump = 'none';
    return true;
  }
  const parts = sdup.split(',');
  const last = parseHop(parts[parts.length - 1] as string);
  if (!last) return false;
  for (const p of parts.slice(0, -1)) if (!parseHop(p)) return false;
  if (isActive) {
    const comma = s.lastIndexOf(',');
    raw.jump = { ...last, ...(comma > 0 ? { extra: s.slice(0, comma) } : {}) };
    raw.proxyCommand = 'none';
  }
  return true;
}

/** Splits a line into keyword and the rest as readconf.c's strdelim does (`Key value`, `Key=value`, `Key = value`). */
function splitKeyword(line: string): { keyword: string; rest: string } | undefined {
  const s = line.replace(/^[ \t\r\n]+/, '');
  const m = /^([^ \t\r\n="]*)/.exec(s);
  const keyword = m?.[1] ?? '';
  if (!keyword || keyword.startsWith('#')) return undefined;
  let rest = s.slice(keyword.length);
  if (rest.startsWith('=')) rest = rest.slice(1).replace(/^[ \t\r\n]+/, '');
  else {
    rest = rest.replace(/^[ \t\r\n]+/, '');
    if (rest.startsWith('=')) rest = rest.slice(1).replace(/^[ \t\r\n]+/, '');
  }
  return { keyword: keyword.toLowerCase(), rest };
}

interface LineCtx {
  file: string;
  line: number;
  active: { v: boolean };
  neverMatch: boolean;
  cmdline: boolean;
  depth: number;
}

function where(c: LineCtx): string {
  return c.cmdline ? 'command-line' : `${c.file} line ${c.line}`;
}

/** readconf.c match_cfg_line. */
function matchLine(rest: string, raw: Raw, p: Pass, c: LineCtx): boolean | undefined {
  const words: string[] = [];
  for (const m of rest.matchAll(/"([^"]*)"|([^ \t\r\n]+)/g)) words.push(m[1] ?? m[2] ?? '');
  const ruser = raw.user ?? p.env.localUser;
  let host: string;
  if (p.final) host = raw.hostname ?? p.host;
  else if (raw.hostname !== undefined) host = percentExpand(raw.hostname, { h: p.originalHost });
  else host = p.originalHost;
  let result = true;
  let attributes = 0;
  for (let i = 0; i < words.length; i++) {
    let attrib = words[i] as string;
    if (attrib.startsWith('#')) break;
    const negate = attrib.startsWith('!');
    if (negate) attrib = attrib.slice(1);
    const a = attrib.toLowerCase();
    if (a === 'all') {
      const next = words[i + 1];
      if (attributes > 0 || (next !== undefined && !next.startsWith('#'))) {
        p.errors.push(`${where(c)}: '${attrib}' cannot be combined with other Match attributes`);
        return undefined;
      }
      if (result) result = !negate;
      return result;
    }
    attributes++;
    if (a === 'canonical' || a === 'final') {
      if (a === 'final') p.wantFinal = true;
      if (p.final === negate) result = false;
      continue;
    }
    const arg = words[++i];
    if (arg === undefined || arg === '' || arg.startsWith('#')) {
      p.errors.push(`${where(c)}: Missing Match criteria for ${attrib}`);
      return undefined;
    }
    let r: boolean;
    switch (a) {
      case 'host': r = matchHostname(host, arg); break;
      case 'originalhost': r = matchHostname(p.originalHost, arg); break;
      case 'user': r = matchPatternList(ruser, arg, false) === 1; break;
      case 'localuser': r = matchPatternList(p.env.localUser, arg, false) === 1; break;
      case 'exec':
        if (!result) continue; // ssh skips the command when an earlier criterion failed
        throw new SshConfigRefused(`${where(c)}: \`Match exec\` would run a local command (${arg}); vsim does not run commands from ssh config`);
      default:
        throw new Error(`${where(c)}: Match ${attrib} is not supported without OpenSSH installed`);
    }
    if (r === negate) result = false;
  }
  if (attributes === 0) {
    p.errors.push(`${where(c)}: One or more attributes required for Match`);
    return undefined;
  }
  return result;
}

function oneArg(args: string[], keyword: string, p: Pass, c: LineCtx): string | undefined {
  const a = args[0];
  if (a === undefined || a === '') {
    p.errors.push(`${where(c)}: Missing argument for ${keyword}`);
    return undefined;
  }
  if (args.length > 1) {
    p.errors.push(`${where(c)}: keyword ${keyword} extra arguments at end of line`);
    return undefined;
  }
  return a;
}

function charArray(args: string[], keyword: string, p: Pass, c: LineCtx): string[] | undefined {
  if (args.length === 0) { p.errors.push(`${where(c)}: Missing argument for ${keyword}`); return undefined; }
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '') { p.errors.push(`${where(c)}: keyword ${keyword} empty argument`); return undefined; }
    if ((args[i] as string).toLowerCase() === 'none' && args.length > 1) {
      p.errors.push(`${where(c)}: keyword ${keyword} "none" argument must appear alone.`);
      return undefined;
    }
  }
  if (args.length > MAX_HOST_FILES) { p.errors.push(`${where(c)}: too many ${keyword} files`); return undefined; }
  return args;
}

/** readconf.c process_config_line_depth for the keywords vsim uses; others are skipped. */
function processLine(text: string, raw: Raw, p: Pass, c: LineCtx): void {
  const kw = splitKeyword(text.replace(/[ \t\r\n\f]+$/, ''));
  if (!kw) return;
  const { keyword, rest } = kw;
  if (rest === '') {
    p.errors.push(`${where(c)}: no argument after keyword "${keyword}"`);
    return;
  }
  const args = argvSplit(rest);
  if (!args) {
    p.errors.push(`${where(c)}: invalid quotes`);
    return;
  }
  const active = c.active.v;
  switch (keyword) {
    case 'host': {
      if (c.cmdline) { p.errors.push('Host directive not supported as a command-line option'); return; }
      c.active.v = false;
      for (const arg of args) {
        if (arg === '') { p.errors.push(`${where(c)}: keyword host empty argument`); return; }
        if (c.neverMatch) break;
        const negated = arg.startsWith('!');
        if (matchPattern(p.host, negated ? arg.slice(1) : arg)) {
          if (negated) { c.active.v = false; break; }
          c.active.v = true;
        }
      }
      return;
    }
    case 'match': {
      if (c.cmdline) { p.errors.push('Host directive not supported as a command-line option'); return; }
      const v = matchLine(rest, raw, p, c);
      if (v === undefined) return;
      c.active.v = c.neverMatch ? false : v;
      return;
    }
    case 'include': {
      if (c.cmdline) { p.errors.push('Include directive not supported as a command-line option'); return; }
      const before = c.active.v;
      for (const arg of args) {
        if (arg === '') { p.errors.push(`${where(c)}: keyword include empty argument`); return; }
        for (const file of includeFiles(arg, p.env, p.fs)) {
          readFile(file, raw, p, { active: c.active, neverMatch: c.neverMatch || !before, depth: c.depth + 1 });
          c.active.v = before; // an included file's Host/Match never changes the includer's state
        }
      }
      return;
    }
    case 'hostname': case 'user': case 'hostkeyalias': {
      const a = oneArg(args, keyword, p, c);
      if (a === undefined || !active) return;
      if (keyword === 'hostname') raw.hostname ??= a;
      else if (keyword === 'user') raw.user ??= a;
      else raw.hostKeyAlias ??= a;
      return;
    }
    case 'port': {
      const a = oneArg(args, keyword, p, c);
      if (a === undefined) return;
      const n = a2port(a);
      if (n === undefined) { p.errors.push(`${where(c)}: Bad port '${a}'.`); return; }
      if (active) raw.port ??= n;
      return;
    }
    case 'identityfile': {
      const a = oneArg(args, keyword, p, c);
      if (a === undefined || !active) return;
      if (raw.identityFiles.length >= MAX_IDENTITY_FILES) throw new Error(`${where(c)}: too many identity files specified (max ${MAX_IDENTITY_FILES})`);
      if (!raw.identityFiles.includes(a)) raw.identityFiles.push(a);
      return;
    }
    case 'identitiesonly': case 'hashknownhosts': case 'permitlocalcommand': {
      const a = oneArg(args, keyword, p, c);
      if (a === undefined) return;
      const f = parseFlag(a);
      if (f === undefined) { p.errors.push(`${where(c)}: unsupported option "${a}".`); return; }
      if (!active) return;
      if (keyword === 'identitiesonly') raw.identitiesOnly ??= f;
      else if (keyword === 'hashknownhosts') raw.hashKnownHosts ??= f;
      else raw.permitLocalCommand ??= f;
      return;
    }
    case 'stricthostkeychecking': {
      const a = oneArg(args, keyword, p, c);
      if (a === undefined) return;
      const v = parseStrict(a);
      if (v === undefined) { p.errors.push(`${where(c)}: unsupported option "${a}".`); return; }
      if (active) raw.strict ??= v;
      return;
    }
    case 'connecttimeout': {
      const a = oneArg(args, keyword, p, c);
      if (a === undefined) return;
      const v = convtime(a);
      if (v === undefined) { p.errors.push(`${where(c)}: invalid time value.`); return; }
      if (active) raw.connectTimeout ??= v;
      return;
    }
    case 'userknownhostsfile': case 'globalknownhostsfile': {
      const list = charArray(args, keyword, p, c);
      if (!list || !active) return;
      if (keyword === 'userknownhostsfile') raw.userKnownHosts ??= list;
      else raw.globalKnownHosts ??= list;
      return;
    }
    case 'proxyjump': {
      if (!parseJump(rest, raw, active)) p.errors.push(`${where(c)}: Invalid ProxyJump "${rest}"`);
      return;
    }
    case 'proxycommand': case 'localcommand': {
      if (!active) return;
      if (keyword === 'localcommand') raw.localCommand ??= rest;
      else raw.proxyCommand ??= rest; // a ProxyJump before it has set it to none
      return;
    }
    default:
      return; // an option vsim does not read
  }
}

function readFile(file: string, raw: Raw, p: Pass, s: { active: { v: boolean }; neverMatch: boolean; depth: number }): void {
  if (s.depth > MAX_INCLUDE_DEPTH) throw new Error(`Too many recursive configuration includes (${file})`);
  const text = p.fs.read(file);
  if (text === undefined) return;
  readText(text, file, raw, p, s);
}

function readText(text: string, file: string, raw: Raw, p: Pass, s: { active: { v: boolean }; neverMatch: boolean; depth: number }): void {
  text.split('\n').forEach((line, i) => {
    processLine(line, raw, p, { file, line: i + 1, active: s.active, neverMatch: s.neverMatch, cmdline: false, depth: s.depth });
  });
}

export interface ParseInput {
  /** The config text and the name messages use for it; undefined = no config file. */
  config?: { text: string; file: string };
  /** The system-wide file ssh reads after the user's when no `-F` is given (e.g. Debian's HashKnownHosts yes). */
  system?: { text: string; file: string };
  fs?: IncludeFs;
}

function commandLineLines(o: CommandLineOptions): string[] {
  const q = (v: string) => `"${v.replace(/[\\"]/g, '\\$&')}"`;
  const lines: string[] = [];
  if (o.hostName !== undefined) lines.push(`HostName=${q(o.hostName)}`);
  if (o.port !== undefined) lines.push(`Port=${o.port}`);
  if (o.user !== undefined) lines.push(`User=${q(o.user)}`);
  if (o.identityFile !== undefined) lines.push(`IdentityFile=${q(o.identityFile)}`);
  if (o.proxyJump !== undefined) {
    // parse_jump reads the raw text (no quoting), so only a plain [user@]host[:port] list is passed on.
    if (/[\s"'#\\]/.test(o.proxyJump)) throw new Error(`Invalid ProxyJump ${JSON.stringify(o.proxyJump)}`);
    lines.push(`ProxyJump=${o.proxyJump}`);
  }
  return lines;
}

/** `-o` arguments for ssh carrying the same command-line options (quoted for ssh's own argv_split). */
export function commandLineArgs(o: CommandLineOptions): string[] {
  return commandLineLines(o).flatMap((l) => ['-o', l]);
}

/** Resolves `dest` as `ssh -G [-o …] -F CONFIG dest` would print it, without running ssh. */
export function parseSshOptions(dest: string, input: ParseInput, env: SshEnv, cmdline: CommandLineOptions = {}): SshOptions {
  const raw: Raw = { identityFiles: [] };
  const p: Pass = { host: dest, originalHost: dest, final: false, wantFinal: false, env, fs: input.fs ?? nodeIncludeFs, errors: [] };
  for (const l of commandLineLines(cmdline)) {
    processLine(l, raw, p, { file: 'command-line', line: 0, active: { v: true }, neverMatch: false, cmdline: true, depth: 0 });
  }
  const read = () => {
    for (const c of [input.config, input.system]) {
      if (c) readText(c.text, c.file, raw, p, { active: { v: true }, neverMatch: false, depth: 0 });
    }
  };
  read();
  if (p.errors.length === 0 && p.wantFinal) {
    const host = sshHostCase(raw.hostname !== undefined ? percentExpand(raw.hostname, { h: dest }) : dest);
    raw.hostname = host;
    p.host = host;
    p.final = true;
    read();
  }
  if (p.errors.length) throw new Error(`Bad ssh configuration: ${p.errors.join('; ')}`);
  return finish(dest, raw, env);
}

/** ssh.c after reading the config: HostName's %h, lower-casing, defaults, UserKnownHostsFile expansion. */
function finish(dest: string, raw: Raw, env: SshEnv): SshOptions {
  const hostname = sshHostCase(raw.hostname !== undefined ? percentExpand(raw.hostname, { h: dest }) : dest);
  const user = raw.user ?? env.localUser;
  const port = raw.port ?? 22;
  const jump = raw.jump;
  if (jump !== undefined && jump !== 'none' && jump.host === hostname && (jump.port ?? 22) === port && (jump.user ?? user) === user) {
    throw new Error(`jumphost loop via ${jump.host}`);
  }
  const hostKeyAlias = raw.hostKeyAlias?.toLowerCase();
  const tokens = { alias: dest, host: hostname, port, user, ...(hostKeyAlias !== undefined ? { hostKeyAlias } : {}) };
  const out: SshOptions = {
    host: dest,
    hostname,
    user,
    port,
    identityfile: raw.identityFiles.length ? raw.identityFiles : DEFAULT_IDENTITY_FILES,
    identitiesonly: raw.identitiesOnly ?? false,
    permitlocalcommand: raw.permitLocalCommand ?? false,
    stricthostkeychecking: raw.strict ?? 'ask',
    userknownhostsfile: (raw.userKnownHosts ?? ['~/.ssh/known_hosts', '~/.ssh/known_hosts2']).map((f) => expandClientPath(f, tokens, env)),
    globalknownhostsfile: raw.globalKnownHosts ?? ['/etc/ssh/ssh_known_hosts', '/etc/ssh/ssh_known_hosts2'],
    hashknownhosts: raw.hashKnownHosts ?? false,
  };
  if (jump !== undefined && jump !== 'none') out.proxyjump = formatJump(jump);
  // fill_default_options: CLEAR_ON_NONE
  const set = (v: string | undefined): v is string => v !== undefined && v.toLowerCase() !== 'none';
  if (set(raw.proxyCommand)) out.proxycommand = raw.proxyCommand;
  if (set(raw.localCommand)) out.localcommand = raw.localCommand;
  if (hostKeyAlias !== undefined) out.hostkeyalias = hostKeyAlias;
  if (raw.connectTimeout !== undefined) out.connecttimeout = raw.connectTimeout;
  return out;
}

function formatJump(j: Jump): string {
  const host = j.host.includes(':') ? `[${j.host}]` : j.host;
  return `${j.extra !== undefined ? `${j.extra},` : ''}${j.user !== undefined ? `${j.user}@` : ''}${host}${j.port !== undefined ? `:${j.port}` : ''}`;
}
