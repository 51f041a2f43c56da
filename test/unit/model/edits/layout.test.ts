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

test('host layout: the host blocks are packed for the canvas they will be drawn on (portrait: a column, wide: a row)', () => {
  const g = buildGraph(analyze(readFileSync('examples/sandbox.vsim.yaml', 'utf8')).topology!);
  const tall = box(autoLayout(g, 'host', 0.6));
  const wide = box(autoLayout(g, 'host', 4));
  assert.ok(tall.w / tall.h < 1, `portrait canvas: ${tall.w}×${tall.h}`);
  assert.ok(wide.w / wide.h > 2, `wide canvas: ${wide.w}×${wide.h}`);
  // The chosen packing is the one a fit draws biggest: no other row length beats it on that canvas.
  for (const aspect of [0.6, 1, 1.8, 4]) {
    const b = box(autoLayout(g, 'host', aspect));
    const zoom = Math.min(aspect / (b.w + 400), 1 / (b.h + 400));
    for (const other of [0.6, 1, 1.8, 4]) {
      const o = box(autoLayout(g, 'host', other));
      assert.ok(zoom >= Math.min(aspect / (o.w + 400), 1 / (o.h + 400)) * 0.85, `aspect ${aspect}: the packing for ${other} would be drawn bigger`);
    }
  }
});
