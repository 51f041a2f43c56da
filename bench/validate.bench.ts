// Times analyze() on a generated topology (default 1 000 VMs): the cold first call (schema compile
// included), the median of 20 warm calls, and where the time goes (yaml parse, schema, checks).
// Wall and CPU time are both printed: on a loaded machine CPU time is the steadier figure.
// Prints figures; asserts nothing.  Usage: node --import tsx bench/validate.bench.ts [N]  (or npm run bench)
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { analyze } from '../src/model/analyze';
import { checkAddresses } from '../src/model/checks/addresses';
import { checkCombinations } from '../src/model/checks/combinations';
import { makeContext } from '../src/model/checks/context';
import { checkReferences } from '../src/model/checks/references';
import { complete, symbols } from '../src/model/intellisense';
import { asTopology, parseTopology } from '../src/model/parse';
import { schemaProblems } from '../src/model/schemaCheck';

const n = Number(process.argv[2] ?? 1000);
const root = join(__dirname, '..');
const text = execFileSync(process.execPath, [join(root, 'scripts', 'gen-topology.mjs'), String(n)], { encoding: 'utf8', maxBuffer: 1 << 30 });

interface Sample { wall: number; cpu: number }
function time(f: () => unknown): Sample {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  f();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}
function runs(count: number, f: () => unknown): Sample[] {
  return Array.from({ length: count }, () => time(f));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const ms = (x: number) => `${x.toFixed(1)} ms`;
const line = (label: string, s: Sample[]) =>
  console.log(`  ${label.padEnd(44)} wall ${ms(median(s.map((x) => x.wall))).padStart(9)}  cpu ${ms(median(s.map((x) => x.cpu))).padStart(9)}`);

const cold = time(() => analyze(text));
const first = analyze(text);
if (first.problems.length) {
  console.error(`generated topology has ${first.problems.length} problems, e.g. ${first.problems[0]?.message}`);
  process.exitCode = 1;
}
for (let i = 0; i < 5; i++) analyze(text);

console.log(`vsim validate benchmark: ${n} VMs, ${(text.length / 1024).toFixed(0)} KiB, ${text.split('\n').length} lines; load average ${loadavg()[0]?.toFixed(1)}`);
line('analyze cold (first call, schema compile)', [cold]);
const warm = runs(20, () => analyze(text));
line('analyze warm, median of 20', warm);
console.log(`    (wall min ${ms(Math.min(...warm.map((x) => x.wall)))}, max ${ms(Math.max(...warm.map((x) => x.wall)))})`);
const parsed = parseTopology(text);
const t = asTopology(parsed.value);
if (t) {
  line('  of which: yaml parse + toJS (parseTopology)', runs(10, () => parseTopology(text)));
  line('  of which: JSON Schema (Ajv)', runs(10, () => schemaProblems(parsed)));
  line('  of which: semantic checks', runs(10, () => {
    const ctx = makeContext(parsed, t, []);
    checkReferences(ctx);
    checkAddresses(ctx);
    checkCombinations(ctx);
  }));
}
// One problem per VM (every lab NIC on the same IP): ranges for ~1 000 problems.
const broken = text.replace(/ip: 10\.\d+\.\d+\.\d+\n/g, 'ip: 10.0.0.250\n');
line(`analyze with ${analyze(broken).problems.length} problems, median of 5`, runs(5, () => analyze(broken)));
const offset = text.indexOf('      - network: lan0') + '      - network: '.length;
line('completion at a NIC network (analysis reused)', runs(10, () => complete(text, offset, first)));
line('outline (analysis reused)', runs(10, () => symbols(text, first)));
