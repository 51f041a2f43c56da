// Resolves where and how to connect: topology host fields over ~/.ssh/config (parsed by the
// maintained `ssh-config` package, OpenSSH first-match-wins), into a HostEndpoint with its jump chain.
// Pure: the config text and the environment (home, local user) are passed in.
import os from 'node:os';
import SSHConfig from 'ssh-config';
import type { Host } from '../model/types';

export type StrictHostKeyChecking = 'yes' | 'no' | 'ask' | 'accept-new';

export interface HostEndpoint {
  /** The key of this endpoint in the pool and in messages: topology host name, ssh alias or jump spec. */
  alias: string;
  /** Address actually connected to (HostName). */
  host: string;
  port: number;
  user: string;
  /** Explicit identity files, `~` and tokens expanded; empty = the connection tries the default keys. */
  identityFiles: string[];
  knownHostsFiles: string[];
  strictHostKeyChecking: StrictHostKeyChecking;
  /** Hops to go through, first hop first (OpenSSH ProxyJump order). */
  jump?: HostEndpoint[];
}

/** The SSH-related fields of a topology host. */
export type TopologySshHost = Pick<Host, 'sshConfigHost' | 'address' | 'port' | 'user' | 'identityFile' | 'proxyJump'>;

export interface SshEnv {
  home: string;
  localUser: string;
}

export function defaultSshEnv(): SshEnv {
  let localUser = process.env.USER ?? 'root';
  try {
    localUser = os.userInfo().username;
  } catch {
    // no passwd entry: keep $USER
  }
  return { home: os.homedir(), localUser };
}

/** Default user of a topology host (schema default). Hops named only in ssh config default to the local user, as OpenSSH does. */
export const TOPOLOGY_DEFAULT_USER = 'root';
const MAX_JUMP_DEPTH = 8;

type Computed = Record<string, string | string[]>;

function first(c: Computed, key: string): string | undefined {
  const v = c[key];
  return Array.isArray(v) ? v[0] : v;
}

function list(c: Computed, key: string): string[] {
  const v = c[key];
  if (v === undefined) return [];
  return Array.isArray(v) ? v : v.split(/\s+/).filter(Boolean);
}

function compute(configText: string, alias: string): Computed {
  // matchExec: false — never run `Match exec` commands from a config file while resolving.
  return SSHConfig.parse(configText).compute(alias, { ignoreCase: true, matchExec: false });
}

interface TokenContext {
  alias: string;
  host: string;
  port: number;
  user: string;
  env: SshEnv;
}

/** OpenSSH percent tokens (%h %p %r %n %d %u %%) and a leading `~`. Unknown tokens are left as they are. */
export function expandPath(value: string, t: TokenContext): string {
  const withTokens = value.replace(/%([%hprndu])/g, (_m, k: string) => {
    switch (k) {
      case '%': return '%';
      case 'h': return t.host;
      case 'p': return String(t.port);
      case 'r': return t.user;
      case 'n': return t.alias;
      case 'd': return t.env.home;
      default: return t.env.localUser; // 'u'
    }
  });
  if (withTokens === '~') return t.env.home;
  if (withTokens.startsWith('~/')) return t.env.home + withTokens.slice(1);
  return withTokens;
}

function parsePort(value: string | number | undefined, where: string): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    throw new Error(`Invalid SSH port ${JSON.stringify(String(value))} in ${where}`);
  }
  return n;
}

function parseStrict(value: string | undefined): StrictHostKeyChecking {
  switch (value?.toLowerCase()) {
    case 'yes': return 'yes';
    case 'no':
    case 'off': return 'no';
    case 'accept-new': return 'accept-new';
    default: return 'ask';
  }
}

export interface JumpSpec {
  user?: string;
  host: string;
  port?: number;
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

interface Overrides {
  alias: string;
  /** Name looked up in the ssh config. */
  configHost: string;
  host?: string;
  port?: number;
  user?: string;
  identityFile?: string;
  proxyJump?: string;
  defaultUser: string;
}

function resolveWithConfig(
  o: Overrides,
  configText: string,
  env: SshEnv,
  resolveHop: (spec: string, depth: number) => HostEndpoint[],
  depth: number,
): HostEndpoint {
  if (depth > MAX_JUMP_DEPTH) {
    throw new Error(`ProxyJump chain for ${o.alias} is longer than ${MAX_JUMP_DEPTH} hops (a loop?)`);
  }
  const c = compute(configText, o.configHost);
  const port = o.port ?? parsePort(first(c, 'port'), `ssh config for ${o.configHost}`) ?? 22;
  const user = o.user ?? first(c, 'user') ?? o.defaultUser;
  const rawHostName = first(c, 'hostname');
  const host = o.host ?? (rawHostName ? rawHostName.replace(/%h/g, o.configHost).replace(/%%/g, '%') : o.configHost);
  const t: TokenContext = { alias: o.configHost, host, port, user, env };
  const identityFiles = (o.identityFile !== undefined ? [o.identityFile] : list(c, 'identityfile'))
    .filter((f) => f.toLowerCase() !== 'none')
    .map((f) => expandPath(f, t));
  const knownRaw = list(c, 'userknownhostsfile');
  const knownHostsFiles = (knownRaw.length ? knownRaw : ['~/.ssh/known_hosts', '~/.ssh/known_hosts2'])
    .filter((f) => f.toLowerCase() !== 'none')
    .map((f) => expandPath(f, t));
  const jumpValue = o.proxyJump ?? first(c, 'proxyjump');
  if (jumpValue === undefined && first(c, 'proxycommand') !== undefined && first(c, 'proxycommand')?.toLowerCase() !== 'none') {
    throw new Error(`ssh config for ${o.configHost} uses ProxyCommand, which vsim does not run; use ProxyJump instead`);
  }
  const endpoint: HostEndpoint = {
    alias: o.alias,
    host,
    port,
    user,
    identityFiles,
    knownHostsFiles,
    strictHostKeyChecking: parseStrict(first(c, 'stricthostkeychecking')),
  };
  if (jumpValue !== undefined && jumpValue.toLowerCase() !== 'none') {
    const jump = jumpValue.split(',').map((s) => s.trim()).filter(Boolean);
    // `a,b`: a is reached with a's own ProxyJump (if any); b is reached through a, and so on.
    const chain: HostEndpoint[] = [];
    jump.forEach((spec, i) => {
      const hops = resolveHop(spec, depth + 1);
      const hop = hops[hops.length - 1] as HostEndpoint;
      if (i === 0) {
        chain.push(...hops.slice(0, -1));
      }
      chain.push(stripJump(hop));
    });
    endpoint.jump = chain;
  }
  return endpoint;
}

function stripJump(e: HostEndpoint): HostEndpoint {
  const { jump: _jump, ...rest } = e;
  return rest;
}

/** Flattens an endpoint into its full hop list: jump hops then the endpoint itself (without `jump`). */
function flatten(e: HostEndpoint): HostEndpoint[] {
  return [...(e.jump ?? []), stripJump(e)];
}

/** Resolves an ssh destination (`alias` or `[user@]host[:port]`) the way `ssh DEST` would. */
export function resolveSshDestination(dest: string, sshConfigText: string, env: SshEnv = defaultSshEnv()): HostEndpoint {
  return resolveSpec(dest, sshConfigText, env, 0);
}

function resolveSpec(spec: string, configText: string, env: SshEnv, depth: number): HostEndpoint {
  const j = parseJumpSpec(spec);
  return resolveWithConfig(
    { alias: spec, configHost: j.host, user: j.user, port: j.port, defaultUser: env.localUser },
    configText,
    env,
    (s, d) => flatten(resolveSpec(s, configText, env, d)),
    depth,
  );
}

/**
 * Resolves a topology host into an endpoint. Topology fields override the ssh config entry
 * (`sshConfigHost`, else the address is looked up, as `ssh ADDRESS` would). `proxyJump` names
 * another topology host (found with `lookupTopologyHost`) or is `[user@]host[:port]`.
 */
export function resolveEndpoint(
  topologyHost: TopologySshHost & { name: string },
  lookupTopologyHost: (name: string) => TopologySshHost | undefined,
  sshConfigText: string,
  env: SshEnv = defaultSshEnv(),
): HostEndpoint {
  return resolveTopology(topologyHost.name, topologyHost, lookupTopologyHost, sshConfigText, env, 0);
}

function resolveTopology(
  name: string,
  h: TopologySshHost,
  lookup: (name: string) => TopologySshHost | undefined,
  configText: string,
  env: SshEnv,
  depth: number,
): HostEndpoint {
  const configHost = h.sshConfigHost ?? h.address;
  if (!configHost) {
    throw new Error(`Host ${name} has neither sshConfigHost nor address`);
  }
  return resolveWithConfig(
    {
      alias: name,
      configHost,
      host: h.address,
      port: parsePort(h.port, `host ${name}`),
      user: h.user,
      identityFile: h.identityFile,
      proxyJump: h.proxyJump,
      defaultUser: TOPOLOGY_DEFAULT_USER,
    },
    configText,
    env,
    (spec, d) => {
      const other = lookup(spec);
      if (other) return flatten(resolveTopology(spec, other, lookup, configText, env, d));
      return flatten(resolveSpec(spec, configText, env, d));
    },
    depth,
  );
}
