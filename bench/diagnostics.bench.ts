// Diagnostics after an edit in a 1 000-VM topology: vsim's analyze() vs the YAML language server
// (yaml-language-server 1.25, driven over LSP stdio with vsim's schema on the same file), same run.
// vsim is measured as the editor runs it — each edit analyzed after the text before it, so the
// chunked parse of large files (src/model/parseChunked.ts) re-parses only the edited VM — and,
// for comparison, with the whole parse of the same edited texts.
// Run: node --import tsx bench/diagnostics.bench.ts [vms=1000] [n=20]
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { analyze } from '../src/model/analyze';
import { LspClient } from './lib/lspClient';
import { fmt, measure, stats, type SummaryRow } from './lib/stats';

const REPO = path.resolve(__dirname, '..');
const vms = Number(process.argv[2] ?? 1000);
const n = Number(process.argv[3] ?? 20);

function generate(count: number): string {
  const r = spawnSync(process.execPath, [path.join(REPO, 'scripts', 'gen-topology.mjs'), String(count)], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`gen-topology failed: ${r.stderr}`);
  return r.stdout;
}

/** The i-th edit: change the vCPU count of VM i (a valid edit that re-checks the whole file; a different text every time). */
function edited(text: string, i: number): string {
  const vm = text.indexOf(`\n  vm${i % vms}:\n`);
  const at = text.indexOf('vcpus: ', vm);
  const end = text.indexOf('\n', at);
  return `${text.slice(0, at)}vcpus: ${((i + 1) % 4) + 1}${text.slice(end)}`;
}

async function main(): Promise<void> {
  const text = generate(vms);
  const lines = text.split('\n').length;
  const first = analyze(text);
  if (!first.ok) throw new Error(`generated topology has errors: ${first.problems[0]?.message}`);

  const cold = (() => { const t0 = performance.now(); analyze(edited(text, 99)); return performance.now() - t0; })();
  // As in the editor: the text before the edit was analyzed (its chunks are cached), then the edited one is timed.
  const editSamples: number[] = [];
  for (let k = 0; k < n + 3; k++) {
    const next = edited(text, k);
    analyze(text);
    const t0 = performance.now();
    analyze(next);
    if (k >= 3) editSamples.push(performance.now() - t0);
  }
  const vsim = stats(editSamples);
  let j = 0;
  const vsimWhole = await measure(n, () => analyze(edited(text, j++), { chunkThreshold: Infinity }), 1);

  const dir = path.join(REPO, '.sandbox', 'bench');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `gen-${vms}.vsim.yaml`);
  writeFileSync(file, text);
  const uri = pathToFileURL(file).toString();
  const schemaUri = pathToFileURL(path.join(REPO, 'schemas', 'topology.schema.json')).toString();

  const ls = new LspClient(process.execPath, [path.join(REPO, 'node_modules', 'yaml-language-server', 'bin', 'yaml-language-server'), '--stdio']);
  ls.settings = { validate: true, schemas: { [schemaUri]: ['*.vsim.yaml'] }, hover: false, completion: false, format: { enable: false } };
  await ls.request('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).toString(), capabilities: { workspace: { configuration: true } } });
  ls.notify('initialized', {});
  ls.notify('workspace/didChangeConfiguration', { settings: { yaml: ls.settings } });
  const diag = (version: number) => ls.next((m) => m.method === 'textDocument/publishDiagnostics' && (m.params as { uri: string; version?: number }).uri === uri
    && ((m.params as { version?: number }).version ?? version) === version);
  let t0 = performance.now();
  const opened = diag(1);
  ls.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'yaml', version: 1, text } });
  const openMsg = await opened;
  const yamlOpen = performance.now() - t0;
  const yamlErrors = ((openMsg.params as { diagnostics: unknown[] }).diagnostics ?? []).length;
  const samples: number[] = [];
  for (let k = 0; k < n + 2; k++) {
    const version = k + 2;
    const waiting = diag(version);
    t0 = performance.now();
    ls.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text: edited(text, k) }] });
    await waiting;
    if (k >= 2) samples.push(performance.now() - t0);
  }
  await ls.close();
  const yaml = stats(samples);

  console.log(`\ndiagnostics after an edit, ${vms} VMs (${lines} lines), median of ${n}:`);
  console.log(`  vsim analyze()                   ${fmt(vsim.median)} ms (p10 ${fmt(vsim.p10)}, p90 ${fmt(vsim.p90)}); first call ${fmt(cold)} ms`);
  console.log(`  vsim analyze(), whole parse      ${fmt(vsimWhole.median)} ms (p10 ${fmt(vsimWhole.p10)}, p90 ${fmt(vsimWhole.p90)}); ratio chunked / whole ${fmt(vsim.median / vsimWhole.median, 3)}`);
  console.log(`  yaml-language-server didChange→diagnostics  ${fmt(yaml.median)} ms (p10 ${fmt(yaml.p10)}, p90 ${fmt(yaml.p90)}); open ${fmt(yamlOpen)} ms, ${yamlErrors} diagnostics`);
  console.log(`  ratio vsim / yaml-language-server: ${fmt(vsim.median / yaml.median, 2)}`);
  const summary: SummaryRow[] = [{
    measure: `diagnostics after an edit, ${vms}-VM topology`, value: vsim.median, unit: 'ms', spread: `p10 ${fmt(vsim.p10)}–p90 ${fmt(vsim.p90)}`,
    goal: '< 50 ms and faster than yaml-language-server', versus: { label: 'yaml-language-server 1.25', value: yaml.median },
    ratio: vsim.median / yaml.median, met: vsim.median < 50 && vsim.median < yaml.median,
  }];
  mkdirSync(path.join(REPO, 'bench', 'results'), { recursive: true });
  writeFileSync(path.join(REPO, 'bench', 'results', 'diagnostics.json'), JSON.stringify({ date: new Date().toISOString(), vms, lines, vsim, vsimWhole, vsimFirstCall: cold, yaml, yamlOpen, summary }, null, 2));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
