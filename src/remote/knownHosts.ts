// known_hosts as OpenSSH's hostfile.c reads it: parse (plain, [host]:port, comma lists, wildcards and
// !negation, hashed |1|salt|hash, @revoked, @cert-authority), match a lookup name (HostKeyAlias, else the
// lower-cased host, `[host]:port` off port 22) as match_hostname/host_hash do, verify a presented key
// as check_hostkeys_by_key_or_type does, fingerprint like OpenSSH, format a new line.
// Pure: takes file text, returns values; reading and appending files is hostKeyPolicy.ts's job.
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { matchPatternList, sshHostCase } from './sshConfigParse';

export interface KnownHostEntry {
  marker?: 'revoked' | 'cert-authority';
  /** Host patterns from the first field (plain entries); empty for a hashed entry. */
  patterns: string[];
  hashed?: { salt: Buffer; hash: Buffer };
  keyType: string;
  key: Buffer;
  /** 1-based line in its file, for messages. */
  line: number;
  /** The file it was read from, for messages. */
  file?: string;
}

export type VerifyResult =
  | { status: 'match' }
  | { status: 'mismatch'; expectedFingerprints: string[]; revoked: boolean }
  /** No key for the name; `certAuthorityLines`: @cert-authority lines that name it (vsim does not check host certificates). */
  | { status: 'unknown'; certAuthorityLines?: number[] };

/** Parses known_hosts text; malformed lines are skipped (OpenSSH does the same). */
export function parseKnownHosts(text: string, file?: string): KnownHostEntry[] {
  const out: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const e = parseLine(raw, i + 1);
    if (e && e !== 'blank') out.push(file !== undefined ? { ...e, file } : e);
  });
  return out;
}

/**
 * 1-based numbers of the lines that are neither blank, a comment, nor a known_hosts entry: a file with
 * any is not a known_hosts file (a shell rc file, say), and vsim will not append to it.
 */
export function malformedLines(text: string): number[] {
  const bad: number[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, i) => {
    if (parseLine(raw, i + 1) === undefined) bad.push(i + 1);
  });
  return bad;
}

/** One line: an entry, 'blank' (empty or a comment), or undefined when it does not parse. */
function parseLine(raw: string, lineNo: number): KnownHostEntry | 'blank' | undefined {
  const line = raw.trim();
  if (!line || line.startsWith('#')) return 'blank';
  const fields = line.split(/\s+/);
  let marker: KnownHostEntry['marker'];
  if (fields[0]?.startsWith('@')) {
    const m = fields.shift();
    if (m === '@revoked') marker = 'revoked';
    else if (m === '@cert-authority') marker = 'cert-authority';
    else return undefined;
  }
  const [hosts, keyType, b64] = fields;
  if (!hosts || !keyType || !b64 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) return undefined;
  const key = Buffer.from(b64, 'base64');
  if (key.length === 0 || keyTypeOf(key) !== keyType) return undefined;
  const entry: KnownHostEntry = { patterns: [], keyType, key, line: lineNo, ...(marker ? { marker } : {}) };
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash, extra] = hosts.split('|');
    if (!salt || !hash || extra !== undefined) return undefined;
    const h = { salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
    // extract_salt: the salt is exactly one SHA-1 length
    if (h.salt.length !== 20 || h.hash.length !== 20) return undefined;
    entry.hashed = h;
  } else {
    entry.patterns = hosts.split(',').filter(Boolean);
  }
  return entry;
}

/** `FILE:LINE` of an entry (just the line when it was parsed without a file name). */
export function entryWhere(e: KnownHostEntry): string {
  return e.file !== undefined ? `${e.file}:${e.line}` : `line ${e.line}`;
}

/** The name known_hosts uses for a host: `host` on port 22, else `[host]:port` (put_host_port). */
export function hostKeyName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The name ssh looks up and writes: HostKeyAlias (lower-cased, as ssh.c does), else the host as ssh cases it (lower-cased unless an address), its port off 22. */
export function lookupName(host: string, port: number, hostKeyAlias?: string): string {
  return hostKeyAlias?.toLowerCase() ?? hostKeyName(sshHostCase(host), port);
}

/** Whether an entry names `name` (hashed: HMAC-SHA1(salt, name); plain: match_hostname, `!` negates). */
export function entryMatchesName(entry: KnownHostEntry, name: string): boolean {
  if (entry.hashed) {
    const h = createHmac('sha1', entry.hashed.salt).update(name).digest();
    return h.equals(entry.hashed.hash);
  }
  return matchPatternList(name.toLowerCase(), entry.patterns.join(','), true) === 1;
}

/** Whether an entry applies to host:port. */
export function entryMatches(entry: KnownHostEntry, host: string, port: number, hostKeyAlias?: string): boolean {
  return entryMatchesName(entry, lookupName(host, port, hostKeyAlias));
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
 * Checks a presented (plain, not certificate) key as check_host_key / check_hostkeys_by_key_or_type do: an equal key
 * on a plain line for the name is a match, unless the key is also listed @revoked; a name with other
 * keys is a mismatch (vsim: of any type — OpenSSH asks about a key of a new type, vsim refuses); none
 * is unknown, noting @cert-authority lines for the name (host certificates are not checked by vsim).
 */
export function verifyHostKey(entries: readonly KnownHostEntry[], host: string, port: number, keyBlob: Buffer, hostKeyAlias?: string): VerifyResult {
  const result = verifyName(entries, lookupName(host, port, hostKeyAlias), keyBlob);
  // check_host_key: a key new under [host]:port is looked up again under the bare host name
  // ("checking without port identifier"); only a match there counts.
  if (result.status === 'unknown' && hostKeyAlias === undefined && port !== 22) {
    const bare = verifyName(entries, lookupName(host, 22), keyBlob);
    if (bare.status === 'match') return bare;
  }
  return result;
}

function verifyName(entries: readonly KnownHostEntry[], name: string, keyBlob: Buffer): VerifyResult {
  const relevant = entries.filter((e) => entryMatchesName(e, name));
  const revoked = relevant.some((e) => e.marker === 'revoked' && e.key.equals(keyBlob));
  const pinned = relevant.filter((e) => e.marker === undefined);
  if (!revoked && pinned.some((e) => e.key.equals(keyBlob))) return { status: 'match' };
  if (!revoked && pinned.length === 0) {
    const ca = relevant.filter((e) => e.marker === 'cert-authority').map((e) => e.line);
    return ca.length ? { status: 'unknown', certAuthorityLines: ca } : { status: 'unknown' };
  }
  const expected = [...new Set(pinned.filter((e) => !e.key.equals(keyBlob)).map((e) => fingerprint(e.key)))];
  return { status: 'mismatch', expectedFingerprints: expected, revoked };
}

/** Key types known for host:port, to prefer them in the key exchange (so a known host presents a known key type). */
export function knownKeyTypes(entries: readonly KnownHostEntry[], host: string, port: number, hostKeyAlias?: string): string[] {
  const types = (name: string) => [...new Set(entries.filter((e) => e.marker === undefined && entryMatchesName(e, name)).map((e) => e.keyType))];
  const exact = types(lookupName(host, port, hostKeyAlias));
  // Nothing under [host]:port: the bare name's keys are the ones the fallback lookup accepts.
  return exact.length || hostKeyAlias !== undefined || port === 22 ? exact : types(lookupName(host, 22));
}

/**
 * A HostName or HostKeyAlias vsim connects to and may write into known_hosts. OpenSSH's
 * valid_hostname (misc.c) refuses a leading '-', shell metacharacters, whitespace and control
 * characters; check_host_key will not record pattern characters (@?*#[]|). vsim takes only what a
 * DNS name or an IP literal is made of: letters, digits, '.', '_', '-', and ':' and '%' for IPv6
 * literals (with a zone), never starting with '-'. Nothing else can end up in a known_hosts line.
 */
export function validHostName(name: string): boolean {
  return name.length > 0 && name.length <= 1024 && /^[A-Za-z0-9._:%][A-Za-z0-9._:%-]*$/.test(name);
}

/**
 * One known_hosts line for trust on first use: the lookup name (HostKeyAlias, else the lower-cased host,
 * `[host]:port` off 22), hashed like HashKnownHosts when `hash`. Refuses a name ssh would not record.
 */
export function formatKnownHostsLine(
  host: string,
  port: number,
  keyType: string,
  keyBlob: Buffer,
  opts: { hash?: boolean; salt?: Buffer; hostKeyAlias?: string } = {},
): string {
  if (!validHostName(host) || (opts.hostKeyAlias !== undefined && !validHostName(opts.hostKeyAlias))) {
    throw new Error(`Will not record host ${JSON.stringify(opts.hostKeyAlias ?? host)} in known_hosts: invalid characters in the name`);
  }
  if (!/^[A-Za-z0-9@._-]+$/.test(keyType)) throw new Error(`Will not record a key of type ${JSON.stringify(keyType)}`);
  let name = lookupName(host, port, opts.hostKeyAlias);
  if (opts.hash) {
    const salt = opts.salt ?? randomBytes(20);
    name = `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
  }
  return `${name} ${keyType} ${keyBlob.toString('base64')}`;
}
