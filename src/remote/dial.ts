// Opens one SSH connection with ssh2, through its ProxyJump hops: hop 1 over TCP, every next hop and
// the target over `forwardOut` of the previous one (`sock`). Each hop verifies its own host key and
// authenticates with the agent and identity files. Errors are mapped to messages naming the host.
import type { Duplex } from 'node:stream';
import type { AnyAuthMethod, Client, ConnectConfig } from 'ssh2';
import { defaultIdentityFiles, type IdentityStore, type LoadedKey } from './identities';
import { dialGuardFrom } from './dialGuard';
import { endpointLabel, HostKeyError, type HostKeyPolicy } from './hostKeyPolicy';
import type { HostEndpoint } from './sshConfig';
import { loadSsh2 } from './ssh2Loader';

export interface DialDeps {
  hostKeys: HostKeyPolicy;
  identities: IdentityStore;
  /** ssh-agent socket; default $SSH_AUTH_SOCK. */
  agentSocket?: string;
  home: string;
  /** Handshake timeout, not counting the time a host-key question is open. */
  readyTimeoutMs: number;
  keepaliveIntervalMs: number;
  /** Called after each completed handshake (hops included), for counters and logs. */
  onHandshake(endpoint: HostEndpoint): void;
}

export interface DialedChain {
  client: Client;
  /** Closes the target and every hop. */
  end(): void;
}

/** Host key algorithms to prefer for the key types already in known_hosts. */
const ALGOS_FOR_KEY_TYPE: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

class AuthFailed extends Error {}

export async function dialChain(endpoint: HostEndpoint, deps: DialDeps): Promise<DialedChain> {
  const hops = [...(endpoint.jump ?? []), endpoint];
  // Every hop's destination before any socket: a jump host would dial the next hop for us.
  const guard = dialGuardFrom();
  for (const hop of hops) guard?.check(hop.host, endpointLabel(hop));
  const clients: Client[] = [];
  const end = () => {
    for (const c of [...clients].reverse()) c.end();
  };
  try {
    for (const hop of hops) {
      const prev = clients[clients.length - 1];
      const openSock = prev ? () => forward(prev, hop) : undefined;
      clients.push(await dialOne(hop, openSock, deps));
    }
  } catch (err) {
    end();
    throw err;
  }
  return { client: clients[clients.length - 1] as Client, end };
}

function forward(via: Client, to: HostEndpoint): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    via.forwardOut('127.0.0.1', 0, to.host, to.port, (err, stream) => {
      if (err) reject(new Error(`ProxyJump: cannot reach ${endpointLabel(to)} from the jump host: ${err.message}`));
      else resolve(stream);
    });
  });
}

/**
 * What an endpoint authenticates with: its identity files (the resolver's exact list, where `none`
 * leaves it empty; the default keys for a hand-made endpoint with none) and the agent, unless
 * IdentitiesOnly (never every key the agent holds: servers count each try against MaxAuthTries).
 */
export function authSources(ep: HostEndpoint, home: string, agentSocket: string | undefined): { files: string[]; agent?: string } {
  const files = ep.identityFiles.length || ep.identityFilesExact ? ep.identityFiles : defaultIdentityFiles(home);
  return ep.identitiesOnly || !agentSocket ? { files } : { files, agent: agentSocket };
}

async function dialOne(ep: HostEndpoint, openSock: (() => Promise<Duplex>) | undefined, deps: DialDeps): Promise<Client> {
  const { files, agent } = authSources(ep, deps.home, deps.agentSocket ?? process.env.SSH_AUTH_SOCK);
  const available = await deps.identities.available(files);
  const preferred = (await deps.hostKeys.preferredKeyTypes(ep)).flatMap((t) => ALGOS_FOR_KEY_TYPE[t] ?? []);
  if (!agent && available.keys.length === 0 && available.encrypted.length === 0) {
    throw new Error(`No way to authenticate to ${endpointLabel(ep)}: ${ep.identitiesOnly ? 'IdentitiesOnly is set (no agent keys)' : 'no ssh-agent (SSH_AUTH_SOCK)'} and none of these identity files exist: ${files.join(', ') || '(IdentityFile none)'}`);
  }
  try {
    return await attempt(ep, openSock, deps, agent, available.keys, preferred);
  } catch (err) {
    if (!(err instanceof AuthFailed) || available.encrypted.length === 0) throw err;
  }
  // Agent and plain keys were refused: now ask for the passphrases of the encrypted keys.
  const unlocked: LoadedKey[] = [];
  for (const file of available.encrypted) unlocked.push(await deps.identities.unlock(file));
  return attempt(ep, openSock, deps, undefined, unlocked, preferred);
}

function attempt(
  ep: HostEndpoint,
  openSock: (() => Promise<Duplex>) | undefined,
  deps: DialDeps,
  agent: string | undefined,
  keys: readonly LoadedKey[],
  preferredHostKeyAlgos: string[],
): Promise<Client> {
  const label = endpointLabel(ep);
  const methods: AnyAuthMethod[] = [];
  if (agent) methods.push({ type: 'agent', username: ep.user, agent });
  for (const k of keys) methods.push({ type: 'publickey', username: ep.user, key: k.key });
  const tried = [...(agent ? ['ssh-agent'] : []), ...keys.map((k) => k.file)];

  return (openSock ? openSock() : Promise.resolve(undefined)).then((sock) => new Promise<Client>((resolve, reject) => {
    const { Client: SshClient } = loadSsh2();
    const client = new SshClient();
    let settled = false;
    let hostKeyError: Error | undefined;
    let timer: NodeJS.Timeout | undefined;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.end();
      reject(err);
    };
    const timeoutMs = ep.connectTimeoutMs ?? deps.readyTimeoutMs;
    const armTimer = () => {
      clearTimeout(timer);
      timer = setTimeout(() => fail(new Error(`Timed out connecting to ${label} after ${timeoutMs} ms`)), timeoutMs);
    };
    client.on('ready', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      deps.onHandshake(ep);
      resolve(client);
    });
    client.on('error', (err: Error & { level?: string; code?: string }) => {
      if (hostKeyError) return fail(hostKeyError);
      if (err.level === 'client-authentication') {
        return fail(new AuthFailed(`Authentication failed for ${ep.user}@${label} (tried: ${tried.join(', ') || 'nothing'})`));
      }
      if (err.code === 'ECONNREFUSED') return fail(new Error(`Cannot connect to ${label}: connection refused`));
      if (err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN') return fail(new Error(`Cannot connect to ${label}: unknown host ${ep.host}`));
      fail(new Error(`SSH connection to ${label} failed: ${err.message}`));
    });
    client.on('close', () => fail(hostKeyError ?? new Error(`SSH connection to ${label} closed during the handshake`)));
    let authIndex = 0;
    const config: ConnectConfig = {
      host: ep.host,
      port: ep.port,
      username: ep.user,
      ...(sock ? { sock } : {}),
      // Our own timer (armTimer) replaces ssh2's so a host-key question can stay open as long as the user needs.
      readyTimeout: 2 ** 31 - 1,
      keepaliveInterval: deps.keepaliveIntervalMs,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer, verify: (ok: boolean) => void) => {
        clearTimeout(timer);
        deps.hostKeys.check(ep, key).then(
          () => { armTimer(); verify(true); },
          (e: unknown) => {
            hostKeyError = e instanceof HostKeyError ? e : new Error(`Host key check for ${label} failed: ${String(e)}`);
            verify(false);
          },
        );
      },
      authHandler: (_left, _partial, next) => {
        const m = methods[authIndex++];
        next(m ?? (false as unknown as AnyAuthMethod));
      },
      ...(preferredHostKeyAlgos.length
        ? { algorithms: { serverHostKey: { prepend: preferredHostKeyAlgos } } as unknown as ConnectConfig['algorithms'] }
        : {}),
    };
    armTimer();
    client.connect(config);
  }));
}
