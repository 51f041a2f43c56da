// Times analyze() on a generated topology (default 1 000 VMs): the cold first call (schema compile
// included), warm calls with the whole parse (chunking off) and where their time goes (yaml
// parse, schema, checks), and diagnostics after an edit: analyze() of the previous text, then of
// the text with one VM's memory changed — the chunked parse re-parses only that VM — side by side
// with the whole parse of the same edited text.
// Wall and CPU time are both printed: on a loaded machine CPU time is the steadier figure.
// Prints figures; asserts nothing.  Usage: node --import tsx bench/validate.bench.ts [N]  (or npm run bench)
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { analyze } from '../src/model/analyze';
import { checkAddresses } from '../src/model/checks/addresses';
import { checkCombinations } from '../src/model/checks/combinations';
import { makeContext } from '../src/model/checks/context';
import { checkReferences } from '../src/model/checks/references';
import { complete, symbols } from '../src/model/intellisense';
import { asTopology, parseTopology } from '../src/model/parse';
import { CHUNK_THRESHOLD } from '../src/model/parseChunked';
import { schemaProblems } from '../src/model/schemaCheck';
import { time, type Sample } from './lib/stats';

const n = Number(process.argv[2] ?? 1000);
const root = join(__dirname, '..');
const text = execFileSync(process.execPath, [join(root, 'scripts', 'gen-topology.mjs'), String(n)], { encoding: 'utf8', maxBuffer: 1 << 30 });

function runs(count: number, f: () => unknown): Sample[] {
  return Array.from({ length: count }, () => time(f));
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const ms = (x: number) => `${x.toFixed(1)} ms`;
const line = (label: string, s: Sample[]) =>
  console.log(`  ${label.padEnd(44)} wall ${ms(median(s.map((x) => x.wall))).padStart(9)}  cpu ${ms(median(s.map((x) => x.cpu))).padStart(9)}`);
const WHOLE = { chunkThreshold: Infinity };

const cold = time(() => analyze(text, WHOLE));
const first = analyze(text);
if (first.problems.length) {
  console.error(`generated topology has ${first.problems.length} problems, e.g. ${first.problems[0]?.message}`);
  process.exitCode = 1;
}
for (let i = 0; i < 5; i++) analyze(text, WHOLE);

const chunks = first.parsed.chunks;
console.log(`vsim validate benchmark: ${n} VMs, ${(text.length / 1024).toFixed(0)} KiB, ${text.split('\n').length} lines; load average ${loadavg()[0]?.toFixed(1)}`);
console.log(`  (${chunks ? `parsed in ${chunks.total} chunks` : `parsed whole: below the ${CHUNK_THRESHOLD / 1024} KiB chunking threshold or not splittable`})`);
line('analyze cold (first call, schema compile)', [cold]);
const warm = runs(10, () => analyze(text, WHOLE));
line('analyze warm, whole parse, median of 10', warm);
console.log(`    (wall min ${ms(Math.min(...warm.map((x) => x.wall)))}, max ${ms(Math.max(...warm.map((x) => x.wall)))})`);
const parsed = parseTopology(text, WHOLE);
const t = asTopology(parsed.value);
if (t) {
  line('  of which: yaml parse + toJS (parseTopology)', runs(10, () => parseTopology(text, WHOLE)));
  line('  of which: JSON Schema (Ajv)', runs(10, () => schemaProblems(parsed)));
  line('  of which: semantic checks', runs(10, () => {
    const ctx = makeContext(parsed, t, []);
    checkReferences(ctx);
    checkAddresses(ctx);
    checkCombinations(ctx);
  }));
}

// Diagnostics after an edit: each round analyzes the previous text (as the editor did before the
// keystroke), then the text with one more VM's memory changed (a different VM and value every
// round, so the edited chunk is never in the cache); the second call is timed.
const rounds = 20;
const memoryEdit = (from: string, round: number): string => {
  const at = from.indexOf('    memory: ', from.indexOf(`\n  vm${(round * 37) % n}:\n`));
  const end = from.indexOf('\n', at);
  return `${from.slice(0, at)}    memory: ${2048 + round * 1111}${from.slice(end)}`;
};
const editSamples: Sample[] = [];
const wholeSamples: Sample[] = [];
const parsedChunks: number[] = [];
let previous = text;
for (let round = 0; round < rounds; round++) {
  const next = memoryEdit(previous, round);
  analyze(previous);
  let a: ReturnType<typeof analyze> | undefined;
  editSamples.push(time(() => (a = analyze(next))));
  parsedChunks.push(a?.parsed.chunks?.parsed ?? NaN);
  wholeSamples.push(time(() => analyze(next, WHOLE)));
  previous = next;
}
const editWall = median(editSamples.map((x) => x.wall));
const editCpu = median(editSamples.map((x) => x.cpu));
const wholeWall = median(wholeSamples.map((x) => x.wall));
const wholeCpu = median(wholeSamples.map((x) => x.cpu));
console.log(`  diagnostics after an edit (${n} VMs), median of ${rounds}:`);
line(parsedChunks.some((c) => !Number.isNaN(c)) ? `  analyze(edited), chunked (${median(parsedChunks)} chunk parsed)` : '  analyze(edited) (below the chunking threshold)', editSamples);
line('  analyze(edited), whole parse', wholeSamples);
console.log(`    ratio chunked / whole: wall ${(editWall / wholeWall).toFixed(3)}, cpu ${(editCpu / wholeCpu).toFixed(3)}`);
line('analyze of an unchanged text (all chunks cached)', runs(10, () => analyze(previous)));

// One problem per VM (every lab NIC on the same IP): ranges for ~1 000 problems.
const broken = text.replace(/ip: 10\.\d+\.\d+\.\d+\n/g, 'ip: 10.0.0.250\n');
line(`analyze with ${analyze(broken, WHOLE).problems.length} problems, whole parse, median of 5`, runs(5, () => analyze(broken, WHOLE)));
line('  the same, chunked (its chunks cached)', Array.from({ length: 5 }, () => {
  analyze(text);
  return time(() => analyze(broken));
}));
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
const parseMed = t ? median(runs(5, () => parseTopology(text, WHOLE)).map((x) => x.wall)) : NaN;
const results = join(root, 'bench', 'results');
mkdirSync(results, { recursive: true });
writeFileSync(join(results, 'validate.json'), JSON.stringify({
  date: new Date().toISOString(), vms: n, bytes: text.length, coldMs: cold.wall, warmMedianMs: med, parseMedianMs: parseMed,
  editMedianMs: editWall, editMedianCpuMs: editCpu, editWholeMedianMs: wholeWall, editWholeMedianCpuMs: wholeCpu, chunks: chunks?.total,
  jsYamlMedianMs: jsYaml ? median(jsYaml.map((x) => x.wall)) : undefined, loadAverage: loadavg()[0],
  summary: [{
    measure: `diagnostics after an edit, analyze() of a generated ${n}-VM topology (median of ${rounds})`,
    value: editWall, unit: 'ms', spread: `cpu ${editCpu.toFixed(1)} ms; cold ${cold.wall.toFixed(0)} ms; load avg ${loadavg()[0]?.toFixed(1)}`,
    goal: '< 50 ms', versus: { label: 'the same analyze() with the whole parse', value: wholeWall }, ratio: editWall / wholeWall, met: editWall < 50,
  }],
}, null, 2));
