// What the Labs tree computes for a host's VMs outside the file on each listing, at 300 domains:
// "not in topology (N)" rows in natural order plus one lookup per row (src/lab/hostState.ts
// undeclaredIndex), beside the previous flat rows in libvirt's order with a linear search per row.
// A fresh listing per run (each refresh makes a new one). Pure, no sandbox:
// node --import tsx bench/undeclared-rows.bench.ts [rows=300] [n=200]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { undeclaredIndex, type HostLive } from '../src/lab/hostState';
import { fmt, measure, type SummaryRow } from './lib/stats';

const REPO = path.resolve(__dirname, '..');
const rows = Number(process.argv[2] ?? 300);
const n = Number(process.argv[3] ?? 200);

/** A listing as libvirt gives it: domstats order (creation order, not sorted), mixed case and numbers. */
function listing(): HostLive {
  const names = Array.from({ length: rows }, (_, i) => (i % 7 === 0 ? `Bulk-${(i * 37) % rows}` : `bulk-${(i * 37) % rows}`));
  return { connection: { kind: 'connected' }, vms: {}, undeclared: names.map((name) => ({ name, backend: 'libvirt', status: { state: 'stopped', detail: 'shut off' } })) };
}

let sink = 0;

/** The tree before: children in listing order, each row's status found by a linear search. */
function flat(h: HostLive): void {
  const children = h.undeclared.map((u) => u.name);
  for (const c of children) sink += h.undeclared.find((u) => u.name === c)?.status.state.length ?? 0;
}

/** The tree now: the group's children sorted once per listing, each row's status from the index. */
function grouped(h: HostLive): void {
  const idx = undeclaredIndex(h);
  for (const u of idx.rows) sink += idx.byName.get(u.name)?.status.state.length ?? 0;
}

async function main(): Promise<void> {
  const before = await measure(n, () => flat(listing()), 20);
  const now = await measure(n, () => grouped(listing()), 20);
  const base = await measure(n, () => listing(), 20);
  const ratio = now.median / before.median;
  console.log(`\nLabs tree rows for ${rows} VMs outside the file, median of ${n} (listing made each run: ${fmt(base.median, 3)} ms):`);
  console.log(`  grouped, natural order, indexed  ${fmt(now.median, 3)} ms (p10 ${fmt(now.p10, 3)}, p90 ${fmt(now.p90, 3)})`);
  console.log(`  flat, listing order, find()      ${fmt(before.median, 3)} ms (p10 ${fmt(before.p10, 3)}, p90 ${fmt(before.p90, 3)})`);
  console.log(`  ratio grouped/flat: ${fmt(ratio, 2)} (${sink > 0 ? 'rows read' : ''})`);
  const summary: SummaryRow[] = [{
    measure: `Labs tree: ${rows} rows not in topology (sorted, grouped, per-row lookups, fresh listing)`, value: now.median, unit: 'ms',
    spread: `p10 ${fmt(now.p10, 3)}–p90 ${fmt(now.p90, 3)}`, goal: '≤ 5 ms', versus: { label: 'flat rows, listing order, find() per row', value: before.median }, ratio, met: now.median <= 5,
  }];
  mkdirSync(path.join(REPO, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(REPO, 'bench', 'results', 'undeclared-rows.json'), JSON.stringify({ date: new Date().toISOString(), rows, n, now, before, summary }, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
