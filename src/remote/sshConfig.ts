// Resolves where and how to connect, as OpenSSH would: topology host fields become `ssh -o` options
// over the ssh config, the resolved values (SshOptions, what `ssh -G` prints) come from an options
// source (sshG.ts runs OpenSSH itself; sshConfigParse.ts is the fallback without it), and ProxyJump
// chains are followed as ssh.c does: for `a,b,c` the target goes through `ssh -J a,b c`, so only the
// first hop's own ProxyJump applies. Commands from the config (ProxyCommand, LocalCommand) are refused.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { validHostName } from './knownHosts';
import { parseSshOptions, SshConfigRefused, type CommandLineOptions, type SshOptions } from './sshConfigParse';
import { expandClientPath, type SshEnv } from './sshTokens';
import type { Host } from '../model/types';

export type { SshEnv } from './sshTokens';
export type StrictHostKeyChecking = 'yes' | 'no' | 'ask' | 'accept-new';

export interface HostEndpoint {
  /** The key of this endpoint in the pool and in messages: topology host name, ssh alias or jump spec. */
  alias: string;
  /** Address actually connected to (HostName, lower-cased as ssh does). */
  host: string;
  port: number;
  user: string;
  /**
   * Identity files, `~` and tokens expanded, in the order ssh tries them. From the resolver this is the
   * exact list (`identityFilesExact`: empty = none); an endpoint built by hand with [] gets the default keys.
   */
  identityFiles: string[];
  identityFilesExact?: boolean;
  /** IdentitiesOnly: offer only the identity files, not every agent key. */
  identitiesOnly?: boolean;
  /** UserKnownHostsFile: read, and the first one written. */
  knownHostsFiles: string[];
  /** GlobalKnownHostsFile: read only. */
  globalKnownHostsFiles?: string[];
  /** HostKeyAlias: the name looked up and written in known_hosts instead of host/[host]:port. */
  hostKeyAlias?: string;
  /** HashKnownHosts: write new known_hosts names hashed. */
  hashKnownHosts?: boolean;
  /** ConnectTimeout in ms. */
  connectTimeoutMs?: number;
  strictHostKeyChecking: StrictHostKeyChecking;
  /** Hops to go through, first hop first (OpenSSH ProxyJump order). */
  jump?: HostEndpoint[];
}

/** The SSH-related fields of a topology host. */
export type TopologySshHost = Pick<Host, 'sshConfigHost' | 'address' | 'port' | 'user' | 'identityFile' | 'proxyJump'>;

/** The local user as ssh sees it: the passwd entry (home, name, uid), this host's name, the environment. */
export function defaultSshEnv(): SshEnv {
  let localUser = process.env.USER ?? 'root';
  let home = os.homedir();
  let uid = process.getuid?.() ?? 0;
  try {
    const u = os.userInfo();
    localUser = u.username;
    home = u.homedir;
    uid = u.uid;
  } catch {
    // no passwd entry: keep $USER and $HOME
  }
  return { home, localUser, uid, thisHost: os.hostname(), vars: process.env, userHome: passwdHome };
}

/** Another local user's home from /etc/passwd (for `~user/`), as getpwnam would give it. */
function passwdHome(user: string): string | undefined {
  try {
    for (const line of readFileSync('/etc/passwd', 'utf8').split('\n')) {
      const f = line.split(':');
      if (f[0] === user && f.length >= 7) return f[5];
    }
  } catch {
    // no /etc/passwd
  }
  return undefined;
}

/** Default user of a topology host (schema default) when neither the topology nor the ssh config names one. */
export const TOPOLOGY_DEFAULT_USER = 'root';
const MAX_JUMP_DEPTH = 8;

/** One question to the options source: `ssh -G [cmdline as -o] dest`. */
export interface OptionsQuery {
  dest: string;
  cmdline: CommandLineOptions;
}
type Resolution<T> = Generator<OptionsQuery, T, SshOptions>;

export interface JumpSpec {
  user?: string;
  host: string;
  port?: number;
}

function parsePort(value: string | number | undefined, where: string): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new Error(`Invalid SSH port ${JSON.stringify(String(value))} in ${where}`);
  }
  return n;
}

/** Parses one ProxyJump hop: `[user@]host[:port]`, `[user@][v6addr][:port]` or `ssh://[user@]host[:port]`. */
export function parseJumpSpec(spec: string): JumpSpec {
  let s = spec.trim();
  if (s.startsWith('ssh://')) s = s.slice('ssh://'.length).replace(/\/$/, '');
  let user: string | undefined;
  const at = s.lastIndexOf('@');
  if (at >= 0) {
    user = s.slice(0, at);
    s = s.slice(at + 1);
  }
  let host = s;
  let port: number | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
  if (v6) {
    host = v6[1] as string;
    port = parsePort(v6[2], `ProxyJump ${spec}`);
  } else {
    const colon = s.lastIndexOf(':');
    if (colon >= 0 && s.indexOf(':') === colon) {
      host = s.slice(0, colon);
      port = parsePort(s.slice(colon + 1), `ProxyJump ${spec}`);
    }
  }
  if (!host || (user !== undefined && !user)) {
    throw new Error(`Invalid ProxyJump ${JSON.stringify(spec)}: expected [user@]host[:port]`);
  }
  return { ...(user !== undefined ? { user } : {}), host, ...(port !== undefined ? { port } : {}) };
}

const STRICT: Record<SshOptions['stricthostkeychecking'], StrictHostKeyChecking> = { true: 'yes', false: 'no', ask: 'ask', 'accept-new': 'accept-new' };

/** HostName and HostKeyAlias end up in known_hosts lines: only host and address characters (knownHosts.validHostName). */
function checkHostName(o: SshOptions): void {
  for (const [keyword, value] of [['HostName', o.hostname], ['HostKeyAlias', o.hostkeyalias]] as const) {
    if (value !== undefined && !validHostName(value)) {
      throw new SshConfigRefused(`ssh config for ${o.host} gives an invalid ${keyword} ${JSON.stringify(value)}: only letters, digits and . _ - : % are allowed, not starting with '-'`);
    }
  }
}

/** The endpoint from resolved options; refuses what vsim will not do (run local commands). */
export function endpointFromOptions(alias: string, o: SshOptions, env: SshEnv, user: string = o.user): HostEndpoint {
  if (o.proxycommand !== undefined && o.proxycommand.toLowerCase() !== 'none') {
    throw new SshConfigRefused(`ssh config for ${o.host} sets ProxyCommand (${o.proxycommand}), which vsim does not run; use ProxyJump instead`);
  }
  if (o.localcommand !== undefined && o.permitlocalcommand) {
    throw new SshConfigRefused(`ssh config for ${o.host} sets LocalCommand with PermitLocalCommand yes (${o.localcommand}); vsim does not run local commands`);
  }
  checkHostName(o);
  const t = { alias: o.host, host: o.hostname, port: o.port, user: o.user, ...(o.hostkeyalias !== undefined ? { hostKeyAlias: o.hostkeyalias } : {}) };
  const notNone = (f: string) => f.toLowerCase() !== 'none';
  const e: HostEndpoint = {
    alias,
    host: o.hostname,
    port: o.port,
    user,
    identityFiles: o.identityfile.filter(notNone).map((f) => expandClientPath(f, t, env)),
    identityFilesExact: true,
    knownHostsFiles: o.userknownhostsfile.filter(notNone),
    globalKnownHostsFiles: o.globalknownhostsfile.filter(notNone),
    strictHostKeyChecking: STRICT[o.stricthostkeychecking],
  };
  if (o.identitiesonly) e.identitiesOnly = true;
  if (o.hostkeyalias !== undefined) e.hostKeyAlias = o.hostkeyalias;
  if (o.hashknownhosts) e.hashKnownHosts = true;
  if (o.connecttimeout !== undefined && o.connecttimeout > 0) e.connectTimeoutMs = o.connecttimeout * 1000;
  return e;
}

function stripJump(e: HostEndpoint): HostEndpoint {
  const { jump: _jump, ...rest } = e;
  return rest;
}

interface Ctx {
  env: SshEnv;
  lookup?: (name: string) => TopologySshHost | undefined;
}

/** The hops of a resolved ProxyJump value: the last one reached with `-J` the ones before it. */
function* resolveJump(proxyjump: string, ctx: Ctx, depth: number): Resolution<HostEndpoint[]> {
  const comma = proxyjump.lastIndexOf(',');
  const lastSpec = proxyjump.slice(comma + 1);
  const extra = comma > 0 ? proxyjump.slice(0, comma) : undefined;
  const topo = ctx.lookup?.(lastSpec);
  const hop = topo
    ? yield* resolveTopology(lastSpec, topo, ctx, depth + 1, extra)
    : yield* resolveDestination(lastSpec, ctx, depth + 1, extra);
  return [...(hop.jump ?? []), stripJump(hop)];
}

function* withJump(e: HostEndpoint, o: SshOptions, ctx: Ctx, depth: number): Resolution<HostEndpoint> {
  if (o.proxyjump !== undefined) e.jump = yield* resolveJump(o.proxyjump, ctx, depth);
  return e;
}

function tooDeep(alias: string, depth: number): void {
  if (depth > MAX_JUMP_DEPTH) throw new Error(`ProxyJump chain for ${alias} is longer than ${MAX_JUMP_DEPTH} hops (a loop?)`);
}

/** `ssh [-J extra] DEST`: DEST is an alias or `[user@]host[:port]` (given as -l/-p). */
function* resolveDestination(spec: string, ctx: Ctx, depth: number, jumpExtra?: string): Resolution<HostEndpoint> {
  tooDeep(spec, depth);
  const j = parseJumpSpec(spec);
  const cmdline: CommandLineOptions = {
    ...(j.user !== undefined ? { user: j.user } : {}),
    ...(j.port !== undefined ? { port: j.port } : {}),
    ...(jumpExtra !== undefined ? { proxyJump: jumpExtra } : {}),
  };
  const o = yield { dest: j.host, cmdline };
  return yield* withJump(endpointFromOptions(spec, o, ctx.env), o, ctx, depth);
}

function* resolveTopology(name: string, h: TopologySshHost, ctx: Ctx, depth: number, jumpExtra?: string): Resolution<HostEndpoint> {
  tooDeep(name, depth);
  const dest = h.sshConfigHost ?? h.address;
  if (!dest) throw new Error(`Host ${name} has neither sshConfigHost nor address`);
  const port = parsePort(h.port, `host ${name}`);
  const proxyJump = jumpExtra ?? h.proxyJump;
  const cmdline: CommandLineOptions = {
    ...(h.address !== undefined ? { hostName: h.address } : {}),
    ...(port !== undefined ? { port } : {}),
    ...(h.user !== undefined ? { user: h.user } : {}),
    ...(h.identityFile !== undefined ? { identityFile: h.identityFile } : {}),
    ...(proxyJump !== undefined ? { proxyJump } : {}),
  };
  const o = yield { dest, cmdline };
  // The ssh config's User (or the topology's) wins; ssh's own default (the local user) gives way to the schema's.
  const user = h.user ?? (o.user !== ctx.env.localUser ? o.user : TOPOLOGY_DEFAULT_USER);
  return yield* withJump(endpointFromOptions(name, o, ctx.env, user), o, ctx, depth);
}

export type OptionsSource = (q: OptionsQuery) => SshOptions;
export type AsyncOptionsSource = (q: OptionsQuery) => Promise<SshOptions>;

function runSync<T>(g: Resolution<T>, source: OptionsSource): T {
  let r = g.next();
  while (!r.done) r = g.next(source(r.value));
  return r.value;
}

async function runAsync<T>(g: Resolution<T>, source: AsyncOptionsSource): Promise<T> {
  let r = g.next();
  while (!r.done) r = g.next(await source(r.value));
  return r.value;
}

/** The fallback source: this file's text read as OpenSSH would (Include files from disk). */
export function parserSource(configText: string, env: SshEnv, file = 'ssh config'): OptionsSource {
  return (q) => parseSshOptions(q.dest, { config: { text: configText, file } }, env, q.cmdline);
}

/** Resolves an ssh destination (`alias` or `[user@]host[:port]`) the way `ssh DEST` would, with the fallback parser. */
export function resolveSshDestination(dest: string, sshConfigText: string, env: SshEnv = defaultSshEnv()): HostEndpoint {
  return runSync(resolveDestination(dest, { env }, 0), parserSource(sshConfigText, env));
}

/**
 * Resolves a topology host into an endpoint. Topology fields are `ssh -o` options over the ssh config
 * entry (`sshConfigHost`, else the address is looked up, as `ssh ADDRESS` would). `proxyJump` names
 * another topology host (found with `lookupTopologyHost`) or is `[user@]host[:port]`.
 */
export function resolveEndpoint(
  topologyHost: TopologySshHost & { name: string },
  lookupTopologyHost: (name: string) => TopologySshHost | undefined,
  sshConfigText: string,
  env: SshEnv = defaultSshEnv(),
): HostEndpoint {
  return runSync(resolveTopology(topologyHost.name, topologyHost, { env, lookup: lookupTopologyHost }, 0), parserSource(sshConfigText, env));
}

/** resolveEndpoint with any source (sshG.ts's OpenSSH source in the extension). */
export function resolveEndpointWith(
  topologyHost: TopologySshHost & { name: string },
  lookupTopologyHost: (name: string) => TopologySshHost | undefined,
  source: AsyncOptionsSource,
  env: SshEnv = defaultSshEnv(),
): Promise<HostEndpoint> {
  return runAsync(resolveTopology(topologyHost.name, topologyHost, { env, lookup: lookupTopologyHost }, 0), source);
}

/** resolveSshDestination with any source. */
export function resolveSshDestinationWith(dest: string, source: AsyncOptionsSource, env: SshEnv = defaultSshEnv()): Promise<HostEndpoint> {
  return runAsync(resolveDestination(dest, { env }, 0), source);
}
