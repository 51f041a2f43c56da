// OpenSSH's `Include` for ~/.ssh/config: the ssh-config library parses `Include` as a plain
// directive, so the files it names are spliced in here first, in place, as ssh(1) reads them:
// several paths per line, `~` and glob wildcards (`*`, `?`) with matches in sorted order, paths
// without a leading `/` or `~` relative to ~/.ssh, missing files ignored, at most 16 levels deep.
// One difference: after an Include inside a Host block, ssh(1) restores that block's activity for
// the lines that follow; a splice leaves them under the included file's last Host. Keep Include
// lines at the end of a block (the common layout: `Include config.d/*` at the top) to avoid it.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

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

const INCLUDE = /^\s*include(?:\s*=\s*|\s+)(.+?)\s*$/i;

/** The config text with every `Include` replaced by the text of the files it names. */
export function expandIncludes(text: string, opts: { home: string; fs?: IncludeFs }, depth = 0, seen: ReadonlySet<string> = new Set()): string {
  const fs = opts.fs ?? nodeIncludeFs;
  return text.split(/\r?\n/).map((line) => {
    const m = INCLUDE.exec(line);
    if (!m?.[1] || line.trimStart().startsWith('#')) return line;
    if (depth >= MAX_INCLUDE_DEPTH) return `# vsim: Include too deeply nested (more than ${MAX_INCLUDE_DEPTH} levels): ${m[1]}`;
    const parts: string[] = [];
    for (const pattern of splitArgs(m[1])) {
      for (const file of matches(absolute(pattern, opts.home), fs)) {
        if (seen.has(file)) continue; // an include loop: ssh(1) would stop at the depth limit
        const inner = fs.read(file);
        if (inner === undefined) continue;
        parts.push(`# vsim: Include ${file}`, expandIncludes(inner, opts, depth + 1, new Set([...seen, file])));
      }
    }
    return parts.length ? parts.join('\n') : `# vsim: Include ${m[1]} (no file)`;
  }).join('\n');
}

/** Arguments of a config line: whitespace-separated, double quotes group. */
function splitArgs(s: string): string[] {
  const out: string[] = [];
  for (const m of s.matchAll(/"([^"]*)"|(\S+)/g)) out.push(m[1] ?? m[2] ?? '');
  return out.filter(Boolean);
}

function absolute(p: string, home: string): string {
  if (p === '~' || p.startsWith('~/')) return path.join(home, p.slice(1));
  if (p.startsWith('/')) return p;
  return path.join(home, '.ssh', p);
}

/** The files a path with glob wildcards names, sorted per directory level (as glob(3)). */
function matches(pattern: string, fs: IncludeFs): string[] {
  if (!/[*?[]/.test(pattern)) return [pattern];
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
