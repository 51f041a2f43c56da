// OpenSSH's expansions of config values, as misc.c does them: `~` and `~user` (tilde_expand_filename,
// from the passwd entry), `${VAR}` (dollar_expand) and percent tokens (percent_expand: an unknown
// token is an error, `%%` is `%`). Pure: the environment comes in an SshEnv.
import { createHash } from 'node:crypto';

export interface SshEnv {
  /** The home directory of the local user's passwd entry (what ssh uses for `~`, not $HOME). */
  home: string;
  localUser: string;
  uid?: number;
  /** This machine's host name (gethostname: %l; %L is its part before the first dot). */
  thisHost?: string;
  /** Environment variables for `${VAR}`; default none. */
  vars?: Readonly<Record<string, string | undefined>>;
  /** The home directory of another local user, for `~user/` (undefined: no such user). */
  userHome?(user: string): string | undefined;
}

/** `~` or `~/…` → the local home; `~user/…` → that user's home; other paths unchanged. */
export function tildeExpand(path: string, env: SshEnv): string {
  if (!path.startsWith('~')) return path;
  const slash = path.indexOf('/');
  const user = slash < 0 ? path.slice(1) : path.slice(1, slash);
  const rest = slash < 0 ? '' : path.slice(slash);
  let home = env.home;
  if (user) {
    const h = env.userHome?.(user);
    if (h === undefined) throw new Error(`No such user ${JSON.stringify(user)} for ${JSON.stringify(path)}`);
    home = h;
  }
  if (rest === '' || rest === '/') return home || '/';
  return home.replace(/\/+$/, '') + rest;
}

/**
 * One left-to-right pass as vdollar_percent_expand: `%x` from `tokens` (`%%` is `%`, any other `%` is
 * an error) and, with `dollar`, `${VAR}` (unset or unclosed is an error). Values are not re-expanded.
 */
export function percentExpand(value: string, tokens: Readonly<Record<string, string>>, env?: SshEnv): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (env && c === '$' && value[i + 1] === '{') {
      const close = value.indexOf('}', i + 2);
      if (close < 0) throw new Error(`Unterminated \${ in ${JSON.stringify(value)}`);
      const name = value.slice(i + 2, close);
      const v = env.vars?.[name];
      if (v === undefined) throw new Error(`Environment variable \${${name}} in ${JSON.stringify(value)} has no value`);
      out += v;
      i = close;
      continue;
    }
    if (c !== '%') {
      out += c;
      continue;
    }
    const k = value[i + 1];
    if (k === undefined) throw new Error(`Invalid format: ${JSON.stringify(value)} ends with %`);
    if (k === '%') out += '%';
    else if (Object.prototype.hasOwnProperty.call(tokens, k)) out += tokens[k];
    else throw new Error(`Unknown token %${k} in ${JSON.stringify(value)}`);
    i++;
  }
  return out;
}

export interface ClientTokenContext {
  /** The name on the command line (%n). */
  alias: string;
  /** The resolved, lower-cased HostName (%h). */
  host: string;
  port: number;
  /** Remote user (%r). */
  user: string;
  /** HostKeyAlias, if any (%k falls back to %n, the name as given: ssh.c's cinfo->keyalias). */
  hostKeyAlias?: string;
}

/** ssh's DEFAULT_CLIENT_PERCENT_EXPAND_ARGS (OpenSSH 9.2): %C %L %i %k %l %n %p %d %h %r %u. */
export function clientTokens(t: ClientTokenContext, env: SshEnv): Record<string, string> {
  const thisHost = env.thisHost ?? 'localhost';
  const port = String(t.port);
  return {
    C: createHash('sha1').update(thisHost + t.host + port + t.user).digest('hex'),
    L: thisHost.split('.')[0] as string,
    i: String(env.uid ?? 0),
    k: t.hostKeyAlias ?? t.alias,
    l: thisHost,
    n: t.alias,
    p: port,
    d: env.home,
    h: t.host,
    r: t.user,
    u: env.localUser,
  };
}

/** A path as ssh expands IdentityFile and UserKnownHostsFile: `~` first, then `${VAR}` and tokens in one pass. */
export function expandClientPath(value: string, t: ClientTokenContext, env: SshEnv): string {
  return percentExpand(tildeExpand(value, env), clientTokens(t, env), env);
}
