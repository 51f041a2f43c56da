// Times the graph editor's intent → text edits ("intent computed" of the edit round trip) on topologies
// from scripts/gen-topology.mjs: the partial path (the analysed document viewed copy-on-access, only the
// touched entries printed and diffed) beside the full path (the document cloned and printed whole twice),
// for a move, an added VM and a changed field. Wall and CPU time (the steadier figure on a loaded machine).
// Prints figures; asserts nothing.  Usage: node --import tsx bench/edit.bench.ts [N…]  (or npm run bench)
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../src/model/analyze';
import { applyIntent, type Intent } from '../src/model/edits/intents';
import { time, type SummaryRow } from './lib/stats';

const sizes = process.argv.slice(2).map(Number).filter((x) => x > 0);
const root = join(__dirname, '..');
const intents: Intent[] = [
  { kind: 'movePositions', positions: [{ section: 'vms', name: 'vm1', x: 10, y: 20 }] },
  { kind: 'addVm', network: 'lan0' },
  { kind: 'setProperty', path: ['vms', 'vm3', 'memory'], value: 4096 },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const summary: SummaryRow[] = [];
console.log(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
for (const n of sizes.length ? sizes : [10, 100, 500, 1000]) {
  const text = execFileSync(process.execPath, [join(root, 'scripts', 'gen-topology.mjs'), String(n)], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const a = analyze(text);
  const doc = a.parsed.doc!;
  const base = { doc, topology: a.topology! };
  console.log(`${n} VMs (${(text.length / 1024).toFixed(0)} KB):`);
  const all: Record<'partial' | 'full', number[]> = { partial: [], full: [] };
  for (const intent of intents) {
    const row: string[] = [];
    for (const path of ['partial', 'full'] as const) {
      const opts = { ...base, partial: path === 'partial' };
      applyIntent(text, intent, opts); // warm
      const s = Array.from({ length: path === 'full' && n >= 500 ? 3 : 9 }, () => time(() => applyIntent(text, intent, opts)));
      const wall = median(s.map((x) => x.wall));
      all[path].push(wall);
      row.push(`${path} ${wall.toFixed(1)} ms (cpu ${median(s.map((x) => x.cpu)).toFixed(1)})`);
    }
    console.log(`  ${intent.kind.padEnd(14)} ${row.join('   ')}`);
  }
  const partial = median(all.partial);
  const full = median(all.full);
  summary.push({ measure: `graph intent → text edits, ${n} VMs (median of move/addVm/setProperty)`, value: partial, unit: 'ms', goal: '≪ 100 ms (edit round trip)',
    versus: { label: 'full path: clone + print whole document twice', value: full }, ratio: partial / full, met: partial < 20 });
}
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
writeFileSync(join(root, 'bench', 'results', 'edit.json'), JSON.stringify({ date: new Date().toISOString(), summary }, null, 2));
