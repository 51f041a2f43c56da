// The resolver that is right by construction: OpenSSH itself (`ssh -G -F CONFIG [-o …] -- DEST`)
// prints the values it would use, as VS Code's own SSH host-key verifier reads them. Before asking it,
// the fallback parser walks the same config for a `Match exec` it would reach (ssh -G runs those);
// such a config is refused, as are ProxyCommand and LocalCommand (sshConfig.ts). Without OpenSSH
// (`ssh -V` fails) the parser answers instead.
import { execFile } from 'node:child_process';
import { argvSplit, parseSshOptions, SshConfigRefused, commandLineArgs, type ParseInput, type SshOptions } from './sshConfigParse';
import type { AsyncOptionsSource, OptionsQuery } from './sshConfig';
import { includeFiles, nodeIncludeFs, type IncludeFs } from './sshConfigInclude';
import type { SshEnv } from './sshTokens';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}
export type Run = (file: string, args: readonly string[]) => Promise<RunResult>;

export const runFile: Run = (file, args) => new Promise((resolve) => {
  execFile(file, [...args], { timeout: 10_000, maxBuffer: 1 << 20, env: process.env }, (err, stdout, stderr) => {
    const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
    resolve({ code, stdout: String(stdout), stderr: String(stderr || (err && code === -1 ? err.message : '')) });
  });
});

/** Whether OpenSSH's client runs here (`ssh -V`). */
export async function hasOpenSsh(run: Run = runFile, ssh = 'ssh'): Promise<boolean> {
  const r = await run(ssh, ['-V']);
  return r.code === 0 && /OpenSSH/.test(r.stderr + r.stdout);
}

const LISTS = new Set(['identityfile', 'userknownhostsfile', 'globalknownhostsfile']);

/** Reads `ssh -G` output into SshOptions (list options: identityfile one per line, the known_hosts lists space-separated). */
export function parseSshG(text: string, dest: string): SshOptions {
  const single = new Map<string, string>();
  const identity: string[] = [];
  const lists = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp <= 0) continue;
    const key = line.slice(0, sp).toLowerCase();
    const value = line.slice(sp + 1);
    if (key === 'identityfile') identity.push(value);
    else if (LISTS.has(key)) lists.set(key, value.split(' ').filter(Boolean));
    else if (!single.has(key)) single.set(key, value);
  }
  const flag = (k: string) => single.get(k) === 'yes';
  const strict = single.get('stricthostkeychecking') ?? 'ask';
  const o: SshOptions = {
    host: single.get('host') ?? dest,
    hostname: single.get('hostname') ?? dest,
    user: single.get('user') ?? '',
    port: Number(single.get('port') ?? 22),
    identityfile: identity,
    identitiesonly: flag('identitiesonly'),
    permitlocalcommand: flag('permitlocalcommand'),
    stricthostkeychecking: (['true', 'false', 'ask', 'accept-new'].includes(strict) ? strict : 'ask') as SshOptions['stricthostkeychecking'],
    userknownhostsfile: lists.get('userknownhostsfile') ?? [],
    globalknownhostsfile: lists.get('globalknownhostsfile') ?? [],
    hashknownhosts: flag('hashknownhosts'),
  };
  const opt = (k: string) => single.get(k);
  const pj = opt('proxyjump');
  if (pj !== undefined) o.proxyjump = pj;
  const pc = opt('proxycommand');
  if (pc !== undefined) o.proxycommand = pc;
  const lc = opt('localcommand');
  if (lc !== undefined) o.localcommand = lc;
  const hka = opt('hostkeyalias');
  if (hka !== undefined) o.hostkeyalias = hka;
  const ct = opt('connecttimeout');
  if (ct !== undefined && ct !== 'none') o.connecttimeout = Number(ct);
  return o;
}

/** The arguments of `ssh -G` for one query; no `-F` (undefined): ssh's default files, the user's and the system-wide one. */
export function sshGArgs(configFile: string | undefined, q: OptionsQuery): string[] {
  return ['-G', ...(configFile !== undefined ? ['-F', configFile] : []), ...commandLineArgs(q.cmdline), '--', q.dest];
}

/** The system-wide client config, read after the user's when ssh runs without `-F`. */
export const SYSTEM_SSH_CONFIG = '/etc/ssh/ssh_config';

export interface OpenSshSourceOptions {
  /** The config file ssh reads (`-F`); its text, for the Match exec check. Undefined = no config (`-F /dev/null`). */
  config?: { file: string; text: string };
  /**
   * ssh's default files: run without `-F`, so ssh reads the user's config and then the system-wide
   * one (`system`: its text, which the parser reads after `config`).
   */
  defaultFiles?: { system?: { file: string; text: string } };
  env: SshEnv;
  fs?: IncludeFs;
  run?: Run;
  ssh?: string;
}

/**
 * The parser's reading of the same query: refuses a config where ssh would run a `Match exec` command
 * (ssh -G runs them); undefined when the parser cannot read it (then ssh alone judges).
 */
export function parserView(q: OptionsQuery, o: OpenSshSourceOptions): SshOptions | undefined {
  try {
    return parseSshOptions(q.dest, parseInput(o), o.env, q.cmdline);
  } catch (err) {
    if (err instanceof SshConfigRefused) throw err;
    // The parser stopped before the end: refuse any `Match … exec` anywhere the files can reach.
    for (const c of [o.config, o.defaultFiles?.system]) {
      if (c) refuseAnyMatchExec(c.text, c.file, o.env, o.fs ?? nodeIncludeFs, 0);
    }
    return undefined;
  }
}

function parseInput(o: OpenSshSourceOptions): ParseInput {
  const system = o.defaultFiles?.system;
  return { ...(o.config ? { config: o.config } : {}), ...(system ? { system } : {}), ...(o.fs ? { fs: o.fs } : {}) };
}

/** Every Match line with an exec criterion in the file and every file its Include lines name, whatever block they are in. */
function refuseAnyMatchExec(text: string, file: string, env: SshEnv, fs: IncludeFs, depth: number): void {
  walkConfig(text, file, env, fs, depth, {
    line: (words, f, i) => {
      if (words[0]?.toLowerCase() === 'match' && words.slice(1).some((w) => /^!?exec$/i.test(w))) {
        throw new SshConfigRefused(`${f} line ${i + 1}: \`Match exec\` would run a local command; vsim does not run commands from ssh config`);
      }
    },
  });
}

/**
 * Visits a config file's lines (as words) and, depth first at each Include line, the files it names
 * (whatever block they are in, at most 16 levels deep); `file` is called with each file read.
 */
function walkConfig(text: string, file: string, env: SshEnv, fs: IncludeFs, depth: number,
  visit: { line?: (words: string[], file: string, index: number) => void; file?: (file: string, text: string | undefined) => void }): void {
  if (depth > 16) return;
  text.split('\n').forEach((line, i) => {
    const words = argvSplit(line.trim().replace(/=/, ' ')) ?? line.trim().split(/\s+/);
    visit.line?.(words, file, i);
    if (words[0]?.toLowerCase() !== 'include') return;
    for (const arg of words.slice(1)) {
      for (const f of safeIncludeFiles(arg, env, fs)) {
        const inner = fs.read(f);
        visit.file?.(f, inner);
        if (inner !== undefined) walkConfig(inner, f, env, fs, depth + 1, visit);
      }
    }
  });
}

/**
 * What ssh reads for a config: the files' texts and those of every file their Include lines name. A
 * source made when it was this holds while it is (ssh -G needs no new run: 30-40 ms of the extension
 * host per host otherwise).
 */
export function configFingerprint(files: readonly string[], env: SshEnv, fs: IncludeFs = nodeIncludeFs): string {
  const parts: string[] = [];
  const add = (f: string, text: string | undefined) => parts.push(`${f}\u0000${text === undefined ? '\u0001missing' : text}`);
  for (const f of files) {
    const text = fs.read(f);
    add(f, text);
    if (text !== undefined) walkConfig(text, f, env, fs, 0, { file: add });
  }
  return parts.join('\u0000\u0000');
}

function safeIncludeFiles(arg: string, env: SshEnv, fs: IncludeFs): string[] {
  try {
    return includeFiles(arg, env, fs);
  } catch {
    return [];
  }
}

/**
 * ssh -G prints a known_hosts list on one line, so a path with a space in it cannot be told from two
 * paths: where the parser's list reads the same when joined, its split is taken.
 */
export function reconcileLists(fromSsh: SshOptions, parsed: SshOptions | undefined): SshOptions {
  if (!parsed) return fromSsh;
  const out = { ...fromSsh };
  for (const f of ['userknownhostsfile', 'globalknownhostsfile'] as const) {
    if (parsed[f].join(' ') === fromSsh[f].join(' ')) out[f] = parsed[f];
  }
  return out;
}

/** Options from `ssh -G` itself. */
export function openSshSource(o: OpenSshSourceOptions): AsyncOptionsSource {
  const run = o.run ?? runFile;
  // One `ssh -G` per query for the source's life (a lab's Up resolves each host once per phase, a
  // ProxyJump host its jump hosts too): the source is made again when the config may have changed.
  const asked = new Map<string, Promise<SshOptions>>();
  const resolve = async (q: OptionsQuery): Promise<SshOptions> => {
    const parsed = parserView(q, o);
    const r = await run(o.ssh ?? 'ssh', sshGArgs(o.defaultFiles ? undefined : o.config?.file ?? '/dev/null', q));
    if (r.code !== 0) {
      throw new Error(`ssh -G for ${q.dest} failed: ${r.stderr.trim().split('\n').slice(-3).join('; ') || `exit ${r.code}`}`);
    }
    return reconcileLists(parseSshG(r.stdout, q.dest), parsed);
  };
  return (q) => {
    const key = JSON.stringify(q);
    let p = asked.get(key);
    if (!p) {
      p = resolve(q);
      asked.set(key, p);
      p.catch(() => asked.delete(key)); // a failure is asked again next time
    }
    return p;
  };
}

/** The fallback source (no OpenSSH on this machine). */
export function parserAsyncSource(o: OpenSshSourceOptions): AsyncOptionsSource {
  return async (q) => parseSshOptions(q.dest, parseInput(o), o.env, q.cmdline);
}

let openSshHere: Promise<boolean> | undefined;

/**
 * The source for one config file: `ssh -G` when OpenSSH runs here (checked once), else the parser.
 * A missing file is no config (`-F /dev/null`), as a missing ~/.ssh/config is for ssh. `defaultFiles`:
 * the file is the user's default config, so it is read as plain `ssh` reads it, with the system-wide
 * config after it (no `-F`): a `HashKnownHosts yes` there applies to vsim too.
 */
export async function configFileSource(file: string, env: SshEnv, opts: { run?: Run; fs?: IncludeFs; defaultFiles?: boolean } = {}): Promise<AsyncOptionsSource> {
  const fs = opts.fs ?? nodeIncludeFs;
  const text = fs.read(file);
  const systemText = opts.defaultFiles ? fs.read(SYSTEM_SSH_CONFIG) : undefined;
  const o: OpenSshSourceOptions = {
    env, fs,
    ...(text !== undefined ? { config: { file, text } } : {}),
    ...(opts.defaultFiles ? { defaultFiles: systemText !== undefined ? { system: { file: SYSTEM_SSH_CONFIG, text: systemText } } : {} } : {}),
    ...(opts.run ? { run: opts.run } : {}),
  };
  openSshHere ??= hasOpenSsh(opts.run);
  return (await openSshHere) ? openSshSource(o) : parserAsyncSource(o);
}
