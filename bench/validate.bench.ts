// Times analyze() on a generated topology (default 1 000 VMs): the cold first call (schema compile
// included) and the median of 20 warm calls. Prints the figures; asserts nothing.
// Usage: node --import tsx bench/validate.bench.ts [N]   (or: npm run bench)
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { analyze } from '../src/model/analyze';
import { complete, symbols } from '../src/model/intellisense';

const n = Number(process.argv[2] ?? 1000);
const root = join(__dirname, '..');
const text = execFileSync(process.execPath, [join(root, 'scripts', 'gen-topology.mjs'), String(n)], { encoding: 'utf8', maxBuffer: 1 << 30 });

function time<T>(f: () => T): [number, T] {
  const t0 = performance.now();
  const r = f();
  return [performance.now() - t0, r];
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

const [cold, first] = time(() => analyze(text));
if (first.problems.length) {
  console.error(`generated topology has ${first.problems.length} problems, e.g. ${first.problems[0]?.message}`);
  process.exitCode = 1;
}
for (let i = 0; i < 5; i++) analyze(text);
const runs = Array.from({ length: 20 }, () => time(() => analyze(text))[0]);
// With one problem per VM (every NIC IP duplicated): the cost of ranges for many problems.
const broken = text.replace(/ip: (10\.\d+\.\d+\.\d+)\n/g, 'ip: 10.0.0.250\n');
const brokenRuns = Array.from({ length: 5 }, () => time(() => analyze(broken)));
const offset = text.indexOf('      - network: lan0') + '      - network: '.length;
const completion = median(Array.from({ length: 10 }, () => time(() => complete(text, offset, first))[0]));
const outline = median(Array.from({ length: 10 }, () => time(() => symbols(text, first))[0]));

console.log(`vsim validate benchmark: ${n} VMs, ${(text.length / 1024).toFixed(0)} KiB, ${text.split('\n').length} lines`);
console.log(`  analyze cold (first call, schema compile): ${fmt(cold)}`);
console.log(`  analyze warm median of 20: ${fmt(median(runs))} (min ${fmt(Math.min(...runs))}, max ${fmt(Math.max(...runs))})`);
console.log(`  analyze with ${brokenRuns[0]?.[1].problems.length} problems, median of 5: ${fmt(median(brokenRuns.map(([t]) => t)))}`);
console.log(`  completion at a NIC network (analysis reused), median of 10: ${fmt(completion)}`);
console.log(`  outline (analysis reused), median of 10: ${fmt(outline)}`);
