// Host key decisions for a connection: known_hosts files of the endpoint, trust on first use via an
// injected askTrust callback (the UI), refusal with a clear message on mismatch. Never accepts silently.
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import {
  entryMatchesName, entryWhere, fingerprint, formatKnownHostsLine, keyTypeOf, knownKeyTypes, lookupName, malformedLines, parseKnownHosts, verifyHostKey,
  type KnownHostEntry,
} from './knownHosts';
import { shellQuote } from './quote';
import type { HostEndpoint } from './sshConfig';

export interface HostKeyPolicy {
  /** Resolves when the key is trusted; rejects with a HostKeyError saying why not. */
  check(endpoint: HostEndpoint, keyBlob: Buffer): Promise<void>;
  /** Key types known for the endpoint, preferred first in the key exchange. */
  preferredKeyTypes(endpoint: HostEndpoint): Promise<string[]>;
}

export class HostKeyError extends Error {
  constructor(message: string, readonly kind: 'mismatch' | 'revoked' | 'rejected' | 'strict' | 'cert-authority' | 'unrecordable' | 'not-known-hosts') {
    super(message);
    this.name = 'HostKeyError';
  }
}

export interface TrustRequest {
  /** e.g. `vsim-hv1 (127.0.0.1:2222)` */
  label: string;
  alias: string;
  host: string;
  port: number;
  keyType: string;
  fingerprint: string;
  /** The file the line will be appended to. */
  knownHostsFile: string;
}

export interface KnownHostsPolicyOptions {
  /** Asks the user whether to trust an unknown host key; true = trust and remember. */
  askTrust(request: TrustRequest): Promise<boolean>;
  /** Write new entries hashed even when the endpoint's HashKnownHosts is no. Default false. */
  hashNewEntries?: boolean;
  /** Told when a new key was written. */
  onTrusted?(request: TrustRequest): void;
}

export function endpointLabel(e: HostEndpoint): string {
  return `${e.alias} (${e.host}:${e.port})`;
}

async function readEntries(files: readonly string[]): Promise<KnownHostEntry[]> {
  const all: KnownHostEntry[] = [];
  for (const f of files) {
    try {
      all.push(...parseKnownHosts(await readFile(f, 'utf8'), f));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return all;
}

/** UserKnownHostsFile then GlobalKnownHostsFile: ssh reads both, writes only the first user file. */
function allFiles(e: HostEndpoint): string[] {
  return [...e.knownHostsFiles, ...(e.globalKnownHostsFiles ?? [])];
}

/**
 * StrictHostKeyChecking from ssh config: `yes` refuses unknown hosts without asking; `accept-new`
 * writes an unknown key without asking (the user configured that); `ask` and `no` both ask —
 * vsim never goes weaker than asking, and a mismatch is always refused.
 */
export class KnownHostsPolicy implements HostKeyPolicy {
  constructor(private readonly opts: KnownHostsPolicyOptions) {}

  async preferredKeyTypes(endpoint: HostEndpoint): Promise<string[]> {
    return knownKeyTypes(await readEntries(allFiles(endpoint)), endpoint.host, endpoint.port, endpoint.hostKeyAlias);
  }

  async check(endpoint: HostEndpoint, keyBlob: Buffer): Promise<void> {
    const label = endpointLabel(endpoint);
    const got = fingerprint(keyBlob);
    const entries = await readEntries(allFiles(endpoint));
    const result = verifyHostKey(entries, endpoint.host, endpoint.port, keyBlob, endpoint.hostKeyAlias);
    if (result.status === 'match') return;
    const name = lookupName(endpoint.host, endpoint.port, endpoint.hostKeyAlias);
    const named = entries.filter((e) => entryMatchesName(e, name));
    if (result.status === 'mismatch') {
      if (result.revoked) {
        const where = named.filter((e) => e.marker === 'revoked' && e.key.equals(keyBlob)).map(entryWhere);
        throw new HostKeyError(`Host key for ${label} is marked @revoked in known_hosts (${got}, ${where.join(', ')}). Refusing to connect.`, 'revoked');
      }
      const old = named.filter((e) => e.marker === undefined && !e.key.equals(keyBlob));
      const files = [...new Set(old.map((e) => e.file).filter((f): f is string => f !== undefined))];
      const remove = files.map((f) => `ssh-keygen -R ${shellQuote(name)} -f ${shellQuote(f)}`).join(' and ');
      throw new HostKeyError(
        `Host key for ${label} does not match known_hosts: expected ${result.expectedFingerprints.join(' or ')} (${old.map(entryWhere).join(', ')}), got ${got}. ` +
          `If the host's key was changed on purpose, remove the old key with ${remove} and connect again. Refusing to connect.`,
        'mismatch',
      );
    }
    if (result.certAuthorityLines) {
      const where = named.filter((e) => e.marker === 'cert-authority').map(entryWhere);
      throw new HostKeyError(
        `known_hosts names a certificate authority for ${label} (${where.join(', ')}), and vsim does not verify host certificates; the plain key ${got} is not trusted on first use. Refusing to connect.`,
        'cert-authority',
      );
    }
    const file = endpoint.knownHostsFiles[0];
    if (endpoint.strictHostKeyChecking === 'yes' || file === undefined) {
      throw new HostKeyError(
        `Host key for ${label} is not in known_hosts (${got}) and StrictHostKeyChecking is yes. Refusing to connect.`,
        'strict',
      );
    }
    const keyType = keyTypeOf(keyBlob) ?? 'unknown';
    let line: string;
    try {
      line = formatKnownHostsLine(endpoint.host, endpoint.port, keyType, keyBlob, {
        hash: this.opts.hashNewEntries === true || endpoint.hashKnownHosts === true,
        ...(endpoint.hostKeyAlias !== undefined ? { hostKeyAlias: endpoint.hostKeyAlias } : {}),
      });
    } catch (err) {
      throw new HostKeyError(`Host key for ${label} (${got}) cannot be recorded: ${(err as Error).message}. Refusing to connect.`, 'unrecordable');
    }
    // Refused before asking: the file must be a known_hosts file.
    const prefix = await appendPrefix(file, label);
    const request: TrustRequest = {
      label, alias: endpoint.alias, host: endpoint.host, port: endpoint.port, keyType, fingerprint: got, knownHostsFile: file,
    };
    if (endpoint.strictHostKeyChecking !== 'accept-new' && !(await this.opts.askTrust(request))) {
      throw new HostKeyError(`Host key for ${label} (${got}) was not trusted. Refusing to connect.`, 'rejected');
    }
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await appendFile(file, `${prefix}${line}\n`, { mode: 0o600 });
    this.opts.onTrusted?.(request);
  }
}

/**
 * Before appending to a UserKnownHostsFile: it must be a regular file whose every line is blank, a
 * comment or a known_hosts entry (the config may point it at a shell rc file). Returns the newline
 * to put first when the file does not end with one.
 */
async function appendPrefix(file: string, label: string): Promise<string> {
  // UserKnownHostsFile /dev/null: ssh "writes" the key nowhere; so does vsim.
  if (file === '/dev/null') return '';
  let text: string;
  try {
    if (!(await stat(file)).isFile()) {
      throw new HostKeyError(`UserKnownHostsFile ${file} is not a regular file; vsim will not add the host key of ${label} to it. Refusing to connect.`, 'not-known-hosts');
    }
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return '';
    throw err;
  }
  const bad = malformedLines(text);
  if (bad.length) {
    throw new HostKeyError(
      `${file}:${bad[0]}: not a known_hosts line; vsim will not add the host key of ${label} to a file that is not a known_hosts file (UserKnownHostsFile). Refusing to connect.`,
      'not-known-hosts',
    );
  }
  return text.length > 0 && !text.endsWith('\n') ? '\n' : '';
}
