// The auto layout: host blocks packed in rows (a landscape picture, not one long row), every node
// placed, the same input giving the same picture.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze } from '../../../../src/model/analyze';
import { buildGraph } from '../../../../src/model/edits/graph';
import { autoLayout, boxesOverlap } from '../../../../src/model/edits/layout';
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

test('host layout with measured label widths: neighbours in a row are at least as far apart as their labels are wide; without widths, the usual pitch', () => {
  const g = buildGraph(analyze(readFileSync('examples/sandbox.vsim.yaml', 'utf8')).topology!);
  const plain = autoLayout(g, 'host');
  // Labels as wide as a fit at a small zoom draws them (edge.Gateway the widest).
  const widths = new Map(g.nodes.map((n) => [n.id, n.name.length * 22]));
  const pos = autoLayout(g, 'host', 1.8, widths);
  assert.equal(pos.size, g.nodes.length);
  const boxes = (p: Map<string, { x: number; y: number }>) => g.nodes.map((n) => {
    const at = p.get(n.id)!;
    const w = widths.get(n.id)!;
    return { left: at.x - w / 2, right: at.x + w / 2, top: at.y + 20, bottom: at.y + 44 };
  });
  assert.ok(boxesOverlap(boxes(plain)), 'the labels overlap at the usual pitch (what the spread is for)');
  assert.ok(!boxesOverlap(boxes(pos)), 'no two labels overlap with the widened columns');
  const hv1 = g.nodes.filter((n) => n.kind === 'vm' && n.host === 'vsim-hv1').map((n) => pos.get(n.id)!);
  assert.ok(hv1.length >= 5 && new Set(hv1.map((p) => p.y)).size >= 2, 'the widened block keeps its shape: its VMs in more than one row');
});

test('boxesOverlap: touching edges do not overlap, a shared area does', () => {
  assert.equal(boxesOverlap([{ left: 0, right: 10, top: 0, bottom: 10 }, { left: 10, right: 20, top: 0, bottom: 10 }]), false);
  assert.equal(boxesOverlap([{ left: 0, right: 10, top: 0, bottom: 10 }, { left: 30, right: 40, top: 0, bottom: 10 }, { left: 5, right: 12, top: 9, bottom: 20 }]), true);
  assert.equal(boxesOverlap([{ left: 0, right: 10, top: 0, bottom: 10 }, { left: 2, right: 8, top: 11, bottom: 20 }]), false);
  assert.equal(boxesOverlap([]), false);
});

test('two-host lab: a spanning network is drawn once, joined to both host clusters (a tunnel edge to the second), the cross-host link kept', () => {
  const g = buildGraph(analyze(readFileSync('examples/two-host-fabric.vsim.yaml', 'utf8')).topology!);
  const fabric = g.nodes.find((n) => n.id === 'network:fabric');
  assert.equal(fabric?.host, 'hv1');
  assert.deepEqual(fabric?.spans, ['hv1', 'hv2']);
  assert.match(fabric?.label ?? '', /vxlan 42/);
  const hostEdges = g.edges.filter((e) => e.kind === 'host' && e.to === 'network:fabric');
  assert.deepEqual(hostEdges.map((e) => [e.id, e.from, e.label]), [['host:fabric', 'host:hv1', undefined], ['host:fabric:hv2', 'host:hv2', 'vxlan 42']]);
  const link = g.edges.find((e) => e.id === 'link:web-db');
  assert.deepEqual([link?.from, link?.to], ['vm:web', 'vm:db']);
  const nicHosts = g.edges.filter((e) => e.kind === 'nic' && e.to === 'network:fabric').map((e) => g.nodes.find((n) => n.id === e.from)?.host);
  assert.deepEqual(nicHosts, ['hv1', 'hv2']);
  const pos = autoLayout(g, 'host');
  assert.equal(pos.size, g.nodes.length);
});
