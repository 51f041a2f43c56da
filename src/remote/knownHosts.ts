// known_hosts: parse (plain, [host]:port, comma lists, wildcards and !negation, hashed |1|salt|hash,
// @revoked, @cert-authority), verify a presented host key, fingerprint like OpenSSH, format a new line.
// Pure: takes file text, returns values; reading and appending files is hostKeyPolicy.ts's job.
import { createHash, createHmac, randomBytes } from 'node:crypto';

export interface KnownHostEntry {
  marker?: 'revoked' | 'cert-authority';
  /** Host patterns from the first field (plain entries); empty for a hashed entry. */
  patterns: string[];
  hashed?: { salt: Buffer; hash: Buffer };
  keyType: string;
  key: Buffer;
  /** 1-based line in its file, for messages. */
  line: number;
}

export type VerifyResult =
  | { status: 'match' }
  | { status: 'mismatch'; expectedFingerprints: string[]; revoked: boolean }
  | { status: 'unknown' };

/** Parses known_hosts text; malformed lines are skipped (OpenSSH does the same). */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0]?.startsWith('@')) {
      const m = fields.shift();
      if (m === '@revoked') marker = 'revoked';
      else if (m === '@cert-authority') marker = 'cert-authority';
      else return;
    }
    const [hosts, keyType, b64] = fields;
    if (!hosts || !keyType || !b64) return;
    const key = Buffer.from(b64, 'base64');
    if (key.length === 0 || keyTypeOf(key) !== keyType) return;
    const entry: KnownHostEntry = { patterns: [], keyType, key, line: i + 1, ...(marker ? { marker } : {}) };
    if (hosts.startsWith('|1|')) {
      const [, , salt, hash] = hosts.split('|');
      if (!salt || !hash) return;
      entry.hashed = { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
    } else {
      entry.patterns = hosts.split(',').filter(Boolean);
    }
    out.push(entry);
  });
  return out;
}

/** The name known_hosts uses for a host: `host` on port 22, else `[host]:port`. */
export function hostKeyName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

/** Whether an entry applies to host:port (hashed: HMAC-SHA1(salt, name); plain: patterns, `!` negates). */
export function entryMatches(entry: KnownHostEntry, host: string, port: number): boolean {
  const name = hostKeyName(host, port);
  if (entry.hashed) {
    const h = createHmac('sha1', entry.hashed.salt).update(name).digest();
    return h.equals(entry.hashed.hash);
  }
  let matched = false;
  for (const p of entry.patterns) {
    const negated = p.startsWith('!');
    if (globToRegExp(negated ? p.slice(1) : p).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** The key type named inside an SSH public key blob (string field 1), e.g. `ssh-ed25519`. */
export function keyTypeOf(keyBlob: Buffer): string | undefined {
  if (keyBlob.length < 4) return undefined;
  const len = keyBlob.readUInt32BE(0);
  if (len === 0 || len > 64 || 4 + len > keyBlob.length) return undefined;
  return keyBlob.subarray(4, 4 + len).toString('latin1');
}

/** OpenSSH fingerprint: `SHA256:` + base64 of the SHA-256 of the key blob, without `=` padding. */
export function fingerprint(keyBlob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '');
}

/**
 * Checks a presented key against known_hosts entries. A host with any known key (of any type) whose
 * keys all differ is a mismatch; a key listed under @revoked is a mismatch even if also listed plainly.
 * @cert-authority lines pin CAs, not host keys: ignored here (vsim does not do host certificates).
 */
export function verifyHostKey(entries: readonly KnownHostEntry[], host: string, port: number, keyBlob: Buffer): VerifyResult {
  const relevant = entries.filter((e) => e.marker !== 'cert-authority' && entryMatches(e, host, port));
  const revoked = relevant.some((e) => e.marker === 'revoked' && e.key.equals(keyBlob));
  const pinned = relevant.filter((e) => e.marker === undefined);
  if (!revoked && pinned.some((e) => e.key.equals(keyBlob))) return { status: 'match' };
  if (!revoked && pinned.length === 0) return { status: 'unknown' };
  const expected = [...new Set(pinned.filter((e) => !e.key.equals(keyBlob)).map((e) => fingerprint(e.key)))];
  return { status: 'mismatch', expectedFingerprints: expected, revoked };
}

/** Key types known for host:port, to prefer them in the key exchange (so a known host presents a known key type). */
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number): string[] {
  return [...new Set(entries.filter((e) => e.marker === undefined && entryMatches(e, host, port)).map((e) => e.keyType))];
}

/** One known_hosts line for trust on first use; `hash: true` writes a |1|salt|hash name like HashKnownHosts. */
export function formatKnownHostsLine(
  host: string,
  port: number,
  keyType: string,
  keyBlob: Buffer,
  opts: { hash?: boolean; salt?: Buffer } = {},
): string {
  let name = hostKeyName(host, port);
  if (opts.hash) {
    const salt = opts.salt ?? randomBytes(20);
    name = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  }
  return `${name} ${keyType} ${keyBlob.toString('base64')}`;
}
