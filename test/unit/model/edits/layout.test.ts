// The auto layout: host blocks packed in rows (a landscape picture, not one long row), every node
// placed, the same input giving the same picture.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze } from '../../../../src/model/analyze';
import { buildGraph } from '../../../../src/model/edits/graph';
import { autoLayout } from '../../../../src/model/edits/layout';
import { genTopology } from './genTopology';

const box = (pos: Map<string, { x: number; y: number }>) => {
  const xs = [...pos.values()].map((p) => p.x);
  const ys = [...pos.values()].map((p) => p.y);
  return { w: Math.max(...xs) - Math.min(...xs), h: Math.max(...ys) - Math.min(...ys) };
};

test('host layout: the sandbox lab in rows of host blocks, about landscape, every node placed once', () => {
  const g = buildGraph(analyze(readFileSync('examples/sandbox.vsim.yaml', 'utf8')).topology!);
  const pos = autoLayout(g, 'host');
  assert.equal(pos.size, g.nodes.length);
  const { w, h } = box(pos);
  // Three hosts side by side would be about 6 times as wide as tall; in rows it is at most ~2.5.
  assert.ok(w / h < 2.5 && w / h > 0.5, `aspect ${w}/${h}`);
  const hostYs = new Set(g.hosts.map((hst) => pos.get(`host:${hst}`)!.y));
  assert.ok(hostYs.size > 1, 'hosts on more than one row');
  // No two nodes on one spot.
  const spots = new Set([...pos.values()].map((p) => `${p.x},${p.y}`));
  assert.equal(spots.size, pos.size);
  assert.deepEqual([...autoLayout(g, 'host')], [...pos], 'deterministic');
});

test('host layout: 10 hosts of 100 VMs in rows, not one row of hosts', () => {
  const g = buildGraph(analyze(genTopology(1000)).topology!);
  const pos = autoLayout(g, 'host');
  assert.equal(pos.size, g.nodes.length);
  const { w, h } = box(pos);
  assert.ok(w / h < 3, `aspect ${w}/${h}`);
});
