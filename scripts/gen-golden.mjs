// Regenerates test/golden/<example>.json from examples/*.vsim.yaml (format: test/golden/README.md).
// Usage: node --import tsx scripts/gen-golden.mjs [--check]   (--check: exit 1 when a file differs)
import { readdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { analyze } = await import(join(root, 'src/model/analyze.ts'));
const { goldenVector } = await import(join(root, 'src/deploy/golden.ts'));
const check = process.argv.includes('--check');

/** JSON with 2-space indent, but an array of strings (an argv) on one line. */
export function stringify(v, indent = '') {
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return JSON.stringify(v).replace(/","/g, '", "');
  const inner = `${indent}  `;
  if (Array.isArray(v)) return v.length ? `[\n${v.map((x) => inner + stringify(x, inner)).join(',\n')}\n${indent}]` : '[]';
  if (v && typeof v === 'object') {
    const e = Object.entries(v);
    return e.length ? `{\n${e.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${stringify(x, inner)}`).join(',\n')}\n${indent}}` : '{}';
  }
  return JSON.stringify(v);
}
let differ = 0;
for (const f of readdirSync(join(root, 'examples')).filter((n) => n.endsWith('.vsim.yaml')).sort()) {
  const name = f.replace(/\.vsim\.yaml$/, '');
  const a = analyze(readFileSync(join(root, 'examples', f), 'utf8'));
  if (!a.topology) throw new Error(`${f}: does not parse`);
  const text = `${stringify(goldenVector(a.topology))}\n`;
  const out = join(root, 'test/golden', `${name}.json`);
  const old = existsSync(out) ? readFileSync(out, 'utf8') : '';
  if (old === text) continue;
  differ++;
  if (check) console.error(`differs: test/golden/${name}.json`);
  else { writeFileSync(out, text); console.log(`wrote test/golden/${name}.json`); }
}
process.exit(check && differ ? 1 : 0);
