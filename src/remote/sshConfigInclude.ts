// OpenSSH's `Include` paths for ~/.ssh/config (readconf.c): several paths per line, `~` and glob
// wildcards (`*`, `?`) with matches in sorted order (glob(3), no hidden files for a wildcard), paths
// without a leading `/` or `~` relative to ~/.ssh, missing files ignored, at most 16 levels deep.
// How an included file's lines apply (block state, non-matching blocks) is sshConfigParse.ts's job.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { tildeExpand, type SshEnv } from './sshTokens';

export const MAX_INCLUDE_DEPTH = 16;

export interface IncludeFs {
  /** A file's text, or undefined when it cannot be read. */
  read(file: string): string | undefined;
  /** Names in a directory (undefined when it is not one). */
  list(dir: string): string[] | undefined;
}

export const nodeIncludeFs: IncludeFs = {
  read: (f) => {
    try {
      return readFileSync(f, 'utf8');
    } catch {
      return undefined;
    }
  },
  list: (d) => {
    try {
      return readdirSync(d);
    } catch {
      return undefined;
    }
  },
};

/** The files one `Include` argument names, in the order ssh reads them. */
export function includeFiles(arg: string, env: SshEnv, fs: IncludeFs): string[] {
  const anchored = arg.startsWith('/') || arg.startsWith('~') ? arg : `~/.ssh/${arg}`;
  return matches(tildeExpand(anchored, env), fs);
}

/** The files a path with glob wildcards names, sorted per directory level (as glob(3)). */
function matches(pattern: string, fs: IncludeFs): string[] {
  if (!/[*?[]/.test(pattern)) return fs.read(pattern) === undefined ? [] : [pattern];
  const segs = pattern.split('/');
  let bases = [segs[0] === '' ? '/' : segs[0] ?? '/'];
  for (const seg of segs.slice(1)) {
    if (!seg) continue;
    if (!/[*?[]/.test(seg)) {
      bases = bases.map((b) => path.join(b, seg));
      continue;
    }
    const re = new RegExp(`^${seg.replace(/[.+^${}()|\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]')}$`);
    bases = bases.flatMap((b) => (fs.list(b) ?? []).filter((n) => re.test(n) && !(n.startsWith('.') && !seg.startsWith('.'))).sort().map((n) => path.join(b, n)));
  }
  return bases;
}
