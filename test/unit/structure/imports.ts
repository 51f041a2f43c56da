// The import graph of the source folders, read from the files' import statements (static imports,
// `export … from` and `import()` of a relative path; packages are not followed).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';

const IMPORT = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|(?:^|[\s;])import\s*['"](\.[^'"]+)['"]|\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/gm;

function sources(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir).sort()) {
    const p = path.join(dir, e);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (/\.ts$/.test(e) && !e.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function resolve(from: string, spec: string): string | undefined {
  const base = path.join(path.dirname(from), spec);
  for (const c of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    try {
      if (statSync(c).isFile()) return c;
    } catch {
      // not this candidate
    }
  }
  return undefined;
}

/** file → the files of this tree it imports (paths relative to `root`, with '/'). */
export function importGraph(root: string, dirs: string[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  const rel = (p: string) => path.relative(root, p).split(path.sep).join('/');
  for (const file of dirs.flatMap((d) => sources(path.join(root, d)))) {
    const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
    const to = new Set<string>();
    for (const m of text.matchAll(IMPORT)) {
      const target = resolve(file, (m[1] ?? m[2] ?? m[3]) as string);
      if (target) to.add(rel(target));
    }
    graph.set(rel(file), to);
  }
  return graph;
}

/** Every cycle's members (strongly connected components of more than one node), each sorted. */
export function cycles(graph: Map<string, Set<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1) out.push(scc.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

/**
 * The cycles between siblings at every level of the tree: inside each folder, its files and its
 * subfolders (each taken whole) are the rooms. The top folders (src/, webview/) are one level:
 * their children together are the top rooms. A cycle between two files, or between two folders
 * anywhere, shows up at the folder that holds both.
 */
export function siblingCycles(files: Map<string, Set<string>>): { folder: string; rooms: string[] }[] {
  const folders = new Set<string>();
  for (const f of files.keys()) {
    const parts = f.split('/');
    for (let i = 2; i < parts.length; i++) folders.add(parts.slice(0, i).join('/'));
  }
  const levels: { folder: string; roomOf: (f: string) => string | undefined }[] = [
    { folder: '(top)', roomOf: (f) => f.split('/').slice(0, 2).join('/') },
    ...[...folders].sort().map((folder) => ({
      folder,
      roomOf: (f: string) => (f.startsWith(`${folder}/`) ? `${folder}/${f.slice(folder.length + 1).split('/')[0] as string}` : undefined),
    })),
  ];
  const out: { folder: string; rooms: string[] }[] = [];
  for (const { folder, roomOf } of levels) {
    const graph = new Map<string, Set<string>>();
    for (const [from, tos] of files) {
      const a = roomOf(from);
      if (a === undefined) continue;
      const set = graph.get(a) ?? new Set<string>();
      graph.set(a, set);
      for (const to of tos) {
        const b = roomOf(to);
        if (b !== undefined && b !== a) set.add(b);
      }
    }
    for (const rooms of cycles(graph)) out.push({ folder, rooms });
  }
  return out;
}
