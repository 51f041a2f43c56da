// Times analyze() on a generated topology (default 1 000 VMs): the cold first call (schema compile
// included), the median of 20 warm calls, and where the time goes (yaml parse, schema, checks).
// Wall and CPU time are both printed: on a loaded machine CPU time is the steadier figure.
// Prints figures; asserts nothing.  Usage: node --import tsx bench/validate.bench.ts [N]  (or npm run bench)
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
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

// Reference point for the parse floor: js-yaml (no source ranges), if it is installed.
let jsYaml: Sample[] | undefined;
try {
  const y = createRequire(__filename)('js-yaml') as { load(s: string, o: object): unknown; CORE_SCHEMA: object };
  jsYaml = runs(10, () => y.load(text, { schema: y.CORE_SCHEMA }));
  line('reference: js-yaml load (CORE_SCHEMA, no ranges)', jsYaml);
} catch {
  console.log('  (js-yaml not installed: no parse reference)');
}

// One row for `npm run bench`'s table (bench/run.mjs reads bench/results/*.json).
const med = median(warm.map((x) => x.wall));
const parseMed = t ? median(runs(5, () => parseTopology(text)).map((x) => x.wall)) : NaN;
const results = join(root, 'bench', 'results');
mkdirSync(results, { recursive: true });
writeFileSync(join(results, 'validate.json'), JSON.stringify({
  date: new Date().toISOString(), vms: n, bytes: text.length, coldMs: cold.wall, warmMedianMs: med, parseMedianMs: parseMed,
  jsYamlMedianMs: jsYaml ? median(jsYaml.map((x) => x.wall)) : undefined, loadAverage: loadavg()[0],
  summary: [{
    measure: `analyze() of a generated ${n}-VM topology (median of 20, warm)`,
    value: med, unit: 'ms', spread: `cold ${cold.wall.toFixed(0)} ms; load avg ${loadavg()[0]?.toFixed(1)}`,
    goal: '< 50 ms', versus: { label: 'yaml parseDocument + toJS alone', value: parseMed }, ratio: med / parseMed, met: med < 50,
  }],
}, null, 2));
